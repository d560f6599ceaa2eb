import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/adapters/http/console/consoleRoutes.js';
import { DOCS_CSP } from '../../src/adapters/http/docs/apiDocs.js';
import { say, UP_TO_PHOTO } from '../support/chat.js';
import { api, caseIdOf, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * Case JSON had no `Cache-Control: no-store`: a shared browser or a proxy
 * could keep a child's case. Every answer with personal data now says
 * no-store, whatever the route; the public alert documents keep their
 * caching; every answer carries helmet's security headers.
 */

let h: TestApp;
let officer: Session;
let caseId: string;
const FAMILY = '+212600000801';

beforeAll(async () => {
  h = await createTestApp();
  officer = await signIn(h.app, 'y.amrani', 'officer', 'casablanca-settat');
  caseId = await caseIdOf(h.app, await submitReport(h.app, FAMILY, { photo: true }));
});
afterAll(() => h.close());

type Answer = Awaited<ReturnType<TestApp['app']['http']['inject']>>;

function expectSecurityHeaders(answer: Answer) {
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  expect(answer.headers['referrer-policy']).toBe('no-referrer');
  expect(answer.headers['x-frame-options']).toBeDefined();
  expect(answer.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(answer.headers['x-powered-by']).toBeUndefined();
}

describe('answers with personal data', () => {
  it('of the officer API, sessions included, are no-store, errors too', async () => {
    const calls: Array<[string, string]> = [
      ['GET', '/api/session'],
      ['GET', '/api/cases'],
      ['GET', `/api/cases/${caseId}`],
      ['GET', `/api/cases/${caseId}/photo`],
      ['GET', `/api/cases/${caseId}/sightings`],
      ['GET', '/api/cases/no-such-case'],
      ['POST', `/api/cases/${caseId}/claim`],
    ];
    for (const [method, url] of calls) {
      const answer = await api(h.app, officer, method === 'GET' ? 'GET' : 'POST', url, {});
      expect(answer.headers['cache-control'], `${method} ${url} (${answer.statusCode})`).toBe(
        'no-store',
      );
      expectSecurityHeaders(answer);
    }
    const anonymous = await h.app.http.inject({ method: 'GET', url: '/api/cases' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['cache-control']).toBe('no-store');
    const login = await h.app.http.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'y.amrani', password: 'not the password at all' },
    });
    expect(login.headers['cache-control']).toBe('no-store');
  });

  it('of the dev channel are no-store', async () => {
    const from = '+212600000802';
    const message = await h.app.http.inject({
      method: 'POST',
      url: '/dev/messages',
      payload: { from, text: UP_TO_PHOTO[0] },
    });
    expect(message.statusCode).toBe(200);
    expect(message.headers['cache-control']).toBe('no-store');
    await say(h.app, from, 'stop');
    const outbox = await h.app.http.inject({
      method: 'GET',
      url: `/dev/outbox?to=${encodeURIComponent(FAMILY)}`,
    });
    expect(outbox.headers['cache-control']).toBe('no-store');
    expectSecurityHeaders(outbox);
  });
});

describe('public answers', () => {
  it('keep their caching, and the alert documents may be embedded by other sites', async () => {
    const feed = await h.app.http.inject({ method: 'GET', url: '/alerts/feed.xml' });
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['cache-control']).toBe('public, max-age=60');
    expect(feed.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expectSecurityHeaders(feed);
    const health = await h.app.http.inject({ method: 'GET', url: '/healthz' });
    expect(health.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it("keep the console's and the docs' own policies, which the console needs", async () => {
    const page = await h.app.http.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expectSecurityHeaders(page);
    // Every other answer carries the same policy, as helmet writes it.
    const json = await h.app.http.inject({ method: 'GET', url: '/healthz' });
    const directives = (policy: string) =>
      policy
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .sort();
    expect(directives(String(json.headers['content-security-policy']))).toEqual(
      directives(CONSOLE_CSP),
    );
    const docs = await h.app.http.inject({
      method: 'GET',
      url: '/docs',
      headers: { accept: 'text/html' },
    });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toBe(DOCS_CSP);
  });
});
