/**
 * The Cloud API webhook's acknowledgement under load: Meta's webhook sender
 * (the fake) posts BENCH_WEBHOOK_RATE signed notifications per second (200
 * by default), one message each, from 200 families going through the
 * report, for BENCH_WEBHOOK_SECONDS, to the real HTTP stack on a real port,
 * with the real database (MONGODB_URI, or an embedded FerretDB started
 * here). Each message is stored in the inbound journal before the 200 and
 * processed after by the real bot (its turns run on the dev channel). The
 * sends are open-loop (on schedule, not waiting for answers), so a slow
 * answer cannot slow the load down. Prints one JSON line: acknowledgement
 * p50 / p99 / max, the share over 1 s, and how long processing lagged.
 *
 *   tsx bench/webhookAck.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { FakeMetaWebhook, metaJson } from '../src/adapters/channels/cloud/fake/fakeMetaWebhook.js';
import { startEmbeddedFerretDb } from '../src/adapters/embedded/embeddedFerretDb.js';
import { buildApp } from '../src/compose.js';
import { connect } from '../src/database.js';
import { familyScript } from './familyScript.js';

const settings = z
  .object({
    MONGODB_URI: z.string().optional(),
    BENCH_DATABASE: z.enum(['embedded', 'mongo']).default('embedded'),
    BENCH_WEBHOOK_RATE: z.coerce.number().int().min(1).max(5_000).default(200),
    BENCH_WEBHOOK_SECONDS: z.coerce.number().int().min(1).max(600).default(20),
    BENCH_FAMILIES: z.coerce.number().int().min(1).default(200),
    /** `bot`: each message runs the real bot's turn; `none`: processing only marks it processed. */
    BENCH_WEBHOOK_SINK: z.enum(['bot', 'none']).default('bot'),
    /** How many chats the processor runs at once (the app's default for the database if unset). */
    BENCH_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  })
  .parse(process.env);

const APP_SECRET = 'bench-app-secret';
const WARM_UP_SECONDS = 2;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  let stopDatabase: () => Promise<void> = async () => undefined;
  let uri = settings.MONGODB_URI;
  if (!uri) {
    const dataDir = await mkdtemp(join(tmpdir(), 'tifli-bench-webhook-'));
    const server = await startEmbeddedFerretDb({ dataDir });
    uri = server.uri;
    stopDatabase = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const connection = await connect(uri, `tifli_bench_webhook_${Date.now()}`);
  const app = await buildApp({
    connection,
    database: settings.BENCH_DATABASE,
    logger: pino({ level: 'silent' }),
    hashId: (id) => id,
    clock: { now: () => new Date() },
    devChannel: true,
    referencePrefix: 'TF',
    rootDir: process.cwd(),
    whatsappCloud: {
      appSecret: APP_SECRET,
      verifyToken: 'bench-verify-token',
      graphUrl: 'http://127.0.0.1:9',
      graphVersion: 'v25.0',
      accessToken: 'bench-token',
      ...(settings.BENCH_WEBHOOK_CONCURRENCY
        ? { processing: { concurrency: settings.BENCH_WEBHOOK_CONCURRENCY } }
        : {}),
    },
  });
  let processedCount = 0;
  let lastProcessedAt = 0;
  await app.cloudWebhook?.attach({
    processActivity: async (activity) => {
      if (settings.BENCH_WEBHOOK_SINK === 'bot')
        await app.devAdapter.process(
          {
            from: activity.from?.id ?? '',
            messageId: activity.id ?? '',
            text: activity.text ?? '',
          },
          app.bot.onTurn,
        );
      processedCount += 1;
      lastProcessedAt = performance.now();
    },
  });
  const address = await app.http.listen({ port: 0, host: '127.0.0.1' });
  const meta = new FakeMetaWebhook({
    url: `${address}/webhooks/whatsapp`,
    appSecret: APP_SECRET,
    phoneNumberId: '106540352242922',
  });

  const scriptLength = familyScript(0).length;
  const total = (settings.BENCH_WEBHOOK_SECONDS + WARM_UP_SECONDS) * settings.BENCH_WEBHOOK_RATE;
  const warmUp = WARM_UP_SECONDS * settings.BENCH_WEBHOOK_RATE;
  const intervalMs = 1000 / settings.BENCH_WEBHOOK_RATE;
  const timings: number[] = [];
  let refused = 0;
  const sends: Array<Promise<void>> = [];
  const started = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const family = i % settings.BENCH_FAMILIES;
    const turn = Math.floor(i / settings.BENCH_FAMILIES) % scriptLength;
    const text = familyScript(family)[turn] ?? 'OK';
    const item = meta.message(
      { waId: `2126${String(10_000_000 + family)}`, name: `Parent Inventé ${family}` },
      { type: 'text', body: text },
    );
    const body = metaJson(meta.notification([item]));
    sends.push(
      (async () => {
        const sentAt = performance.now();
        const response = await meta.post(body);
        await response.body?.cancel();
        const took = performance.now() - sentAt;
        if (response.status !== 200) refused += 1;
        else if (i >= warmUp) timings.push(took);
      })(),
    );
  }
  await Promise.all(sends);
  const sendingEndedAt = performance.now();
  await app.cloudWebhook?.idle();
  const unprocessed = (await app.inboundJournal.unprocessed(100_000)).length;
  timings.sort((a, b) => a - b);
  const measured = timings.length;
  const over1s = timings.filter((ms) => ms > 1000).length;
  process.stdout.write(
    `${JSON.stringify({
      database: settings.BENCH_DATABASE,
      sink: settings.BENCH_WEBHOOK_SINK,
      concurrency: settings.BENCH_WEBHOOK_CONCURRENCY ?? 'default',
      rate: settings.BENCH_WEBHOOK_RATE,
      seconds: settings.BENCH_WEBHOOK_SECONDS,
      notifications: total,
      measured,
      refused,
      achievedRate: Number(((total / (sendingEndedAt - started)) * 1000).toFixed(1)),
      p50Ms: Number(percentile(timings, 50).toFixed(2)),
      p99Ms: Number(percentile(timings, 99).toFixed(2)),
      maxMs: Number((timings.at(-1) ?? 0).toFixed(2)),
      over1sPct: Number(((over1s / Math.max(1, measured)) * 100).toFixed(2)),
      processed: processedCount,
      unprocessed,
      processingLagSeconds: Number(
        (Math.max(0, lastProcessedAt - sendingEndedAt) / 1000).toFixed(2),
      ),
    })}\n`,
  );
  await app.http.close();
  await connection.dropDatabase();
  await connection.close();
  await stopDatabase();
}

await main();
