import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { metaJson, metaSignature } from '../../src/adapters/channels/cloud/fake/fakeMetaWebhook.js';
import { registerCloudWebhook } from '../../src/adapters/channels/cloud/webhookRoutes.js';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import { MemoryInboundJournal } from '../../src/adapters/memory/memoryInboundJournal.js';
import type { JournalEntry } from '../../src/app/ports/inboundJournal.js';
import { createLogger } from '../../src/logger.js';
import {
  CLOUD,
  createCloudTestApp,
  fakeMeta,
  postNotification,
  processed,
  RecordingOutbox,
  RecordingSink,
} from '../support/cloudWebhook.js';
import { type FakeMediaServer, startFakeMediaServer } from '../support/fakeMediaServer.js';
import type { TestApp } from '../support/testApp.js';

/**
 * Behaviour 4 and "never lose an accepted message": a redelivered wamid
 * creates nothing new, even days later and after a restart on the same
 * database; a message is stored before the 200 and stays unprocessed until
 * the bot handled it, across failures and crashes.
 */

const DAY = 24 * 3_600_000;
const meta = fakeMeta();
const amina = { waId: '212600000201', name: 'Amina Invented' };
const karim = { waId: '212600000202', name: 'Karim Invented' };

const open: Array<{ close(options?: { keepDatabase?: boolean }): Promise<void> }> = [];
let media: FakeMediaServer | undefined;
afterEach(async () => {
  for (const harness of open.splice(0).reverse()) await harness.close();
  await media?.close();
  media = undefined;
});

async function cloudApp(
  options: { sink?: RecordingSink; dbName?: string; now?: Date; outbox?: RecordingOutbox } = {},
) {
  media ??= await startFakeMediaServer({ token: CLOUD.accessToken });
  const harness = await createCloudTestApp({ media, ...options });
  open.push(harness);
  return harness;
}

/** Closes a harness, keeping its database, as a stop or a crash would leave it. */
async function stop(harness: TestApp): Promise<void> {
  open.splice(open.indexOf(harness), 1);
  await harness.close({ keepDatabase: true });
}

describe('behaviour 4: a redelivered wamid creates nothing new', () => {
  it('when Meta delivers the same notification twice', async () => {
    const h = await cloudApp();
    const message = meta.message(amina, { type: 'text', body: 'Mon fils a disparu' });
    const statuses = meta.lifecycle('wamid.sent-to-amina', amina.waId, { duplicate: true });
    const notification = meta.notification([message, ...statuses]);
    expect((await postNotification(h.app, notification)).statusCode).toBe(200);
    await processed(h.app);
    expect((await postNotification(h.app, notification)).statusCode).toBe(200);
    await processed(h.app);
    expect(h.sink.activities.map((a) => a.id)).toEqual([message.message.id]);
    // (id, status) pairs: delivered and read once each, though each came four times.
    expect(h.statuses.updates.map((u) => u.status).sort()).toEqual(['delivered', 'read']);
  });

  it('days later, after the service was stopped and started again on the same database', async () => {
    const first = await cloudApp();
    const message = meta.message(amina, { type: 'text', body: 'Mon fils a disparu' });
    const notification = meta.notification([message]);
    await postNotification(first.app, notification);
    await processed(first.app);
    expect(first.sink.activities).toHaveLength(1);
    const { dbName } = first;
    const sixDaysLater = new Date(first.clock.now().getTime() + 6 * DAY);
    await stop(first);

    const again = await cloudApp({ dbName, now: sixDaysLater });
    // The retention job ran in between: the id is kept longer than Meta retries.
    await again.app.purge();
    expect((await postNotification(again.app, notification)).statusCode).toBe(200);
    const fresh = meta.message(amina, { type: 'text', body: 'Il a 7 ans' });
    await postNotification(again.app, meta.notification([fresh]));
    await processed(again.app);
    expect(again.sink.activities.map((a) => a.id)).toEqual([fresh.message.id]);
  });
});

describe('store, then process; never lose an accepted message', () => {
  it('the message is in the journal before the bot sees it, and marked processed after', async () => {
    const h = await cloudApp();
    const seenWhileProcessing: string[][] = [];
    h.sink.during = async () => {
      seenWhileProcessing.push(
        (await h.app.inboundJournal.unprocessed(1000)).map((entry) => entry.id),
      );
    };
    const message = meta.message(amina, { type: 'text', body: 'Bonjour' });
    await postNotification(h.app, meta.notification([message]));
    await processed(h.app);
    expect(seenWhileProcessing).toEqual([[message.message.id]]);
    expect(await h.app.inboundJournal.unprocessed(1000)).toEqual([]);
  });

  it('a failure of the bot leaves the message unprocessed; it is tried again, in order, until it succeeds', async () => {
    const h = await cloudApp();
    h.sink.failures = 2;
    const unprocessedDuringCalls: number[] = [];
    h.sink.during = async () => {
      unprocessedDuringCalls.push((await h.app.inboundJournal.unprocessed(1000)).length);
    };
    const first = meta.message(amina, { type: 'text', body: 'premier' });
    const second = meta.message(amina, { type: 'text', body: 'second' });
    const other = meta.message(karim, { type: 'text', body: 'autre famille' });
    await postNotification(h.app, meta.notification([first, second, other]));
    await processed(h.app);
    // Amina's first message failed twice; her second waited behind it.
    const ofAmina = h.sink.activities.filter((a) => a.from?.id === `+${amina.waId}`);
    expect(ofAmina.map((a) => a.text)).toEqual(['premier', 'second']);
    expect(h.sink.byId(String(other.message.id))).toBeDefined();
    expect(h.sink.calls).toBe(5);
    // Every failed call found the message still stored as unprocessed.
    expect(Math.min(...unprocessedDuringCalls.slice(0, 2))).toBeGreaterThanOrEqual(1);
    expect(await h.app.inboundJournal.unprocessed(1000)).toEqual([]);
    expect(h.logs.join('\n')).toContain('inbound processing failed, will retry');
    expect(h.logs.join('\n')).not.toContain('premier');
  });

  it('a message accepted before a crash is processed when the service starts again', async () => {
    const failing = new RecordingSink();
    failing.failures = Number.POSITIVE_INFINITY;
    const first = await cloudApp({ sink: failing });
    const message = meta.message(amina, { type: 'location', latitude: 33.59, longitude: -7.61 });
    expect((await postNotification(first.app, meta.notification([message]))).statusCode).toBe(200);
    // Wait until the bot was tried at least once (and failed).
    while (failing.calls === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const { dbName } = first;
    await stop(first);

    const restarted = await cloudApp({ dbName });
    await processed(restarted.app);
    expect(restarted.sink.activities.map((a) => a.id)).toEqual([message.message.id]);
    expect(restarted.sink.activities[0]?.entities).toHaveLength(1);
    expect(await restarted.app.inboundJournal.unprocessed(1000)).toEqual([]);
  });

  it('a batch redelivered after the service stored it but crashed before processing is processed once', async () => {
    const failing = new RecordingSink();
    failing.failures = Number.POSITIVE_INFINITY;
    const first = await cloudApp({ sink: failing });
    const message = meta.message(karim, { type: 'text', body: 'encore là ?' });
    const notification = meta.notification([message]);
    await postNotification(first.app, notification);
    while (failing.calls === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const { dbName } = first;
    await stop(first);

    const restarted = await cloudApp({ dbName });
    await postNotification(restarted.app, notification);
    await processed(restarted.app);
    expect(restarted.sink.activities.map((a) => a.id)).toEqual([message.message.id]);
  });
});

describe('the acknowledgement waits for the journal', () => {
  /** A journal whose storage is down. */
  class UnavailableJournal extends MemoryInboundJournal {
    override async record(_entries: readonly JournalEntry[]): Promise<JournalEntry[]> {
      throw new Error('storage unavailable');
    }
  }

  it('answers 500 (Meta retries) and processes nothing when the batch cannot be stored', async () => {
    const http = Fastify();
    http.setValidatorCompiler(validatorCompiler);
    http.setSerializerCompiler(serializerCompiler);
    const sink = new RecordingSink();
    const webhook = await registerCloudWebhook(http, {
      appSecret: CLOUD.appSecret,
      verifyToken: CLOUD.verifyToken,
      journal: new UnavailableJournal(),
      sink,
      media: { download: async () => ({ ok: false, reason: 'not_found' }) },
      outbox: new RecordingOutbox(),
      logger: createLogger({ level: 'silent' }),
      hashId: (id) => id.length.toString(),
      translator: loadTranslator('locales'),
    });
    try {
      const body = metaJson(meta.notification([meta.message(amina, { type: 'text', body: 'x' })]));
      const response = await http.inject({
        method: 'POST',
        url: '/webhooks/whatsapp',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': metaSignature(body, CLOUD.appSecret),
        },
        payload: body,
      });
      expect(response.statusCode).toBe(500);
      await new Promise((resolve) => setImmediate(resolve));
      await webhook.idle();
      expect(sink.calls).toBe(0);
    } finally {
      await http.close();
    }
  });
});
