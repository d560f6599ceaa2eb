/**
 * How login attempts are limited. Every attempt is counted (reserved) before
 * its password is checked, per address and per account:
 * - an **address** has an allowance of `maxFailures × addressScale` attempts
 *   in the window; past it, that address is refused until the window passes
 *   (a lock-out, but only of the address that failed);
 * - an **account** is only ever slowed down, never locked: its first
 *   `maxFailures` attempts wait a doubling delay (from `baseDelayMs` up to
 *   `maxDelayMs`), and past them one attempt per `maxDelayMs` is checked,
 *   whatever address it comes from. Nobody can keep an officer out for longer
 *   than that period by failing on purpose.
 * A success forgets the account's count and gives the address its attempt back.
 */
export interface LoginThrottle {
  /** The delay of an account's second attempt in the window; it doubles with each one. */
  baseDelayMs: number;
  /** The longest delay; past the account's allowance, one attempt per this period is checked. */
  maxDelayMs: number;
  /** An account's attempts in the window before it is down to one per `maxDelayMs`. */
  maxFailures: number;
  /** An address may be a whole station behind one NAT: it gets this many times more. */
  addressScale: number;
  /** Attempts are forgotten after this quiet period. */
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottle = {
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  maxFailures: 10,
  addressScale: 5,
  windowMs: 15 * 60_000,
};

/** How long a session lives without being used. */
export const SESSION_IDLE_MS = 8 * 3_600_000;

/** What login attempts are counted against. */
export type LoginKey = { kind: 'account'; username: string } | { kind: 'address'; address: string };

/** The key as stored (hashed by the stores, so no address is kept in clear). */
export function loginKeyName(key: LoginKey): string {
  switch (key.kind) {
    case 'account':
      return `user:${key.username}`;
    case 'address':
      return `ip:${key.address}`;
    default: {
      const unknown: never = key;
      throw new Error(`unknown login key ${String(unknown)}`);
    }
  }
}

/** How many attempts a key may make in the window before the rule past the allowance applies. */
export function loginAllowance(key: LoginKey, rules: LoginThrottle): number {
  return key.kind === 'address' ? rules.maxFailures * rules.addressScale : rules.maxFailures;
}

/**
 * The outcome of counting one attempt: its rank in the window (the first is
 * 1), or how long the caller must wait before trying again.
 */
export type LoginReservation =
  | { ok: true; attempt: number; pastAllowance: boolean }
  | { ok: false; retryAfterMs: number };

/** A key's count as a store keeps it. */
export interface LoginCounter {
  /** Attempts counted in the window (failures and attempts being checked). */
  failures: number;
  /** When the last attempt was counted. */
  lastFailureAt: Date;
  /** Past an account's allowance: when its next attempt may be checked. */
  slotAt?: Date | null;
}

/** Whether a counter is old enough to be forgotten: the next attempt starts again at 1. */
export const counterForgotten = (
  counter: LoginCounter | null,
  now: Date,
  rules: LoginThrottle,
): boolean => !counter || now.getTime() - counter.lastFailureAt.getTime() > rules.windowMs;

/** How long an account's attempt of this rank waits before its password is checked. */
export function accountDelayMs(
  reservation: { attempt: number; pastAllowance: boolean },
  rules: LoginThrottle,
): number {
  // Past the allowance the slot itself was the wait.
  if (reservation.pastAllowance || reservation.attempt <= 1) return 0;
  return Math.min(rules.maxDelayMs, rules.baseDelayMs * 2 ** (reservation.attempt - 2));
}

/** Where a key stands, for the console and the CLI. */
export interface LoginStanding {
  failures: number;
  /** An address refused until the window passes. */
  lockedForMs: number;
  /** An account past its allowance: one attempt per `maxDelayMs`. */
  slowed: boolean;
}

/** A key's standing from its counter. */
export function loginStanding(
  key: LoginKey,
  counter: LoginCounter | null,
  now: Date,
  rules: LoginThrottle,
): LoginStanding {
  if (!counter || counterForgotten(counter, now, rules))
    return { failures: 0, lockedForMs: 0, slowed: false };
  const past = counter.failures >= loginAllowance(key, rules);
  const remaining = rules.windowMs - (now.getTime() - counter.lastFailureAt.getTime());
  return {
    failures: counter.failures,
    lockedForMs: past && key.kind === 'address' ? remaining : 0,
    slowed: past && key.kind === 'account',
  };
}
