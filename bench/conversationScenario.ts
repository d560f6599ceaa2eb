/**
 * One benchmark scenario in its own process (so its peak memory is its own):
 * N families complete the report concurrently through the real turn pipeline.
 * Prints one JSON line of figures.
 *
 *   tsx bench/conversationScenario.ts memory|database|waterfall
 */
import { join } from 'node:path';
import type { TurnContext } from 'botbuilder-core';
import { pino } from 'pino';
import { z } from 'zod';
import { BotLogic } from '../src/adapters/channels/botLogic.js';
import { DevAdapter } from '../src/adapters/channels/devAdapter.js';
import { QueueBoard } from '../src/adapters/embedded/queueBoard.js';
import { loadFlows } from '../src/adapters/files/loadFlows.js';
import { loadTranslator } from '../src/adapters/files/loadTranslator.js';
import { SharpPhotoSanitizer } from '../src/adapters/images/sharpPhotoSanitizer.js';
import { MemoryCaseStore, MemoryPhotoStore } from '../src/adapters/memory/memoryCaseRepository.js';
import { MemoryConversationStore } from '../src/adapters/memory/memoryConversationStore.js';
import { AuditLog } from '../src/adapters/mongo/auditLog.js';
import { MongoCaseRepository } from '../src/adapters/mongo/caseRepository.js';
import { MongoConversationStore } from '../src/adapters/mongo/mongoConversationStore.js';
import { MongoPhotoStore } from '../src/adapters/mongo/photoStore.js';
import { TurnPipeline } from '../src/app/turnPipeline.js';
import { connect } from '../src/database.js';
import { familyScript, referenceTurns } from './familyScript.js';

// Run from the project folder (bench/index.ts does), compiled or not.
const root = process.cwd();
const settings = z
  .object({
    BENCH_FAMILIES: z.coerce.number().int().min(1).max(100_000).default(200),
    /** Mean pause between a family's messages (0: each answer sent as soon as the reply arrives). */
    BENCH_PAUSE_MS: z.coerce.number().int().min(0).max(60_000).default(0),
    MONGODB_URI: z.string().optional(),
  })
  .parse(process.env);
const scenario = z.enum(['memory', 'database', 'waterfall']).parse(process.argv[2]);

type Logic = (context: TurnContext) => Promise<void>;
const noOutbox = { add: async () => undefined };
const fixedNow = new Date('2026-11-28T16:00:00Z');

async function tifliLogic(
  database: boolean,
): Promise<{ logic: Logic; close: () => Promise<void> }> {
  const translator = loadTranslator(join(root, 'locales'));
  const flows = loadFlows(join(root, 'flows'), translator);
  const logger = pino({ level: 'silent' });
  const common = {
    flows,
    translator,
    clock: { now: () => fixedNow },
    logger,
    hashId: (id: string) => id,
    referencePrefix: 'TF',
    regionOf: () => 'casablanca-settat',
  };
  if (!database) {
    const turns = new TurnPipeline({
      ...common,
      conversations: new MemoryConversationStore(),
      cases: new MemoryCaseStore(),
      photos: new MemoryPhotoStore(),
      photoSanitizer: new SharpPhotoSanitizer(),
    });
    return { logic: new BotLogic(turns, translator, logger).onTurn, close: async () => undefined };
  }
  if (!settings.MONGODB_URI) throw new Error('the database scenario needs MONGODB_URI');
  const connection = await connect(settings.MONGODB_URI, `tifli_bench_${Date.now()}`);
  const cases = new MongoCaseRepository(
    connection,
    new AuditLog(connection),
    new QueueBoard(connection),
  );
  await cases.init();
  const turns = new TurnPipeline({
    ...common,
    // On FerretDB without its TTL index: the purge job forgets idle conversations there.
    conversations: new MongoConversationStore(connection),
    cases,
    photos: new MongoPhotoStore(connection),
    photoSanitizer: new SharpPhotoSanitizer(),
  });
  return {
    logic: new BotLogic(turns, translator, logger).onTurn,
    close: async () => {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/** A small deterministic generator, so paced runs pause the same way each time. */
function seededRandom(seed: number): () => number {
  let state = seed * 2654435761;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  // botbuilder-dialogs is loaded only for the reference, so Tifli's memory figure is Tifli's own.
  const built =
    scenario === 'waterfall'
      ? {
          logic: (await import('./waterfallReference.js')).waterfallLogic(),
          close: async () => undefined,
        }
      : await tifliLogic(scenario === 'database');
  const adapter = new DevAdapter(noOutbox);
  const scriptFor = (i: number) =>
    scenario === 'waterfall' ? ['hi', ...referenceTurns().map((t) => t.answer)] : familyScript(i);
  const scripts = Array.from({ length: settings.BENCH_FAMILIES }, (_, i) => scriptFor(i));

  // Warm-up, not measured: the same number of other families, so the JIT and
  // the connection pool are settled before the clock starts (both scenarios alike).
  await Promise.all(
    Array.from({ length: settings.BENCH_FAMILIES }, async (_, family) => {
      const from = `+2127${String(10_000_000 + family).padStart(8, '0')}`;
      for (const [turn, text] of scriptFor(family).entries()) {
        await adapter.process({ from, text, messageId: `w${family}-${turn}` }, built.logic);
      }
    }),
  );

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  const latencies: number[] = [];
  const byTurn: number[][] = [];
  let finished = 0;
  // Without pauses one round takes well under a second, so three rounds of N
  // new families are measured to steady the figures; paced runs take one.
  const rounds = settings.BENCH_PAUSE_MS > 0 ? 1 : 3;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      scripts.map(async (script, family) => {
        const from = `+2126${String(10_000_000 + round * 100_000 + family).padStart(8, '0')}`;
        const random = seededRandom(family + 1);
        for (const [turn, text] of script.entries()) {
          if (settings.BENCH_PAUSE_MS > 0) {
            await new Promise((resolve) =>
              setTimeout(resolve, settings.BENCH_PAUSE_MS * (0.5 + random())),
            );
          }
          const t0 = performance.now();
          const replies = await adapter.process(
            { from, text, messageId: `${round}-${family}-${turn}` },
            built.logic,
          );
          const elapsed = performance.now() - t0;
          latencies.push(elapsed);
          const ofTurn = byTurn[turn] ?? [];
          ofTurn.push(elapsed);
          byTurn[turn] = ofTurn;
          if (turn === script.length - 1 && replies.length > 0) finished++;
        }
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  if (process.env.BENCH_DEBUG) process.stderr.write(`${JSON.stringify(process.memoryUsage())}\n`);
  await built.close();
  if (finished !== scripts.length * rounds) {
    throw new Error(`only ${finished} of ${scripts.length * rounds} families finished`);
  }
  latencies.sort((a, b) => a - b);
  if (process.env.BENCH_DEBUG) {
    for (const [turn, values] of byTurn.entries()) {
      values.sort((a, b) => a - b);
      process.stderr.write(
        `turn ${turn}: p50 ${percentile(values, 50).toFixed(1)} p99 ${percentile(values, 99).toFixed(1)}\n`,
      );
    }
  }
  process.stdout.write(
    `${JSON.stringify({
      scenario,
      pauseMs: settings.BENCH_PAUSE_MS,
      families: scripts.length,
      rounds,
      turns: latencies.length,
      seconds: Number(seconds.toFixed(2)),
      turnsPerSecond: Math.round(latencies.length / seconds),
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    })}\n`,
  );
}

await main();
