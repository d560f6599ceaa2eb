import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_IDLE_MS } from '../../src/core/loginThrottle.js';
import { listen } from '../support/listen.js';
import { type Session, signIn } from '../support/officerSession.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * Live events kept flowing after the officer signed out. A stream now ends
 * with its session: at once on sign-out, and at the next session check when
 * the session expired or was closed on another instance. Checking does not
 * extend the session, so an open tab does not keep an officer signed in.
 */

const REGION = 'casablanca-settat';
let h: TestApp;
let base: string;

beforeAll(async () => {
  h = await createTestApp({ http: { liveEventSessionCheckMs: 20 } });
  base = `http://127.0.0.1:${await listen(h.app)}`;
});
afterAll(() => h.close());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An open event stream: what it has received so far, and whether the server ended it. */
async function openStream(session: Session) {
  const response = await fetch(`${base}/api/events`, { headers: { cookie: session.cookie } });
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toContain('no-store');
  const body = response.body;
  if (!body) throw new Error('no stream');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let received = '';
  let ended = false;
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += decoder.decode(value);
    }
    ended = true;
  })();
  return {
    received: () => received,
    ended: () => ended,
    /** Resolves when the server has closed the stream (the test times out otherwise). */
    closedByServer: () => reading,
    /** Resolves when `text` has arrived. */
    async until(text: string) {
      while (!received.includes(text)) {
        if (ended) throw new Error(`stream ended before ${text}`);
        await pause(10);
      }
    },
    cancel: () => reader.cancel(),
  };
}

const event = (caseId: string) => ({ type: 'updated' as const, caseId, region: REGION });
const tokenOf = (session: Session) => session.cookie.slice(session.cookie.indexOf('=') + 1);

describe('a live-event stream', () => {
  it('ends when its officer signs out, and nothing flows after', async () => {
    const session = await signIn(h.app, 'o.lahlou', 'officer', REGION);
    const stream = await openStream(session);
    await stream.until('retry:');
    h.app.events.publish(event('case-before-logout'));
    await stream.until('case-before-logout');

    const signedOut = await fetch(`${base}/api/session`, {
      method: 'DELETE',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    expect(signedOut.status).toBe(204);
    await stream.closedByServer();
    h.app.events.publish(event('case-after-logout'));
    expect(stream.ended()).toBe(true);
    expect(stream.received()).not.toContain('case-after-logout');
    expect(h.app.http.sessionStreams.size).toBe(0);
  });

  it('ends when the session is closed elsewhere (another instance signed it out)', async () => {
    const session = await signIn(h.app, 'i.skalli', 'officer', REGION);
    const stream = await openStream(session);
    await stream.until('retry:');
    await h.app.officers.closeSession(tokenOf(session));
    await stream.closedByServer();
    expect(stream.ended()).toBe(true);
  });

  it('does not keep its session alive, and ends when the session expires', async () => {
    const session = await signIn(h.app, 'b.naciri', 'officer', REGION);
    const stream = await openStream(session);
    await stream.until('retry:');
    h.clock.advance(SESSION_IDLE_MS - 60 * 60_000);
    // Many session checks run while the officer does nothing else.
    await pause(200);
    expect(stream.ended()).toBe(false);
    h.app.events.publish(event('case-while-idle'));
    await stream.until('case-while-idle');
    // Two more hours without a request: past the idle limit counted from the last real use.
    h.clock.advance(2 * 60 * 60_000);
    await stream.closedByServer();
    expect(await h.app.officers.resumeSession(tokenOf(session))).toBeNull();
  });
});
