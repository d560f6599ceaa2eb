import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryOfficerStore } from '../../src/adapters/memory/memoryOfficerStore.js';
import { MongoOfficerRepository } from '../../src/adapters/mongo/officerRepository.js';
import type { LoginThrottle, OfficerStore } from '../../src/app/ports/officerStore.js';
import { SESSION_IDLE_MS } from '../../src/core/loginThrottle.js';
import type { Officer } from '../../src/core/officer.js';
import { type Backend, describeContract } from './backends.js';

/** Failed logins slow down in milliseconds here, as in the app-level tests. */
const THROTTLE: LoginThrottle = {
  baseDelayMs: 1,
  maxDelayMs: 5,
  maxFailures: 10,
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

  it('slows logins down with each failure, then refuses them until the window passes', async () => {
    const key = `account:${username}`;
    expect(await officers.loginDelay(key)).toEqual({ delayMs: 0 });
    const delays: unknown[] = [];
    for (let failure = 1; failure <= 4; failure++) {
      await officers.recordLoginFailure(key);
      delays.push(await officers.loginDelay(key));
    }
    expect(delays).toEqual([{ delayMs: 1 }, { delayMs: 2 }, { delayMs: 4 }, { delayMs: 5 }]);
    for (let failure = 5; failure <= THROTTLE.maxFailures; failure++) {
      await officers.recordLoginFailure(key);
    }
    advance(60_000);
    expect(await officers.loginDelay(key)).toEqual({ refusedForMs: THROTTLE.windowMs - 60_000 });
    // An address gets a larger allowance (a station behind one NAT).
    expect(await officers.loginDelay(key, 2)).toEqual({ delayMs: THROTTLE.maxDelayMs });
    expect(await officers.loginDelay(`account:${username}.other`)).toEqual({ delayMs: 0 });
    advance(THROTTLE.windowMs);
    expect(await officers.loginDelay(key)).toEqual({ delayMs: 0 });
    // Failures after a quiet window count from one again.
    await officers.recordLoginFailure(key);
    expect(await officers.loginDelay(key)).toEqual({ delayMs: 1 });
  });

  it('forgets the failures once a login succeeds', async () => {
    const key = `account:${username}`;
    for (let failure = 1; failure <= THROTTLE.maxFailures; failure++) {
      await officers.recordLoginFailure(key);
    }
    expect(await officers.loginDelay(key)).toHaveProperty('refusedForMs');
    await officers.clearLoginFailures(key);
    expect(await officers.loginDelay(key)).toEqual({ delayMs: 0 });
    await officers.recordLoginFailure(key);
    expect(await officers.loginDelay(key)).toEqual({ delayMs: 1 });
  });
});
