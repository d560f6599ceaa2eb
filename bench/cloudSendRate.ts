/**
 * The send rate the Cloud channel achieves through the fake Graph API with
 * the number's throughput configured at 80/s and at 1,000/s: the broadcast
 * worker (at the same rate, as ALERT_SEND_RATE defaults to on the Cloud
 * channel) sends an alert template to N recipients through the Cloud
 * adapter, its token bucket, its send journal and its pair limit; the rate
 * is what the fake accepted, first to last. The fake's own throughput is
 * the same, so a refusal (130429) would show the channel going too fast.
 * Progress goes to stderr; the figures are one JSON line on stdout.
 * Run alone: `npx tsx bench/cloudSendRate.ts`.
 */
import { Writable } from 'node:stream';
import { ActivityTypes } from 'botbuilder-core';
import { CloudAdapter } from '../src/adapters/channels/cloud/cloudAdapter.js';
import { FakeGraph } from '../src/adapters/channels/cloud/fake/fakeGraph.js';
import { GraphClient } from '../src/adapters/channels/cloud/graphClient.js';
import { conversationReferenceFor } from '../src/adapters/channels/messageActivity.js';
import { loadTranslator } from '../src/adapters/files/loadTranslator.js';
import { MemoryCustomerWindows } from '../src/adapters/memory/memoryCustomerWindows.js';
import { MemoryLease } from '../src/adapters/memory/memoryLease.js';
import { MemoryOutbox } from '../src/adapters/memory/memoryOutbox.js';
import { MemorySendJournal } from '../src/adapters/memory/memorySendJournal.js';
import { BroadcastWorker } from '../src/app/alerts/broadcastWorker.js';
import { type Delivery, deliveryId } from '../src/core/alert/delivery.js';
import { createLogger } from '../src/logger.js';

/** Each run sends for about 6 seconds. */
const RUNS = [
  { throughput: 80, entries: 480 },
  { throughput: 1000, entries: 6000 },
] as const;

const silent = createLogger(
  { level: 'warn' },
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  }),
);

async function run(throughput: number, entries: number) {
  const fake = await FakeGraph.start({ throughput, pair: { intervalMs: 6000, burst: 5 } });
  try {
    const adapter = new CloudAdapter({
      graph: new GraphClient({
        baseUrl: fake.url,
        version: 'v25.0',
        phoneNumberId: fake.phoneNumberId,
        accessToken: fake.accessToken,
      }),
      windows: new MemoryCustomerWindows(),
      journal: new MemorySendJournal(),
      templates: {
        names: { alert: 'tifli_alert', widening: 'tifli_widening', closing: 'tifli_closing' },
        languages: { ar: 'ar', fr: 'fr', ary: 'ar_MA' },
      },
      translator: loadTranslator('locales'),
      logger: silent,
      hashId: (id) => id.length.toString(),
      clock: () => new Date(),
      throughput,
    });
    const outbox = new MemoryOutbox();
    const alertId = `bench-${throughput}`;
    const now = new Date();
    const deliveries: Delivery[] = Array.from({ length: entries }, (_, i) => {
      const address = `+2126500${String(i).padStart(5, '0')}`;
      return {
        _id: deliveryId(alertId, 'alert', `whatsapp:${address}`),
        alertId,
        kind: 'alert',
        subscriptionId: `whatsapp:${address}`,
        channel: 'whatsapp',
        address,
        language: 'fr',
        stage: 0,
        queuedAt: now,
      };
    });
    await outbox.enqueue(deliveries);
    const worker = new BroadcastWorker({
      outbox,
      lease: new MemoryLease(),
      recipients: { isActive: async () => true },
      sender: {
        send: (delivery) =>
          adapter.continueConversation(
            conversationReferenceFor('whatsapp', delivery.address),
            async (context) => {
              await context.sendActivity({
                type: ActivityTypes.Message,
                text: 'Alerte',
                channelData: {
                  idempotencyKey: delivery._id,
                  alertTemplate: {
                    kind: 'alert',
                    language: 'fr',
                    parameters: ['Yassine, 7 ans, vu à Casablanca', 'TF-2026-000001'],
                    ttlSeconds: 3600,
                  },
                },
              });
            },
          ),
      },
      clock: { now: () => new Date() },
      logger: silent,
      ratePerSecond: throughput,
      leaseMs: 60_000,
      maySend: async () => true,
    });
    await worker.renewLease();
    worker.follow(alertId);
    await worker.drain();
    const times = fake.accepted.map((message) => message.at.getTime());
    const first = Math.min(...times);
    const last = Math.max(...times);
    const seconds = (last - first) / 1000;
    // n messages span n − 1 intervals.
    const achieved = (fake.accepted.length - 1) / seconds;
    process.stderr.write(`cloud send rate ${throughput}/s: ${achieved.toFixed(1)}/s\n`);
    return {
      configured: throughput,
      entries,
      accepted: fake.accepted.length,
      throttled: fake.refusals.filter((code) => code === 130429).length,
      seconds: Math.round(seconds * 100) / 100,
      achievedPerSecond: Math.round(achieved * 10) / 10,
      ratio: Math.round((achieved / throughput) * 1000) / 1000,
    };
  } finally {
    await fake.close();
  }
}

const results = [];
for (const { throughput, entries } of RUNS) results.push(await run(throughput, entries));
process.stdout.write(`${JSON.stringify({ runs: results })}\n`);
