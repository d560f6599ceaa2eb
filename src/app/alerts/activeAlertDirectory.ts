import { subscriptionKey } from '../../core/subscription.js';
import type { AlertChoice, AlertDirectory } from '../ports/alertDirectory.js';
import type { AlertStore } from '../ports/alertStore.js';
import type { Outbox } from '../ports/outbox.js';

/** The conversation's view of alerts ("which child?"): active ones, those this number received first. */
export class ActiveAlertDirectory implements AlertDirectory {
  constructor(
    private readonly deps: {
      alerts: Pick<AlertStore, 'open'>;
      outbox: Pick<Outbox, 'received' | 'findByChannelMessageId'>;
    },
  ) {}

  async repliedTo(channelMessageId: string): Promise<string | null> {
    const delivery = await this.deps.outbox.findByChannelMessageId(channelMessageId);
    return delivery?.kind === 'alert' ? delivery.alertId : null;
  }

  async activeFor(channel: string, address: string): Promise<AlertChoice[]> {
    const subscriptionId = subscriptionKey(channel, address);
    const choices: AlertChoice[] = [];
    for (const alert of await this.deps.alerts.open()) {
      if (alert.state !== 'active') continue;
      choices.push({
        alertId: alert._id,
        caseId: alert.caseId,
        firstName: alert.content.firstName,
        ageYears: alert.content.age.years,
        city: alert.content.lastSeen.city,
        received: await this.deps.outbox.received(alert._id, subscriptionId),
      });
    }
    return choices.sort((a, b) => Number(b.received) - Number(a.received));
  }
}
