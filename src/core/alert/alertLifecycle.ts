import type { Alert, AlertEndReason, AlertState, CapRecord } from './alert.js';

/**
 * What may happen to an alert, and from which states. A store applies a
 * transition as one single-document update guarded by `from`, so of two
 * instances acting on one alert at once exactly one wins.
 */
export const ALERT_TRANSITIONS = {
  /** A supervisor other than the proposer approved it: it is broadcast. */
  approve: { from: ['proposed'], to: 'active' },
  /** An officer withdrew it, before or after approval. */
  cancel: { from: ['proposed', 'active'], to: 'ended' },
  /** Its window ran out. */
  expire: { from: ['active'], to: 'ended' },
  /**
   * The child was found. A proposal still waiting for approval ends the same
   * way (the case is resolved all the same), so closing it reads "found".
   */
  resolved: { from: ['proposed', 'active'], to: 'ended' },
  /** A supervisor added hours to its window. */
  extend: { from: ['active'], to: 'active' },
  /** Its next ring was enqueued. */
  widen: { from: ['active'], to: 'active' },
} as const satisfies Record<string, { from: readonly AlertState[]; to: AlertState }>;
export type AlertTransitionName = keyof typeof ALERT_TRANSITIONS;

/** The transitions that end an alert, by the reason its closing message gives. */
export const END_TRANSITIONS = {
  cancelled: 'cancel',
  expired: 'expire',
  resolved: 'resolved',
} as const satisfies Record<AlertEndReason, AlertTransitionName>;

/** Whether `name` may be applied to an alert in `state`. */
export function mayApply(name: AlertTransitionName, state: AlertState): boolean {
  const from: readonly AlertState[] = ALERT_TRANSITIONS[name].from;
  return from.includes(state);
}

/**
 * The states a guarded update accepts: those `name` leaves, narrowed to
 * `only` when the caller needs one of them (an end decided by the write that
 * ends it). Empty when `only` is not one the transition leaves.
 */
export function guardStates(name: AlertTransitionName, only?: AlertState): AlertState[] {
  const from: readonly AlertState[] = ALERT_TRANSITIONS[name].from;
  if (only === undefined) return [...from];
  return from.includes(only) ? [only] : [];
}

/**
 * A transition as a store applies it: which one, what the alert must still
 * look like (besides its state), what changes, and the CAP message written
 * in the same update.
 */
export interface AlertChange {
  transition: AlertTransitionName;
  /** One of the transition's `from` states, when only that one will do. */
  from?: AlertState;
  /** The alert must still have this many stages enqueued (two instances widening at once). */
  stagesQueued?: number;
  /** The alert must still expire at this time (an extension made meanwhile wins over expiry). */
  expiresAt?: Date | null;
  set: Partial<Omit<Alert, '_id' | 'state'>>;
  cap?: CapRecord;
}

/**
 * The next CAP message of an alert's chain. Its identifier says what it is
 * (`-alert`, `-stage2`, `-cancel`), so two instances writing the same step
 * write the same identifier, never two that clash.
 */
export function capRecord(
  alert: Pick<Alert, '_id'>,
  msgType: CapRecord['msgType'],
  now: Date,
  stage: number,
): CapRecord {
  const step = msgType === 'Alert' ? 'alert' : msgType === 'Update' ? `stage${stage}` : 'cancel';
  return {
    identifier: `tifli-${alert._id}-${step}`,
    msgType,
    sent: now.toISOString(),
    stage,
  };
}

/**
 * How long a claim on a case's one open alert may wait for its alert to be
 * stored before it counts as the leftover of a proposal that crashed between
 * the two writes (and may be taken over).
 */
export const OPEN_ALERT_CLAIM_GRACE_MS = 60_000;
