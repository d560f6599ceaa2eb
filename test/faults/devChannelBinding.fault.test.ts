import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { errorOf, listen } from '../support/listen.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The dev channel has no authentication and shows what officers wrote to
 * families. It used to listen on every interface unless NODE_ENV=production.
 * Now it answers only requests whose socket comes from this machine and that
 * no proxy forwarded, unless DEV_CHANNEL=1 is set explicitly.
 *
 * How this is tested honestly: the service listens on all interfaces of this
 * machine, and a real HTTP request is made from one of its non-loopback
 * addresses (the kernel then reports that address as the peer, exactly as
 * for a request from another machine). The in-process requests name their
 * peer with light-my-request's `remoteAddress`, which fastify reads from the
 * same socket field.
 */

const BODY = { from: '+212600000601', text: 'Bonjour' };
let h: TestApp;
let open: TestApp;

/** A non-loopback IPv4 address of this machine (the first interface that has one). */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
}

beforeAll(async () => {
  h = await createTestApp({ trustProxy: true });
  open = await createTestApp({ http: { devChannelAnyPeer: true } });
});
afterAll(async () => {
  await h.close();
  await open.close();
});

describe('the dev channel', () => {
  it('refuses a peer on another address of this machine, over a real socket', async () => {
    const external = externalAddress();
    expect(external, 'this machine needs a non-loopback interface for this test').toBeDefined();
    const port = await listen(h.app, '0.0.0.0');
    const remote = await fetch(`http://${external}:${port}/dev/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BODY),
    });
    expect(remote.status).toBe(404);
    expect((await errorOf(remote)).code).toBe('not_found');
    const outbox = await fetch(`http://${external}:${port}/dev/outbox?to=%2B212600000601`);
    expect(outbox.status).toBe(404);
    // The same service, asked from loopback, answers (npm run chat, the tests).
    const local = await fetch(`http://127.0.0.1:${port}/dev/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BODY),
    });
    expect(local.status).toBe(200);
    expect(h.logs.join('')).toContain('dev channel refused a remote peer');
  });

  it('reads the socket, never X-Forwarded-For, and refuses what a proxy forwarded', async () => {
    const spoofed = await h.app.http.inject({
      method: 'POST',
      url: '/dev/messages',
      remoteAddress: '203.0.113.7',
      headers: { 'x-forwarded-for': '127.0.0.1' },
      payload: BODY,
    });
    expect(spoofed.statusCode).toBe(404);
    // A proxy on this machine: the socket is loopback, the request came from outside.
    const proxied = await h.app.http.inject({
      method: 'GET',
      url: '/dev/outbox?to=%2B212600000601',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(proxied.statusCode).toBe(404);
    for (const remoteAddress of ['10.1.2.3', '::ffff:192.168.1.20', 'fd00::9']) {
      const refused = await h.app.http.inject({
        method: 'GET',
        url: '/dev/outbox?to=%2B212600000601',
        remoteAddress,
      });
      expect(refused.statusCode, remoteAddress).toBe(404);
    }
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const allowed = await h.app.http.inject({
        method: 'GET',
        url: '/dev/outbox?to=%2B212600000601',
        remoteAddress,
      });
      expect(allowed.statusCode, remoteAddress).toBe(200);
    }
  });

  it('answers other peers only when DEV_CHANNEL=1 is set explicitly', async () => {
    const remote = await open.app.http.inject({
      method: 'GET',
      url: '/dev/outbox?to=%2B212600000601',
      remoteAddress: '203.0.113.7',
    });
    expect(remote.statusCode).toBe(200);

    const config = (env: Record<string, string>) => {
      const loaded = loadConfig({
        LOG_HASH_SECRET: 'a-secret-of-sixteen',
        AUDIT_HMAC_SECRET: 'an-audit-key-of-thirty-two-chars!',
        ...env,
      });
      if (!loaded.ok) throw new Error(loaded.problems.join('; '));
      return { on: loaded.config.devChannel, anyPeer: loaded.config.devChannelAnyPeer };
    };
    expect(config({})).toEqual({ on: true, anyPeer: false });
    expect(config({ DEV_CHANNEL: '1' })).toEqual({ on: true, anyPeer: true });
    expect(config({ DEV_CHANNEL: '0' })).toEqual({ on: false, anyPeer: false });
    expect(config({ NODE_ENV: 'production' })).toEqual({ on: false, anyPeer: false });
    expect(config({ NODE_ENV: 'production', DEV_CHANNEL: '1' })).toEqual({
      on: true,
      anyPeer: true,
    });
  });

  it('is off in the production image unless someone passes DEV_CHANNEL=1', async () => {
    const { readFile } = await import('node:fs/promises');
    const dockerfile = await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/NODE_ENV=production/);
    expect(runtime).toMatch(/DEV_CHANNEL=0/);
  });
});
