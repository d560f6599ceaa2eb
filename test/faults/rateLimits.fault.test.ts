import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaSignature } from '../../src/adapters/channels/cloud/fake/fakeMetaWebhook.js';
import { sentence } from '../support/chat.js';
import { CLOUD, fakeMeta, RecordingOutbox, RecordingSink } from '../support/cloudWebhook.js';
import { api, type Session, signIn, TEST_PASSWORD } from '../support/officerSession.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * `@fastify/rate-limit` on the API: per address for sign-in and the public
 * routes, per session (and per address) for the officer API; refusals are
 * the localized 429 of the error handler. The limits are lowered here so a
 * test reaches them; the service's defaults are generous.
 */

let h: TestApp;
let first: Session;
let second: Session;
const LIMITS = {
  windowMs: 60_000,
  loginPerAddress: 4,
  apiPerAddress: 1_000,
  apiPerSession: 5,
  publicPerAddress: 3,
};

beforeAll(async () => {
  h = await createTestApp({
    http: { httpRateLimits: LIMITS },
    whatsappCloud: {
      appSecret: CLOUD.appSecret,
      verifyToken: CLOUD.verifyToken,
      accessToken: CLOUD.accessToken,
      graphUrl: 'http://127.0.0.1:1',
      graphVersion: CLOUD.graphVersion,
      sink: new RecordingSink(),
      outbox: new RecordingOutbox(),
    },
  });
  // Two sign-ins from the test's own address (127.0.0.1), within its allowance.
  first = await signIn(h.app, 'k.idrissi', 'officer', 'casablanca-settat');
  second = await signIn(h.app, 'l.benjelloun', 'officer', 'casablanca-settat');
});
afterAll(() => h.close());

function expectTooMany(answer: Awaited<ReturnType<TestApp['app']['http']['inject']>>) {
  expect(answer.statusCode).toBe(429);
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  expect(answer.json()).toEqual({
    error: { code: 'too_many_attempts', message: sentence(h.app, 'ar', 'http:too_many_requests') },
  });
}

describe('rate limits', () => {
  it('sign-in: per address, whatever the account; another address is not affected', async () => {
    const login = (remoteAddress: string) =>
      h.app.http.inject({
        method: 'POST',
        url: '/api/session',
        remoteAddress,
        headers: { 'accept-language': 'ar' },
        payload: { username: 'k.idrissi', password: TEST_PASSWORD },
      });
    for (let i = 0; i < LIMITS.loginPerAddress; i++) {
      expect((await login('198.51.100.1')).statusCode).toBe(200);
    }
    expectTooMany(await login('198.51.100.1'));
    expect((await login('198.51.100.2')).statusCode).toBe(200);
  });

  it('officer API: per session; another officer at the same address goes on', async () => {
    for (let i = 0; i < LIMITS.apiPerSession; i++) {
      expect((await api(h.app, first, 'GET', '/api/cases')).statusCode).toBe(200);
    }
    const refused = await h.app.http.inject({
      method: 'GET',
      url: '/api/cases',
      headers: { cookie: first.cookie, 'accept-language': 'ar' },
    });
    expectTooMany(refused);
    expect((await api(h.app, second, 'GET', '/api/cases')).statusCode).toBe(200);
  });

  it('public alert documents: per address', async () => {
    const feed = (remoteAddress: string) =>
      h.app.http.inject({
        method: 'GET',
        url: '/alerts/feed.xml',
        remoteAddress,
        headers: { 'accept-language': 'ar' },
      });
    for (let i = 0; i < LIMITS.publicPerAddress; i++) {
      expect((await feed('203.0.113.9')).statusCode).toBe(200);
    }
    expectTooMany(await feed('203.0.113.9'));
    const cap = await h.app.http.inject({
      method: 'GET',
      url: '/alerts/no-such-alert.cap',
      remoteAddress: '203.0.113.9',
      headers: { 'accept-language': 'ar' },
    });
    expectTooMany(cap);
    expect((await feed('203.0.113.10')).statusCode).toBe(200);
  });

  it('health probes and the loopback dev channel are never limited', async () => {
    for (let i = 0; i < LIMITS.publicPerAddress * 3; i++) {
      const health = await h.app.http.inject({
        method: 'GET',
        url: '/healthz',
        remoteAddress: '203.0.113.9',
      });
      expect(health.statusCode).toBe(200);
      const outbox = await h.app.http.inject({
        method: 'GET',
        url: '/dev/outbox?to=%2B212600000901',
      });
      expect(outbox.statusCode).toBe(200);
    }
  });

  it("never limits Meta's webhook: every signed notification from its one address is stored", async () => {
    const meta = fakeMeta();
    for (let i = 0; i < LIMITS.publicPerAddress * 3; i++) {
      const notification = meta.notification([
        meta.message(
          { waId: `2126000009${String(i).padStart(2, '0')}` },
          { type: 'text', body: 'salam' },
        ),
      ]);
      const body = JSON.stringify(notification);
      const answer = await h.app.http.inject({
        method: 'POST',
        url: '/webhooks/whatsapp',
        remoteAddress: '203.0.113.20',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': metaSignature(body, CLOUD.appSecret),
        },
        payload: body,
      });
      expect(answer.statusCode, answer.body).toBe(200);
    }
  });
});
