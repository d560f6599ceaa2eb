import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryOfficerStore } from '../../src/adapters/memory/memoryOfficerStore.js';
import { MongoOfficerRepository } from '../../src/adapters/mongo/officerRepository.js';
import type { LoginThrottle, OfficerStore } from '../../src/app/ports/officerStore.js';
import { type LoginKey, SESSION_IDLE_MS } from '../../src/core/loginThrottle.js';
import type { Officer } from '../../src/core/officer.js';
import { type Backend, describeContract } from './backends.js';

/** Failed logins slow down in milliseconds here, as in the app-level tests. */
const THROTTLE: LoginThrottle = {
  baseDelayMs: 1,
  maxDelayMs: 5,
  maxFailures: 10,
  addressScale: 2,
  windowMs: 15 * 60_000,
};

function officersFor(backend: Backend, clock: () => Date): OfficerStore {
  switch (backend.kind) {
    case 'memory':
      return new MemoryOfficerStore(clock, THROTTLE);
    case 'embedded':
    case 'mongo':
      return new MongoOfficerRepository(backend.connection, clock, THROTTLE);
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

/** No sessions left from earlier tests: the purge counts them all. */
async function withoutSessions(backend: Backend): Promise<void> {
  if (backend.kind === 'memory') return;
  await backend.connection.collection('sessions').deleteMany({});
}

const START = new Date('2026-11-28T16:00:00Z');
const PASSWORD = 'correct horse battery staple';

describeContract('OfficerStore', (backend) => {
  let officers: OfficerStore;
  let now: Date;
  let username: string;
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  beforeEach(async () => {
    await withoutSessions(backend());
    now = START;
    officers = officersFor(backend(), () => now);
    // An invented login, new for each test (the suite shares one database).
    username = `officer.${randomUUID().slice(0, 8)}`;
  });

  it('creates an officer, finds them, and refuses a second account of the same name', async () => {
    const officer: Officer = { username, role: 'officer', region: 'casablanca-settat' };
    expect(await officers.create({ ...officer, password: PASSWORD })).toEqual(officer);
    expect(await officers.find(username)).toEqual(officer);
    expect(await officers.find(`${username}.x`)).toBeNull();
    await expect(
      officers.create({ ...officer, role: 'admin', password: `${PASSWORD}!` }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await officers.find(username)).toEqual(officer);
  });

  it('verifies the right password only, and nothing for an unknown officer', async () => {
    await officers.create({ username, password: PASSWORD, role: 'supervisor', region: 'rabat' });
    expect(await officers.verifyPassword(username, PASSWORD)).toEqual({
      username,
      role: 'supervisor',
      region: 'rabat',
    });
    expect(await officers.verifyPassword(username, `${PASSWORD} `)).toBeNull();
    expect(await officers.verifyPassword(`${username}.nobody`, PASSWORD)).toBeNull();
  });

  it('opens, resumes and closes a session', async () => {
    await officers.create({ username, password: PASSWORD, role: 'officer', region: 'rabat' });
    const { token, csrfToken } = await officers.openSession(username);
    const other = await officers.openSession(username);
    expect(token).not.toBe(other.token);
    expect(await officers.resumeSession(token)).toEqual({
      officer: { username, role: 'officer', region: 'rabat' },
      csrfToken,
    });
    await officers.closeSession(token);
    expect(await officers.resumeSession(token)).toBeNull();
    expect((await officers.resumeSession(other.token))?.csrfToken).toBe(other.csrfToken);
    expect(await officers.resumeSession('not-a-token')).toBeNull();
  });

  it('ends a session left idle, keeps one in use, and purges the expired ones', async () => {
    await officers.create({ username, password: PASSWORD, role: 'officer', region: 'rabat' });
    const idle = await officers.openSession(username);
    const used = await officers.openSession(username);
    advance(SESSION_IDLE_MS - 10 * 60_000);
    expect(await officers.resumeSession(used.token)).not.toBeNull();
    advance(20 * 60_000);
    expect(await officers.resumeSession(idle.token)).toBeNull();
    expect(await officers.resumeSession(used.token)).not.toBeNull();
    expect(await officers.purgeExpiredSessions(now)).toBe(1);
    expect(await officers.purgeExpiredSessions(now)).toBe(0);
    expect(await officers.resumeSession(used.token)).not.toBeNull();
  });

  it('counts an account up to its allowance, then lets one attempt through per period, never locking it', async () => {
    const key: LoginKey = { kind: 'account', username };
    const ranks: unknown[] = [];
    for (let attempt = 1; attempt <= THROTTLE.maxFailures; attempt++) {
      ranks.push(await officers.reserveLoginAttempt(key));
    }
    expect(ranks).toEqual(
      Array.from({ length: THROTTLE.maxFailures }, (_, i) => ({
        ok: true,
        attempt: i + 1,
        pastAllowance: false,
      })),
    );
    // Past the allowance: the first slot opens one period later, then one per period.
    expect(await officers.reserveLoginAttempt(key)).toEqual({
      ok: false,
      retryAfterMs: THROTTLE.maxDelayMs,
    });
    advance(THROTTLE.maxDelayMs);
    expect(await officers.reserveLoginAttempt(key)).toEqual({
      ok: true,
      attempt: THROTTLE.maxFailures + 1,
      pastAllowance: true,
    });
    expect(await officers.reserveLoginAttempt(key)).toEqual({
      ok: false,
      retryAfterMs: THROTTLE.maxDelayMs,
    });
    expect(await officers.loginStanding(key)).toEqual({
      failures: THROTTLE.maxFailures + 1,
      lockedForMs: 0,
      slowed: true,
    });
    // Another account is untouched; a quiet window forgets everything.
    expect(
      await officers.reserveLoginAttempt({ kind: 'account', username: `${username}.other` }),
    ).toMatchObject({ ok: true, attempt: 1 });
    advance(THROTTLE.windowMs + 1);
    expect(await officers.reserveLoginAttempt(key)).toEqual({
      ok: true,
      attempt: 1,
      pastAllowance: false,
    });
  });

  it('locks an address out past its larger allowance until the window passes', async () => {
    const key: LoginKey = {
      kind: 'address',
      address: `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
    };
    await officers.clearLoginFailures(key);
    const allowance = THROTTLE.maxFailures * THROTTLE.addressScale;
    for (let attempt = 1; attempt <= allowance; attempt++) {
      expect(await officers.reserveLoginAttempt(key)).toMatchObject({ ok: true, attempt });
    }
    advance(60_000);
    expect(await officers.reserveLoginAttempt(key)).toEqual({
      ok: false,
      retryAfterMs: THROTTLE.windowMs - 60_000,
    });
    expect(await officers.loginStanding(key)).toEqual({
      failures: allowance,
      lockedForMs: THROTTLE.windowMs - 60_000,
      slowed: false,
    });
    // A given-back attempt (a success) makes room for one more.
    await officers.releaseLoginAttempt(key);
    expect(await officers.reserveLoginAttempt(key)).toMatchObject({ ok: true, attempt: allowance });
    // An unlock forgets them all.
    expect(await officers.clearLoginFailures(key)).toBe(true);
    expect(await officers.clearLoginFailures(key)).toBe(false);
    expect(await officers.reserveLoginAttempt(key)).toMatchObject({ ok: true, attempt: 1 });
  });

  it('counts no more than the allowance when 25 attempts race', async () => {
    const key: LoginKey = { kind: 'account', username };
    const results = await Promise.all(
      Array.from({ length: 25 }, () => officers.reserveLoginAttempt(key)),
    );
    const counted = results.filter((r) => r.ok);
    expect(counted).toHaveLength(THROTTLE.maxFailures);
    // Ranks within the allowance (mongo-java-server may give one rank twice under
    // concurrent `$inc`s; MongoDB and the embedded FerretDB give each once).
    for (const r of counted) expect(r.ok && r.attempt <= THROTTLE.maxFailures).toBe(true);
  });

  it('lists the officers by username, without their password hashes', async () => {
    await officers.create({
      username: `${username}.b`,
      password: PASSWORD,
      role: 'officer',
      region: 'oriental',
    });
    await officers.create({
      username: `${username}.a`,
      password: PASSWORD,
      role: 'supervisor',
      region: 'oriental',
    });
    const listed = (await officers.list()).filter((o) => o.username.startsWith(username));
    expect(listed).toEqual([
      { username: `${username}.a`, role: 'supervisor', region: 'oriental' },
      { username: `${username}.b`, role: 'officer', region: 'oriental' },
    ]);
  });
});
