import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../src/adapters/http/jsonBody.js';
import { sentence } from '../support/chat.js';
import { errorOf, listen } from '../support/listen.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * 500,000 nested arrays fit in 1 MB, and `JSON.parse` of them blocked the
 * whole process for seconds per request, before any authentication. The
 * depth is now read on the raw text before parsing, on every route.
 */

let h: TestApp;
let base: string;
const FLOOD_DEPTH = 500_000;
const flood = `${'['.repeat(FLOOD_DEPTH)}${']'.repeat(FLOOD_DEPTH)}`;

beforeAll(async () => {
  h = await createTestApp();
  base = `http://127.0.0.1:${await listen(h.app)}`;
});
afterAll(() => h.close());

const post = (path: string, body: string, language = 'fr') =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': language },
    body,
  });

describe('a deeply nested JSON body', () => {
  it('of 500,000 levels in 1 MB is a localized 400 on a real socket, while /healthz answers', async () => {
    expect(Buffer.byteLength(flood)).toBe(1_000_000);
    // Several floods at once, on unauthenticated routes, and a health probe among them.
    const floods = ['/api/session', '/dev/messages', '/api/session', '/dev/messages'].map((path) =>
      post(path, flood),
    );
    const health = fetch(`${base}/healthz`);
    const answers = await Promise.all(floods);
    const probe = await health;
    expect(probe.status).toBe(200);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(await errorOf(answer)).toEqual({
        code: 'bad_request',
        message: sentence(h.app, 'fr', 'http:too_deep', { max: String(MAX_JSON_DEPTH) }),
      });
    }
    const arabic = await post('/api/session', flood, 'ar');
    expect((await errorOf(arabic)).message).toBe(
      sentence(h.app, 'ar', 'http:too_deep', { max: String(MAX_JSON_DEPTH) }),
    );
  });

  it('is refused one level past the limit, and a body at the limit is parsed', async () => {
    const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
    const over = await post('/api/session', nested(MAX_JSON_DEPTH + 1));
    expect(over.status).toBe(400);
    expect((await errorOf(over)).message).toBe(
      sentence(h.app, 'fr', 'http:too_deep', { max: String(MAX_JSON_DEPTH) }),
    );
    // At the limit the body is parsed and the route's schema answers (no such fields).
    const at = await post('/api/session', nested(MAX_JSON_DEPTH));
    expect(at.status).toBe(400);
    expect((await errorOf(at)).fields).toBeDefined();
  });

  it('counts brackets inside strings as text, and keeps the parser’s other refusals', async () => {
    expect(nestsDeeperThan(JSON.stringify({ text: '['.repeat(100) }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ text: '\\"[[[[' }), 1)).toBe(false);
    expect(nestsDeeperThan('[[[', 2)).toBe(true);
    // Prototype poisoning is still refused by fastify's own parser behind the depth check.
    const poisoned = await post('/api/session', '{"__proto__":{"admin":true}}');
    expect(poisoned.status).toBe(400);
    // Over the service's 1 MiB body limit: a localized 413.
    const big = await post('/api/session', JSON.stringify({ username: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
    expect(await errorOf(big)).toEqual({
      code: 'too_large',
      message: sentence(h.app, 'fr', 'common:http.too_large'),
    });
  });
});
