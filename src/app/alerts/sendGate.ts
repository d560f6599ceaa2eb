import type { Delivery } from '../../core/alert/delivery.js';
import type { AlertStore } from '../ports/alertStore.js';

/** How long an active alert is trusted before it is read again. */
const RECHECK_MS = 1000;

/**
 * Whether an outbox entry may still go out: an alert's message only while
 * the alert is active, a closing message always. Asked before every send, so
 * an active alert is re-read at most once a second: a cancel on another
 * instance stops this one's sends within that second.
 */
export class AlertSendGate {
  private readonly ended = new Set<string>();
  private readonly activeSeen = new Map<string, number>();

  constructor(private readonly alerts: Pick<AlertStore, 'get'>) {}

  async maySend(delivery: Delivery): Promise<boolean> {
    if (delivery.kind === 'closing') return true;
    if (this.ended.has(delivery.alertId)) return false;
    const checkedActive = this.activeSeen.get(delivery.alertId);
    if (checkedActive !== undefined && performance.now() - checkedActive < RECHECK_MS) return true;
    const alert = await this.alerts.get(delivery.alertId);
    if (alert?.state !== 'active') {
      this.closed(delivery.alertId);
      return false;
    }
    this.activeSeen.set(delivery.alertId, performance.now());
    return true;
  }

  /** This instance ended the alert: nothing more of it goes out from here. */
  closed(alertId: string): void {
    this.ended.add(alertId);
    this.activeSeen.delete(alertId);
  }
}
