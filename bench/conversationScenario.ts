/**
 * One benchmark scenario in its own process (so its peak memory is its own):
 * N families complete the report concurrently through the real turn pipeline.
 * Prints one JSON line of figures.
 *
 *   tsx bench/conversationScenario.ts memory|database|waterfall
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConversationState, MemoryStorage, type TurnContext } from 'botbuilder';
import {
  ConfirmPrompt,
  DialogSet,
  DialogTurnStatus,
  NumberPrompt,
  TextPrompt,
  WaterfallDialog,
} from 'botbuilder-dialogs';
import { pino } from 'pino';
import { z } from 'zod';
import { TifliBot } from '../src/bot/tifliBot.js';
import { DevAdapter } from '../src/channels/devAdapter.js';
import { loadFlows } from '../src/conversation/loadFlows.js';
import { createTranslator } from '../src/i18n/translator.js';
import { MongoCaseRepository } from '../src/store/caseRepository.js';
import { connect } from '../src/store/database.js';
import { MemoryCaseRepository, MemoryPhotoStore } from '../src/store/memoryCaseRepository.js';
import { MongoStorage } from '../src/store/mongoStorage.js';
import { MongoPhotoStore } from '../src/store/photoStore.js';
import { familyScript, referenceTurns } from './familyScript.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const settings = z
  .object({
    BENCH_FAMILIES: z.coerce.number().int().min(1).max(100_000).default(200),
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
  const translator = createTranslator(join(root, 'locales'));
  const flows = loadFlows(join(root, 'flows'), translator);
  const common = {
    flows,
    translator,
    clock: { now: () => fixedNow },
    logger: pino({ level: 'silent' }),
    hashId: (id: string) => id,
    referencePrefix: 'TF',
  };
  if (!database) {
    const bot = new TifliBot({
      ...common,
      storage: new MemoryStorage(),
      cases: new MemoryCaseRepository(),
      photos: new MemoryPhotoStore(),
    });
    return { logic: bot.onTurn, close: async () => undefined };
  }
  if (!settings.MONGODB_URI) throw new Error('the database scenario needs MONGODB_URI');
  const connection = await connect(settings.MONGODB_URI, `tifli_bench_${Date.now()}`);
  const cases = new MongoCaseRepository(connection);
  await cases.init();
  const bot = new TifliBot({
    ...common,
    storage: new MongoStorage(connection),
    cases,
    photos: new MongoPhotoStore(connection),
  });
  return {
    logic: bot.onTurn,
    close: async () => {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/** botbuilder's own way: a WaterfallDialog of the same number of prompts, MemoryStorage, en-us recognizers. */
function waterfallLogic(): Logic {
  const state = new ConversationState(new MemoryStorage());
  const dialogs = new DialogSet(state.createProperty('dialogState'));
  dialogs.add(new TextPrompt('text'));
  dialogs.add(new NumberPrompt('number', undefined, 'en-us'));
  dialogs.add(new ConfirmPrompt('confirm', undefined, 'en-us'));
  const turns = referenceTurns();
  dialogs.add(
    new WaterfallDialog('report', [
      ...turns.map(
        (turn, index) => async (step: import('botbuilder-dialogs').WaterfallStepContext) => {
          if (index > 0) (step.values as Record<string, unknown>)[`a${index - 1}`] = step.result;
          return step.prompt(turn.prompt, `question ${index}`);
        },
      ),
      async (step) => {
        await step.context.sendActivity('done');
        return step.endDialog();
      },
    ]),
  );
  return async (context) => {
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog('report');
    await state.saveChanges(context);
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const built =
    scenario === 'waterfall'
      ? { logic: waterfallLogic(), close: async () => undefined }
      : await tifliLogic(scenario === 'database');
  const adapter = new DevAdapter(noOutbox);
  const scripts = Array.from({ length: settings.BENCH_FAMILIES }, (_, i) =>
    scenario === 'waterfall' ? ['hi', ...referenceTurns().map((t) => t.answer)] : familyScript(i),
  );

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  const latencies: number[] = [];
  let lastReplies = 0;
  const started = performance.now();
  await Promise.all(
    scripts.map(async (script, family) => {
      const from = `+2126${String(10_000_000 + family).padStart(8, '0')}`;
      for (const [turn, text] of script.entries()) {
        const t0 = performance.now();
        const replies = await adapter.process(
          { from, text, messageId: `${family}-${turn}` },
          built.logic,
        );
        latencies.push(performance.now() - t0);
        if (turn === script.length - 1) lastReplies += replies.length;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await built.close();
  if (lastReplies !== scripts.length)
    throw new Error(`only ${lastReplies} of ${scripts.length} families finished`);
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      scenario,
      families: scripts.length,
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
