/** How failed logins slow down the next ones: doubling delays, then a lock-out. */
export interface LoginThrottle {
  /** The delay after the first failure; it doubles with each one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** From this many failures in the window, logins are refused until it passes. */
  maxFailures: number;
  /** Failed logins are forgotten after this quiet period. */
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottle = {
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  maxFailures: 10,
  windowMs: 15 * 60_000,
};

/** How long a session lives without being used. */
export const SESSION_IDLE_MS = 8 * 3_600_000;

/** A key's recent failed logins, as an officer store keeps them. */
export interface LoginFailures {
  failures: number;
  lastFailureAt: Date;
}

/** Whether a key's failures are old enough to be forgotten: the next one starts again at 1. */
export const failuresForgotten = (
  record: LoginFailures | null,
  now: Date,
  rules: LoginThrottle,
): boolean => !record || now.getTime() - record.lastFailureAt.getTime() > rules.windowMs;

/**
 * How long to wait before answering a login for a key (an account or an
 * address), growing with recent failures, or how long it is refused.
 * `scale` multiplies the allowance: an address may be a whole station behind
 * one NAT, so it gets more failures than one account.
 */
export function loginVerdict(
  record: LoginFailures | null,
  now: Date,
  rules: LoginThrottle,
  scale = 1,
): { delayMs: number } | { refusedForMs: number } {
  if (!record || failuresForgotten(record, now, rules)) return { delayMs: 0 };
  const quiet = now.getTime() - record.lastFailureAt.getTime();
  if (record.failures >= rules.maxFailures * scale) return { refusedForMs: rules.windowMs - quiet };
  const failures = Math.ceil(record.failures / scale);
  return { delayMs: Math.min(rules.maxDelayMs, rules.baseDelayMs * 2 ** (failures - 1)) };
}
