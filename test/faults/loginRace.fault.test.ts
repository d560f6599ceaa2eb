import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * Guesses in parallel: every attempt is counted before its password is
 * checked, so a burst cannot get more checks than the allowance (10 per
 * account in the tests' throttle), and no more than 4 checks run at once.
 * Checks are counted on the real password verifier (argon2 on the embedded
 * FerretDB), wrapped by the test to count and to measure what runs at once.
 */
let h: TestApp;
let checks = 0;
let running = 0;
let mostAtOnce = 0;

beforeAll(async () => {
  h = await createTestApp();
  const verify = h.app.officers.verifyPassword.bind(h.app.officers);
  vi.spyOn(h.app.officers, 'verifyPassword').mockImplementation(async (username, password) => {
    checks++;
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    try {
      return await verify(username, password);
    } finally {
      running--;
    }
  });
});
afterAll(() => h.close());

const attempt = (username: string, password: string, address = '203.0.113.10') =>
  h.app.http.inject({
    method: 'POST',
    url: '/api/session',
    payload: { username, password },
    remoteAddress: address,
  });

describe('parallel login attempts', () => {
  it('checks at most 10 of 20 parallel wrong passwords for one account', async () => {
    await h.app.officers.create({
      username: 'race.victim',
      password: 'an invented long passphrase 1',
      role: 'officer',
      region: 'oriental',
    });
    checks = 0;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt('race.victim', `wrong guess ${i}`)),
    );
    expect(checks).toBeLessThanOrEqual(10);
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(checks);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - checks);
    expect(answers.find((a) => a.statusCode === 429)?.headers['retry-after']).toBeDefined();
  });

  it('checks at most 10 when the 20 guesses come from 20 addresses', async () => {
    await h.app.officers.create({
      username: 'race.victim2',
      password: 'an invented long passphrase 2',
      role: 'officer',
      region: 'oriental',
    });
    checks = 0;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        attempt('race.victim2', `wrong guess ${i}`, `198.51.100.${i + 1}`),
      ),
    );
    expect(checks).toBeLessThanOrEqual(10);
    expect(answers.filter((a) => a.statusCode === 401)).toHaveLength(checks);
  });

  it('runs at most 4 password checks at once, and turns away what cannot wait', async () => {
    checks = 0;
    mostAtOnce = 0;
    // 40 different accounts (unknown ones cost the same check) from 40 addresses.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        attempt(`nobody.${i}`, 'some guess', `192.0.2.${i + 1}`),
      ),
    );
    expect(mostAtOnce).toBeLessThanOrEqual(4);
    expect(mostAtOnce).toBeGreaterThan(0);
    const busy = answers.filter((a) => a.statusCode === 429);
    // 4 running and 16 waiting at most: the rest is told to come back.
    expect(checks).toBeLessThanOrEqual(40);
    expect(answers.filter((a) => a.statusCode === 401)).toHaveLength(checks);
    expect(busy.length + checks).toBe(40);
  });
});
