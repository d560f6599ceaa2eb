import { Writable } from 'node:stream';
import { ActivityTypes } from 'botbuilder-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CloudAdapter } from '../../src/adapters/channels/cloud/cloudAdapter.js';
import { FakeGraph } from '../../src/adapters/channels/cloud/fake/fakeGraph.js';
import { GraphClient, parseTier } from '../../src/adapters/channels/cloud/graphClient.js';
import { classifyGraphError } from '../../src/adapters/channels/cloud/graphErrors.js';
import { conversationReferenceFor } from '../../src/adapters/channels/messageActivity.js';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import { MemoryCustomerWindows } from '../../src/adapters/memory/memoryCustomerWindows.js';
import { MemorySendJournal } from '../../src/adapters/memory/memorySendJournal.js';
import { ChannelSendError } from '../../src/core/channelSendError.js';
import { createIdHasher, createLogger } from '../../src/logger.js';

/**
 * The Graph client and the fake Graph API against each other on a real port:
 * what the fake refuses as Graph does, and how the Cloud adapter renders the
 * bot's outgoing activities (long texts, buttons, lists, location requests).
 */

let fake: FakeGraph;
let client: GraphClient;
let adapter: CloudAdapter;
const windows = new MemoryCustomerWindows();
const logs: string[] = [];

beforeAll(async () => {
  fake = await FakeGraph.start({ pair: { intervalMs: 10, burst: 20 } });
  client = new GraphClient({
    baseUrl: fake.url,
    version: 'v25.0',
    phoneNumberId: fake.phoneNumberId,
    accessToken: fake.accessToken,
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  adapter = new CloudAdapter({
    graph: client,
    windows,
    journal: new MemorySendJournal(),
    templates: {
      names: { alert: 'tifli_alert', widening: 'tifli_widening', closing: 'tifli_closing' },
      languages: { ar: 'ar', fr: 'fr', ary: 'ar_MA' },
    },
    translator: loadTranslator('locales'),
    logger: createLogger({ level: 'debug' }, sink),
    hashId: createIdHasher('test-secret-of-sixteen'),
    clock: () => new Date(),
    throughput: 80,
    pair: { intervalMs: 10, burst: 20 },
  });
});
afterAll(() => fake.close());

async function refusal(promise: Promise<unknown>): Promise<ChannelSendError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ChannelSendError))
    throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('the fake Graph API', () => {
  it('refuses a wrong token with 401 and code 190, which halts', async () => {
    const wrong = new GraphClient({
      baseUrl: fake.url,
      version: 'v25.0',
      phoneNumberId: fake.phoneNumberId,
      accessToken: 'not-the-token-of-this-number',
    });
    const error = await refusal(
      wrong.send('+212600000001', { type: 'text', content: { body: 'x' } }),
    );
    expect(error.code).toBe('190');
    expect(error.disposition).toBe('halt');
  });

  it('checks lengths, buttons and rows as Graph does', async () => {
    const tooLong = await refusal(
      client.send('+212600000001', { type: 'text', content: { body: 'a'.repeat(4097) } }),
    );
    expect(tooLong.code).toBe('100');
    const buttons = (n: number, title = 'Oui') => ({
      type: 'button',
      body: { text: 'Choisissez' },
      action: {
        buttons: Array.from({ length: n }, (_, i) => ({
          type: 'reply',
          reply: { id: String(i), title },
        })),
      },
    });
    expect(
      (await refusal(client.send('+212600000001', { type: 'interactive', content: buttons(4) })))
        .code,
    ).toBe('131009');
    expect(
      (
        await refusal(
          client.send('+212600000001', {
            type: 'interactive',
            content: buttons(2, 'x'.repeat(21)),
          }),
        )
      ).code,
    ).toBe('131009');
    expect(
      await client.send('+212600000001', { type: 'interactive', content: buttons(3) }),
    ).toMatch(/^wamid\./);
  });

  it('knows templates by name and language, their status and parameter count', async () => {
    const template = (name: string, language: string, parameters: string[]) => ({
      type: 'template' as const,
      content: {
        name,
        language: { code: language, policy: 'deterministic' },
        components: [
          { type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) },
        ],
      },
    });
    expect(
      (await refusal(client.send('+212600000001', template('tifli_nothing', 'fr', ['a'])))).code,
    ).toBe('132001');
    expect(
      (await refusal(client.send('+212600000001', template('tifli_closing', 'fr', ['a', 'b']))))
        .code,
    ).toBe('132000');
    fake.setTemplateStatus('tifli_closing', 'ar', 'PAUSED');
    const paused = await refusal(
      client.send('+212600000001', template('tifli_closing', 'ar', ['a'])),
    );
    expect(paused.code).toBe('132015');
    expect(paused.disposition).toBe('halt');
    expect(await client.send('+212600000001', template('tifli_closing', 'fr', ['Fin'])));
  });

  it('answers 200 to a user id in `to` and drops it, as Graph does', async () => {
    const response = await fetch(`${fake.url}/v25.0/${fake.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: 'US.77',
        type: 'text',
        text: { body: 'x' },
      }),
    });
    expect(response.status).toBe(200);
    expect(fake.countByRecipient().get('US.77')).toBeUndefined();
  });

  it('stores media: upload → id, id → a URL that needs the token and expires', async () => {
    const shortLived = await FakeGraph.start({ mediaUrlTtlMs: 50 });
    try {
      const uploader = new GraphClient({
        baseUrl: shortLived.url,
        version: 'v25.0',
        phoneNumberId: shortLived.phoneNumberId,
        accessToken: shortLived.accessToken,
      });
      const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
      const id = await uploader.uploadMedia(bytes, 'image/png');
      const auth = { authorization: `Bearer ${shortLived.accessToken}` };
      const meta = z
        .object({ url: z.string(), mime_type: z.string(), file_size: z.number() })
        .parse(await (await fetch(`${shortLived.url}/v25.0/${id}`, { headers: auth })).json());
      expect(meta).toMatchObject({ mime_type: 'image/png', file_size: bytes.length });
      const url = meta.url;
      expect((await fetch(url)).status).toBe(401);
      expect(Buffer.from(await (await fetch(url, { headers: auth })).arrayBuffer())).toEqual(bytes);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await fetch(url, { headers: auth })).status).toBe(404);
      const inbound = shortLived.registerMedia(Buffer.from('voice'), 'audio/ogg');
      expect((await fetch(`${shortLived.url}/v25.0/${inbound}`, { headers: auth })).status).toBe(
        200,
      );
    } finally {
      await shortLived.close();
    }
  });

  it('reports its messaging-limit tier', async () => {
    fake.tier = 'TIER_10K';
    expect(await client.messagingLimit()).toBe(10_000);
    expect(parseTier('TIER_UNLIMITED')).toBeNull();
    expect(parseTier('TIER_250')).toBe(250);
  });

  it('classifies by error code, not by HTTP status', () => {
    expect(classifyGraphError(400, { error: { code: 130429 } }).disposition).toBe('throttled');
    expect(classifyGraphError(400, { error: { code: 131056 } }).disposition).toBe(
      'recipientBackoff',
    );
    expect(classifyGraphError(400, { error: { code: 131026 } }).disposition).toBe('permanent');
    expect(classifyGraphError(400, { error: { code: 131000 } }).disposition).toBe('transient');
    expect(classifyGraphError(400, { error: { code: 368 } }).disposition).toBe('halt');
    expect(classifyGraphError(400, { error: { code: 131047 } }).disposition).toBe('outsideWindow');
    expect(classifyGraphError(429, { error: { code: 131000 } }).disposition).toBe('throttled');
    expect(classifyGraphError(503, null).disposition).toBe('transient');
  });
});

describe('the Cloud adapter renders outgoing activities', () => {
  const to = '+212611000099';
  beforeAll(async () => {
    await windows.opened(to, new Date());
    fake.inbound(to);
  });

  async function send(activity: Record<string, unknown>) {
    const before = fake.sentTo(to).length;
    await adapter.continueConversation(
      conversationReferenceFor('whatsapp', to),
      async (context) => {
        await context.sendActivity({ type: ActivityTypes.Message, ...activity });
      },
    );
    return fake
      .sentTo(to)
      .slice(before)
      .map((message) => message.body);
  }

  const actions = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      type: 'imBack',
      title: `Choix ${i + 1}`,
      value: String(i + 1),
    }));

  it('splits a long text at 4,096 on a line or a word', async () => {
    const line = `${'mot '.repeat(200).trim()}\n`;
    const sent = await send({ text: line.repeat(12) });
    expect(sent.length).toBe(3);
    for (const body of sent) {
      const text = String((body.text as { body: string }).body);
      expect(text.length).toBeLessThanOrEqual(4096);
      expect(text.endsWith('mot')).toBe(true);
    }
  });

  it('offers up to three choices as reply buttons whose ids are the values', async () => {
    const [body] = await send({
      text: 'Vous êtes :\n1. la mère\n2. le père\n3. autre',
      suggestedActions: { to: [], actions: actions(3) },
    });
    expect(body).toMatchObject({ type: 'interactive', interactive: { type: 'button' } });
    expect(JSON.stringify(body)).toContain('"id":"3"');
  });

  it('offers four to ten as a list, more as text only', async () => {
    const [list] = await send({
      text: 'Votre ville ?',
      locale: 'fr',
      suggestedActions: { to: [], actions: actions(7) },
    });
    expect(list).toMatchObject({
      type: 'interactive',
      interactive: { type: 'list', action: { button: 'Choisir' } },
    });
    const [plain] = await send({
      text: 'Votre ville ?',
      suggestedActions: { to: [], actions: actions(11) },
    });
    expect(plain).toMatchObject({ type: 'text' });
  });

  it('asks for a pin with a location request', async () => {
    const [body] = await send({
      text: 'Où a-t-il été vu ?',
      channelData: { requestLocation: true },
    });
    expect(body).toMatchObject({
      type: 'interactive',
      interactive: { type: 'location_request_message', action: { name: 'send_location' } },
    });
  });

  it('refuses free-form outside the window rather than trying it', async () => {
    const error = await refusal(
      adapter.continueConversation(
        conversationReferenceFor('whatsapp', '+212611000098'),
        async (context) => {
          await context.sendActivity({ type: ActivityTypes.Message, text: 'Bonjour' });
        },
      ),
    );
    expect(error.disposition).toBe('outsideWindow');
    expect(fake.sentTo('+212611000098')).toEqual([]);
  });

  it('never logs the token, a number or a text', () => {
    const all = logs.join('');
    expect(all).not.toContain(fake.accessToken);
    expect(all).not.toMatch(/2126110000\d\d/);
    expect(all).not.toContain('Votre ville');
  });
});
