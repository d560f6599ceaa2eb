import type { LoginKey, LoginReservation, LoginStanding } from '../../core/loginThrottle.js';
import type { Officer, Role } from '../../core/officer.js';

/** How login attempts are limited (the rule is the core's, shared by every store). */
export type { LoginThrottle } from '../../core/loginThrottle.js';

/** Police accounts, their sessions and the failed-login throttle. */
export interface OfficerStore {
  create(input: {
    username: string;
    password: string;
    role: Role;
    region: string;
  }): Promise<Officer>;
  find(username: string): Promise<Officer | null>;
  /** Every officer, by username (a few thousand at most: the supervisors' list). */
  list(): Promise<Officer[]>;
  /** The officer when the password is right; the same work is done when the account does not exist. */
  verifyPassword(username: string, password: string): Promise<Officer | null>;
  openSession(username: string): Promise<{ token: string; csrfToken: string }>;
  resumeSession(token: string): Promise<{ officer: Officer; csrfToken: string } | null>;
  closeSession(token: string): Promise<void>;
  /**
   * Whether a session is still open, without extending it: a live-event
   * stream asks this, and an open stream must not keep its session alive.
   */
  sessionAlive(token: string): Promise<boolean>;
  /**
   * Counts one login attempt against a key BEFORE its password is checked,
   * in one guarded single-document update: of many attempts at once, no more
   * than the allowance are counted in, whatever their number.
   */
  reserveLoginAttempt(key: LoginKey): Promise<LoginReservation>;
  /** Gives an attempt back (it was not checked after all, or an address's attempt succeeded). */
  releaseLoginAttempt(key: LoginKey): Promise<void>;
  /** Forgets a key's attempts (a success on an account, or an unlock); whether there were any. */
  clearLoginFailures(key: LoginKey): Promise<boolean>;
  /** Where a key stands now. */
  loginStanding(key: LoginKey): Promise<LoginStanding>;
  purgeExpiredSessions(now: Date): Promise<number>;
}
