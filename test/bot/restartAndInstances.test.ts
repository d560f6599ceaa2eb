import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { expectAsked, say } from '../support/chat.js';
import { databaseUri, freePort, startService, waitReady } from '../support/serviceProcess.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

const repliesSchema = z.object({ replies: z.array(z.object({ text: z.string() })) });
const opened: TestApp[] = [];
afterEach(async () => {
  for (const h of opened.splice(0).reverse()) await h.close({ keepDatabase: opened.length > 0 });
});

async function open(dbName?: string): Promise<TestApp> {
  const h = await createTestApp(dbName ? { dbName } : {});
  opened.push(h);
  return h;
}

describe('several instances sharing one database', () => {
  it('a message delivered to two instances at once is handled once', async () => {
    const one = await open();
    const two = await open(one.dbName);
    const from = '+212600000301';
    await say(one.app, from, 'Bonjour, mon fils a disparu');
    await say(two.app, from, 'oui');
    const [a, b] = await Promise.all([
      say(one.app, from, '1', 'wamid-same'),
      say(two.app, from, '1', 'wamid-same'),
    ]);
    expect([a.length > 0, b.length > 0].sort()).toEqual([false, true]);
    expectAsked(one.app, await say(two.app, from, 'Karima Bennani'), 'fr', 'child_name');
  });

  it('two different messages racing on two instances are both kept (the eTag loser re-runs)', async () => {
    const one = await open();
    const two = await open(one.dbName);
    const from = '+212600000302';
    await say(one.app, from, 'Bonjour, mon fils a disparu');
    await say(one.app, from, 'oui');
    await say(one.app, from, '1');
    for (let round = 0; round < 5; round++) {
      await Promise.all([
        say(one.app, from, 'aide', `help-${round}`),
        say(two.app, from, `Karima ${round}x`, `name-${round}`),
      ]);
    }
    const [state] = await one.connection.collection('conversations').find().toArray();
    const processed: string[] = JSON.parse(String(state?.state)).processed;
    expect(processed).toHaveLength(13);
  });
});

describe('restart', () => {
  it('a conversation continues at the same question after the app is rebuilt', async () => {
    const first = await createTestApp();
    const from = '+212600000303';
    await say(first.app, from, 'salam wldi tlef');
    await say(first.app, from, 'wah');
    expectAsked(first.app, await say(first.app, from, '1'), 'ary', 'reporter_name');
    await first.close({ keepDatabase: true });
    const second = await open(first.dbName);
    expectAsked(second.app, await say(second.app, from, 'Hassan Tazi'), 'ary', 'child_name');
  });
});

async function post(port: number, text: string): Promise<string[]> {
  const response = await fetch(`http://127.0.0.1:${port}/dev/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: '+212600000304', text }),
  });
  return repliesSchema.parse(await response.json()).replies.map((reply) => reply.text);
}

describe('the service process', () => {
  it('stops on SIGTERM cleanly and, restarted, continues the conversation at the same question', async () => {
    const h = await open();
    const port = await freePort();
    const env = { MONGODB_URI: databaseUri(h.dbName), PORT: String(port), HOST: '127.0.0.1' };

    const first = startService(env);
    await waitReady(port, first);
    await post(port, 'Bonjour, mon fils a disparu');
    await post(port, 'oui');
    expectAsked(h.app, await post(port, '1'), 'fr', 'reporter_name');
    first.child.kill('SIGTERM');
    const [code] = await once(first.child, 'exit');
    expect(code).toBe(0);
    expect(first.output()).toContain('stopped');
    expect(first.output()).not.toContain('600000304');

    const second = startService(env);
    await waitReady(port, second);
    expectAsked(h.app, await post(port, 'Karima Bennani'), 'fr', 'child_name');
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  });

  it('refuses to start with a bad variable and names it', async () => {
    const service = startService({ PORT: 'abc', MONGODB_URI: 'http://nope' });
    const [code] = await once(service.child, 'exit');
    expect(code).toBe(2);
    expect(service.output()).toContain('PORT');
    expect(service.output()).toContain('MONGODB_URI');
  });
});
