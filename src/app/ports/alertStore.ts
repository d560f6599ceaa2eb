import type { Alert, AlertEndReason, CapRecord } from '../../core/alert/alert.js';

/**
 * Alerts. Every state change is one single-document update guarded by the
 * expected state; `null` means someone else changed it first.
 */
export interface AlertStore {
  insert(alert: Alert): Promise<void>;
  get(id: string): Promise<Alert | null>;
  forCase(caseId: string): Promise<Alert[]>;
  /** Alerts proposed or active. */
  open(): Promise<Alert[]>;
  update(
    id: string,
    guard: {
      state: Alert['state'] | Alert['state'][];
      stagesQueued?: number;
      expiresAt?: Date | null;
    },
    set: Partial<Alert>,
    push?: { cap: CapRecord },
  ): Promise<Alert | null>;
  /** Ends an alert if it is still in `from`; an active one gets its CAP Cancel in the same write. */
  end(
    id: string,
    from: 'proposed' | 'active',
    change: { reason: AlertEndReason; by: string; now: Date; cancel: CapRecord | null },
    expiresAt?: Date | null,
  ): Promise<Alert | null>;
  /** Alerts ended since `since` (their closing messages may still be going out). */
  endedSince(since: Date): Promise<Alert[]>;
  /** Marks a case as having an open alert; of two proposals at once, one wins. */
  claimOpen(caseId: string, alertId: string): Promise<boolean>;
  releaseOpen(caseId: string, alertId: string): Promise<void>;
  /** Ended alerts whose outbox is due for the purge (ended before `endedBefore`, closings queued). */
  outboxesDue(endedBefore: Date): Promise<string[]>;
  markOutboxPurged(alertId: string, now: Date): Promise<void>;
}
