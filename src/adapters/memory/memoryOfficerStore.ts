import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { OfficerStore } from '../../app/ports/officerStore.js';
import { AppError } from '../../core/errors.js';
import {
  counterForgotten,
  DEFAULT_LOGIN_THROTTLE,
  type LoginCounter,
  type LoginKey,
  type LoginReservation,
  type LoginStanding,
  type LoginThrottle,
  loginAllowance,
  loginKeyName,
  loginStanding,
  SESSION_IDLE_MS,
} from '../../core/loginThrottle.js';
import type { Officer, Role } from '../../core/officer.js';

/** A salted scrypt hash: enough for tests, and what node:crypto offers without a dependency. */
function passwordHash(
  password: string,
  salt: Buffer = randomBytes(16),
): { salt: Buffer; hash: Buffer } {
  return { salt, hash: scryptSync(password, salt, 32) };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Officers, their sessions and the login throttle in process memory, for unit
 * tests and benchmarks; the throttle follows the same rule as the stored one.
 * Not for production: nothing survives a restart.
 */
export class MemoryOfficerStore implements OfficerStore {
  private readonly officers = new Map<string, Officer & { salt: Buffer; hash: Buffer }>();
  /** By sha256 of the token, as the stored sessions are. */
  private readonly sessions = new Map<
    string,
    { username: string; csrfToken: string; expiresAt: Date }
  >();
  private readonly counters = new Map<string, LoginCounter>();
  /** Checked against when the username is unknown, so timing does not reveal who exists. */
  private readonly decoy = passwordHash(randomBytes(16).toString('hex'));

  constructor(
    private readonly clock: () => Date = () => new Date(),
    private readonly rules: LoginThrottle = DEFAULT_LOGIN_THROTTLE,
  ) {}

  async create(input: {
    username: string;
    password: string;
    role: Role;
    region: string;
  }): Promise<Officer> {
    if (this.officers.has(input.username))
      throw new AppError('conflict', `officer ${input.username} already exists`);
    const officer = { username: input.username, role: input.role, region: input.region };
    this.officers.set(input.username, { ...officer, ...passwordHash(input.password) });
    return officer;
  }

  async find(username: string): Promise<Officer | null> {
    const found = this.officers.get(username);
    return found ? { username: found.username, role: found.role, region: found.region } : null;
  }

  async list(): Promise<Officer[]> {
    return [...this.officers.values()]
      .map((found) => ({ username: found.username, role: found.role, region: found.region }))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  async verifyPassword(username: string, password: string): Promise<Officer | null> {
    const found = this.officers.get(username);
    const stored = found ?? this.decoy;
    const ok = timingSafeEqual(passwordHash(password, stored.salt).hash, stored.hash);
    return found && ok ? this.find(username) : null;
  }

  async openSession(username: string): Promise<{ token: string; csrfToken: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock().getTime() + SESSION_IDLE_MS);
    this.sessions.set(sha256(token), { username, csrfToken, expiresAt });
    return { token, csrfToken };
  }

  /** The officer behind a session token, if the session is alive; using it extends it. */
  async resumeSession(token: string): Promise<{ officer: Officer; csrfToken: string } | null> {
    const session = this.sessions.get(sha256(token));
    const now = this.clock().getTime();
    if (!session || session.expiresAt.getTime() <= now) return null;
    const officer = await this.find(session.username);
    if (!officer) return null;
    session.expiresAt = new Date(now + SESSION_IDLE_MS);
    return { officer, csrfToken: session.csrfToken };
  }

  async closeSession(token: string): Promise<void> {
    this.sessions.delete(sha256(token));
  }

  async sessionAlive(token: string): Promise<boolean> {
    const session = this.sessions.get(sha256(token));
    return session !== undefined && session.expiresAt.getTime() > this.clock().getTime();
  }

  /** The same rule as the stored throttle, checked and counted with no `await` in between. */
  async reserveLoginAttempt(key: LoginKey): Promise<LoginReservation> {
    const name = loginKeyName(key);
    const now = this.clock();
    const found = this.counters.get(name) ?? null;
    const counter: LoginCounter =
      found && !counterForgotten(found, now, this.rules)
        ? found
        : { failures: 0, lastFailureAt: now, slotAt: null };
    this.counters.set(name, counter);
    if (counter.failures < loginAllowance(key, this.rules)) {
      counter.failures++;
      counter.lastFailureAt = now;
      return { ok: true, attempt: counter.failures, pastAllowance: false };
    }
    if (key.kind === 'address') {
      const left = this.rules.windowMs - (now.getTime() - counter.lastFailureAt.getTime());
      return { ok: false, retryAfterMs: Math.max(left, 1) };
    }
    counter.slotAt ??= new Date(now.getTime() + this.rules.maxDelayMs);
    if (counter.slotAt.getTime() <= now.getTime()) {
      counter.failures++;
      counter.lastFailureAt = now;
      counter.slotAt = new Date(now.getTime() + this.rules.maxDelayMs);
      return { ok: true, attempt: counter.failures, pastAllowance: true };
    }
    return { ok: false, retryAfterMs: Math.max(1, counter.slotAt.getTime() - now.getTime()) };
  }

  async releaseLoginAttempt(key: LoginKey): Promise<void> {
    const counter = this.counters.get(loginKeyName(key));
    if (counter && counter.failures > 0) counter.failures--;
  }

  async clearLoginFailures(key: LoginKey): Promise<boolean> {
    return this.counters.delete(loginKeyName(key));
  }

  async loginStanding(key: LoginKey): Promise<LoginStanding> {
    const counter = this.counters.get(loginKeyName(key)) ?? null;
    return loginStanding(key, counter, this.clock(), this.rules);
  }

  async purgeExpiredSessions(now: Date): Promise<number> {
    let removed = 0;
    for (const [id, session] of this.sessions) {
      if (session.expiresAt.getTime() >= now.getTime()) continue;
      this.sessions.delete(id);
      removed++;
    }
    return removed;
  }
}
