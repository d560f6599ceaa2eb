import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Session, signIn } from '../support/officerSession.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * Someone fails on purpose to keep an officer out. An address that keeps
 * failing is locked out (50 attempts in the tests' throttle); the account is
 * only slowed down, so the right password from another address still signs
 * in, at worst after one short period (5 ms in the tests' throttle).
 */
let h: TestApp;
const PASSWORD = 'an invented long passphrase 9';
const ATTACKER = '203.0.113.66';
const STATION = '198.51.100.40';
let supervisor: Session;

const attempt = (username: string, password: string, address: string) =>
  h.app.http.inject({
    method: 'POST',
    url: '/api/session',
    payload: { username, password },
    remoteAddress: address,
    headers: { 'accept-language': 'fr' },
  });

beforeAll(async () => {
  h = await createTestApp();
  await h.app.officers.create({
    username: 'lock.victim',
    password: PASSWORD,
    role: 'officer',
    region: 'oriental',
  });
  supervisor = await signIn(h.app, 'lock.supervisor', 'supervisor', 'oriental');
});
afterAll(() => h.close());

describe('a lock-out attempt', () => {
  it('does not keep the officer out: the right password from another address signs in', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await attempt('lock.victim', `wrong ${i}`, ATTACKER)).statusCode).toBe(401);
    }
    // The account is past its allowance: the attacker gets one try per period…
    const slowed = await attempt('lock.victim', 'wrong again', ATTACKER);
    expect(slowed.statusCode).toBe(429);
    expect(slowed.json<{ error: { message: string } }>().error.message).toMatch(/secondes/);
    // …and so does the officer, whose right password then signs in, from anywhere.
    h.clock.advance(5);
    const signedIn = await attempt('lock.victim', PASSWORD, STATION);
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    // A success forgets the account's failures: the next wrong password is checked at once.
    expect((await attempt('lock.victim', 'wrong once more', STATION)).statusCode).toBe(401);
  });

  it('locks out the address that keeps failing, not the others; a supervisor lifts it', async () => {
    // 50 guesses on 50 invented accounts from one address: its allowance.
    const attacker = '203.0.113.77';
    for (let i = 0; i < 50; i++) {
      expect((await attempt(`guess.${i}`, 'a guess', attacker)).statusCode).toBe(401);
    }
    const locked = await attempt('lock.victim', PASSWORD, attacker);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(60);
    expect((await attempt('lock.victim', PASSWORD, STATION)).statusCode).toBe(200);

    const lifted = await api(h.app, supervisor, 'POST', '/api/login-locks/unlock', {
      address: attacker,
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(lifted.json()).toEqual({ unlocked: true });
    expect((await attempt('lock.victim', PASSWORD, attacker)).statusCode).toBe(200);
    const audit = await h.connection
      .collection<{ action: string; actor: string; details: Record<string, unknown> }>('audit')
      .findOne({ action: 'login.address_unlocked' });
    expect(audit).toMatchObject({ actor: 'lock.supervisor', details: { address: attacker } });
  });

  it("shows supervisors their region's slowed accounts and lets them unlock one, audited", async () => {
    for (let i = 0; i < 11; i++) await attempt('lock.victim', `wrong ${i}`, STATION);
    const listed = await api(h.app, supervisor, 'GET', '/api/officers');
    expect(listed.statusCode).toBe(200);
    const victim = listed
      .json<{ officers: Array<{ username: string; login: { slowed: boolean } }> }>()
      .officers.find((o) => o.username === 'lock.victim');
    expect(victim?.login.slowed).toBe(true);
    const unlocked = await api(h.app, supervisor, 'POST', '/api/officers/lock.victim/unlock');
    expect(unlocked.json()).toEqual({ unlocked: true });
    expect((await attempt('lock.victim', PASSWORD, STATION)).statusCode).toBe(200);

    // Another region's supervisor, and an officer, cannot.
    const elsewhere = await signIn(h.app, 'far.supervisor', 'supervisor', 'souss-massa');
    expect(
      (await api(h.app, elsewhere, 'POST', '/api/officers/lock.victim/unlock')).statusCode,
    ).toBe(404);
    const plain = await signIn(h.app, 'plain.officer', 'officer', 'oriental');
    expect((await api(h.app, plain, 'GET', '/api/officers')).json()).toEqual({ officers: [] });
    expect(
      (await api(h.app, plain, 'POST', '/api/login-locks/unlock', { address: STATION })).statusCode,
    ).toBe(404);
  });
});
