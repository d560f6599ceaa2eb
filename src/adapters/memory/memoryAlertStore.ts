import type { AlertStore } from '../../app/ports/alertStore.js';
import type { Alert } from '../../core/alert/alert.js';
import {
  ALERT_TRANSITIONS,
  type AlertChange,
  guardStates,
  OPEN_ALERT_CLAIM_GRACE_MS,
} from '../../core/alert/alertLifecycle.js';

interface Stored {
  alert: Alert;
  outboxPurgedAt: Date | null;
}

/** Alerts in memory (unit tests, benchmarks), with the same guards as the database stores. */
export class MemoryAlertStore implements AlertStore {
  private readonly alerts = new Map<string, Stored>();
  private readonly openMarkers = new Map<string, { alertId: string; at: Date }>();

  async insert(alert: Alert): Promise<void> {
    if (this.alerts.has(alert._id)) throw new Error(`duplicate alert ${alert._id}`);
    this.alerts.set(alert._id, { alert: structuredClone(alert), outboxPurgedAt: null });
  }

  async get(id: string): Promise<Alert | null> {
    const stored = this.alerts.get(id);
    return stored ? structuredClone(stored.alert) : null;
  }

  async forCase(caseId: string): Promise<Alert[]> {
    return this.all()
      .filter((alert) => alert.caseId === caseId)
      .sort((a, b) => b.proposedAt.getTime() - a.proposedAt.getTime());
  }

  async open(): Promise<Alert[]> {
    return this.all().filter((alert) => alert.state !== 'ended');
  }

  async apply(id: string, change: AlertChange): Promise<Alert | null> {
    const stored = this.alerts.get(id);
    if (!stored) return null;
    const { alert } = stored;
    if (!guardStates(change.transition, change.from).includes(alert.state)) return null;
    if (change.stagesQueued !== undefined && alert.stagesQueued !== change.stagesQueued)
      return null;
    if (
      change.expiresAt !== undefined &&
      (alert.expiresAt?.getTime() ?? null) !== (change.expiresAt?.getTime() ?? null)
    )
      return null;
    const next: Alert = {
      ...alert,
      ...structuredClone(change.set),
      state: ALERT_TRANSITIONS[change.transition].to,
      cap: change.cap ? [...alert.cap, { ...change.cap }] : alert.cap,
    };
    stored.alert = next;
    return structuredClone(next);
  }

  async markClosingQueued(id: string): Promise<void> {
    const stored = this.alerts.get(id);
    if (stored?.alert.state === 'ended') stored.alert = { ...stored.alert, closingQueued: true };
  }

  async endedSince(since: Date): Promise<Alert[]> {
    return this.all().filter(
      (alert) =>
        alert.state === 'ended' &&
        alert.endedAt !== null &&
        alert.endedAt.getTime() >= since.getTime(),
    );
  }

  async claimOpen(caseId: string, alertId: string, now: Date): Promise<boolean> {
    const marker = this.openMarkers.get(caseId);
    if (marker) {
      const holding = this.alerts.get(marker.alertId);
      // As on the database: over, or never stored and older than the grace period.
      const stale = holding
        ? holding.alert.state === 'ended'
        : now.getTime() - marker.at.getTime() > OPEN_ALERT_CLAIM_GRACE_MS;
      if (!stale) return false;
    }
    this.openMarkers.set(caseId, { alertId, at: now });
    return true;
  }

  async releaseOpen(caseId: string, alertId: string): Promise<void> {
    if (this.openMarkers.get(caseId)?.alertId === alertId) this.openMarkers.delete(caseId);
  }

  async outboxesDue(endedBefore: Date): Promise<string[]> {
    return [...this.alerts.values()]
      .filter(
        ({ alert, outboxPurgedAt }) =>
          alert.state === 'ended' &&
          alert.closingQueued &&
          outboxPurgedAt === null &&
          alert.endedAt !== null &&
          alert.endedAt.getTime() < endedBefore.getTime(),
      )
      .map(({ alert }) => alert._id);
  }

  async markOutboxPurged(alertId: string, now: Date): Promise<void> {
    const stored = this.alerts.get(alertId);
    if (stored) stored.outboxPurgedAt = new Date(now);
  }

  private all(): Alert[] {
    return [...this.alerts.values()].map(({ alert }) => structuredClone(alert));
  }
}
