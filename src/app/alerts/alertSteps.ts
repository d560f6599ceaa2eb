import type { Alert } from '../../core/alert/alert.js';
import type { CaseStore } from '../ports/caseStore.js';
import type { Events } from '../ports/events.js';

/** An alert's step (proposed, approved, stage, ended) in its case's audit trail. */
export async function recordAlertStep(
  cases: Pick<CaseStore, 'recordAlert'>,
  alert: Alert,
  step: {
    actor: string;
    action: string;
    at: Date;
    details?: Record<string, string | number | boolean | null>;
  },
): Promise<void> {
  await cases.recordAlert(alert.caseId, {
    at: step.at,
    actor: step.actor,
    action: step.action,
    details: { alertId: alert._id, ...step.details },
  });
}

/** Tells the console an alert changed (ids only). */
export function publishAlert(events: Events, alert: Alert): void {
  events.publish({ type: 'alert', caseId: alert.caseId, region: alert.region, alertId: alert._id });
}
