import type { Officer, Role } from '../../core/officer.js';

/** How failed logins slow down, then lock out (the rule is the core's, shared by every store). */
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
  loginDelay(key: string, scale?: number): Promise<{ delayMs: number } | { refusedForMs: number }>;
  recordLoginFailure(key: string): Promise<void>;
  clearLoginFailures(key: string): Promise<void>;
  purgeExpiredSessions(now: Date): Promise<number>;
}
