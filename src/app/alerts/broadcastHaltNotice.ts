import type { Delivery } from '../../core/alert/delivery.js';
import type { Logger } from '../../logger.js';
import type { AlertStore } from '../ports/alertStore.js';
import type { CaseStore } from '../ports/caseStore.js';
import type { Events } from '../ports/events.js';
import { publishAlert, recordAlertStep } from './alertSteps.js';
import type { BroadcastHalt } from './broadcastWorker.js';

/**
 * Tells the supervisors the broadcast stopped because the channel refuses
 * the account (token, restriction, template): an entry in the alert's case
 * audit trail with the channel's code, and a live event so the console's
 * alert panel shows it at once.
 */
export async function noticeBroadcastHalt(
  deps: {
    alerts: Pick<AlertStore, 'get'>;
    cases: Pick<CaseStore, 'recordAlert'>;
    events: Events;
    logger: Logger;
  },
  delivery: Delivery,
  halt: BroadcastHalt,
): Promise<void> {
  const alert = await deps.alerts.get(delivery.alertId);
  if (!alert) return;
  await recordAlertStep(deps.cases, alert, {
    actor: 'system',
    action: 'alert.broadcast_halted',
    at: halt.at,
    details: { code: halt.code },
  });
  publishAlert(deps.events, alert);
  deps.logger.error(
    { alertId: alert._id, caseId: alert.caseId, code: halt.code },
    'supervisors told: the broadcast stopped',
  );
}
