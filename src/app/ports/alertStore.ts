import type { Alert } from '../../core/alert/alert.js';
import type { AlertChange } from '../../core/alert/alertLifecycle.js';

/**
 * Alerts. Every state change is one single-document update guarded by the
 * states its transition leaves (src/core/alert/alertLifecycle.ts); `null`
 * means someone else changed the alert first.
 */
export interface AlertStore {
  insert(alert: Alert): Promise<void>;
  get(id: string): Promise<Alert | null>;
  /** A case's alerts, newest first. */
  forCase(caseId: string): Promise<Alert[]>;
  /** Alerts proposed or active (a handful nationwide). */
  open(): Promise<Alert[]>;
  /** Applies a transition if the alert is still as the change expects; the alert after it, or `null`. */
  apply(id: string, change: AlertChange): Promise<Alert | null>;
  /** Notes that an ended alert's closing messages are enqueued (no state change). */
  markClosingQueued(id: string): Promise<void>;
  /** Alerts ended since `since` (their closing messages may still be going out). */
  endedSince(since: Date): Promise<Alert[]>;
  /**
   * Marks a case as having an open alert; of two proposals at once, one wins.
   * A marker is taken over when its alert has ended, or when its alert was
   * never stored (a crash between the claim and the insert) and the marker is
   * older than a minute: a proposal still between its two writes keeps it.
   */
  claimOpen(caseId: string, alertId: string, now: Date): Promise<boolean>;
  /** The case may have a new alert (its open one ended, or its proposal failed). */
  releaseOpen(caseId: string, alertId: string): Promise<void>;
  /** Ended alerts whose outbox is due for the purge (ended before `endedBefore`, closings queued). */
  outboxesDue(endedBefore: Date): Promise<string[]>;
  /** The outbox of this alert was purged; the alert itself stays with its case. */
  markOutboxPurged(alertId: string, now: Date): Promise<void>;
}
