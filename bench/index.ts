/**
 * `npm run bench`: the conversation benchmark of issue 2. Each scenario runs
 * in its own process; the database one uses MONGODB_URI or an embedded
 * FerretDB started here. BENCH_FAMILIES sets N (default 200).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startEmbeddedFerretDb } from '../src/adapters/embedded/embeddedFerretDb.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultSchema = z.object({
  scenario: z.string(),
  pauseMs: z.number(),
  families: z.number(),
  rounds: z.number(),
  turns: z.number(),
  seconds: z.number(),
  turnsPerSecond: z.number(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  peakRssMb: z.number(),
});
type Result = z.infer<typeof resultSchema>;

const queueSchema = z.object({
  cases: z.number(),
  requests: z.number(),
  officer: z.object({ p50Ms: z.number(), p95Ms: z.number(), rows: z.number() }),
  admin: z.object({ p50Ms: z.number(), p95Ms: z.number(), rows: z.number() }),
});

type QueueResult = z.infer<typeof queueSchema>;

const webhookSchema = z.object({
  database: z.string(),
  sink: z.string(),
  rate: z.number(),
  seconds: z.number(),
  notifications: z.number(),
  refused: z.number(),
  achievedRate: z.number(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  maxMs: z.number(),
  over1sPct: z.number(),
  processed: z.number(),
  unprocessed: z.number(),
  processingLagSeconds: z.number(),
});
type WebhookResult = z.infer<typeof webhookSchema>;

/** Cloud API webhook acknowledgement at 200 inbound messages/s, the bot processing behind. */
async function runWebhookScenario(uri: string): Promise<WebhookResult> {
  const output = await runScript('webhookAck.js', [], {
    MONGODB_URI: uri,
    BENCH_DATABASE: process.env.MONGODB_URI ? 'mongo' : 'embedded',
  });
  return webhookSchema.parse(JSON.parse(output.trim().split('\n').at(-1) ?? '{}'));
}

function reportWebhook(run: WebhookResult): void {
  console.log(
    `\nCloud API webhook: ${run.notifications} signed notifications at ${run.rate}/s (achieved ${run.achievedRate}/s), the bot processing behind (${run.database} adapters):`,
  );
  console.table({
    acknowledgement: {
      'p50 ms': run.p50Ms,
      'p99 ms': run.p99Ms,
      'max ms': run.maxMs,
      '% over 1 s': run.over1sPct,
      refused: run.refused,
    },
  });
  console.log(
    `Processed ${run.processed}, left unprocessed ${run.unprocessed}, processing finished ${run.processingLagSeconds} s after the last notification`,
  );
  console.log(
    `Aim: acknowledgement p99 < 250 ms → ${run.p99Ms} ms ${run.p99Ms < 250 ? '(met)' : '(NOT met)'}`,
  );
}

const submissionsSchema = z.object({
  database: z.string(),
  openCases: z.number(),
  families: z.number(),
  submitted: z.number(),
  seconds: z.number(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  maxMs: z.number(),
  queued: z.number(),
  expected: z.number(),
  missing: z.number(),
});
type SubmissionsResult = z.infer<typeof submissionsSchema>;

/** 200 families submitting at once into one region with 5 000 open cases. */
async function runSubmissionsScenario(uri: string): Promise<SubmissionsResult> {
  const output = await runScript('queueScenario.js', ['submissions'], { MONGODB_URI: uri });
  return submissionsSchema.parse(JSON.parse(output.trim().split('\n').at(-1) ?? '{}'));
}

function reportSubmissions(run: SubmissionsResult): void {
  console.log(
    `\n${run.families} families submit at once into one region with ${run.openCases} open cases (${run.database} adapters):`,
  );
  console.table({
    'submitting turn': {
      submitted: `${run.submitted} / ${run.families}`,
      's all': run.seconds,
      'p50 ms': run.p50Ms,
      'p99 ms': run.p99Ms,
      'max ms': run.maxMs,
    },
  });
  console.log(
    `In the region's queue afterwards: ${run.queued} cases, ${run.expected - run.missing} of the ${run.expected} expected (${run.missing} missing) ${run.missing === 0 ? '(met)' : '(NOT met)'}`,
  );
  console.log(
    `Aim: submitting turn p99 < 250 ms → ${run.p99Ms} ms ${run.p99Ms < 250 ? '(met)' : '(NOT met)'}`,
  );
}

const alertsSchema = z.object({
  subscribers: z.number(),
  seedSeconds: z.number(),
  stages: z.array(
    z.object({
      label: z.string(),
      radiusKm: z.number(),
      among: z.number(),
      inCircle: z.number(),
      enqueued: z.number(),
      seconds: z.number(),
    }),
  ),
  sends: z.array(
    z.object({
      rate: z.number(),
      entries: z.number(),
      sent: z.number(),
      failed: z.number(),
      seconds: z.number(),
      achieved: z.number(),
      deviationPct: z.number(),
    }),
  ),
});
type AlertsResult = z.infer<typeof alertsSchema>;

/** The alert broadcast with 100 000 subscribers: selection per stage and send rate. */
async function runAlertScenario(uri: string): Promise<AlertsResult> {
  const output = await runScript('alertScenario.js', [], { MONGODB_URI: uri });
  return alertsSchema.parse(JSON.parse(output.trim().split('\n').at(-1) ?? '{}'));
}

function reportAlerts(alerts: AlertsResult): void {
  console.log(
    `\nAlert broadcast with ${alerts.subscribers} subscribers (seeded in ${alerts.seedSeconds} s, not measured):`,
  );
  console.table(
    Object.fromEntries(
      alerts.stages.map((s) => [
        `${s.label}, ${s.radiusKm} km`,
        {
          subscribers: s.among,
          'in circle': s.inCircle,
          'new entries': s.enqueued,
          's select + enqueue': s.seconds,
        },
      ]),
    ),
  );
  for (const s of alerts.stages) {
    console.log(
      `Aim: select + enqueue among ${s.among} < 5 s, ${s.label} → ${s.seconds} s ${s.seconds < 5 ? '(met)' : '(NOT met)'}`,
    );
  }
  console.table(
    Object.fromEntries(
      alerts.sends.map((r) => [
        `${r.rate} messages/s configured`,
        {
          sent: `${r.sent} / ${r.entries}`,
          'not sent': r.failed,
          seconds: r.seconds,
          'achieved /s': r.achieved,
          'deviation %': r.deviationPct,
        },
      ]),
    ),
  );
  for (const r of alerts.sends) {
    const met = Math.abs(r.deviationPct) <= 5 && r.sent === r.entries;
    console.log(
      `Aim: achieved within 5 % of ${r.rate}/s → ${r.achieved}/s (${r.deviationPct > 0 ? '+' : ''}${r.deviationPct} %) ${met ? '(met)' : '(NOT met)'}`,
    );
  }
}

const subscribersSchema = z.object({
  database: z.string(),
  subscribers: z.number(),
  load: z.object({ insertSeconds: z.number(), buildSeconds: z.number() }),
  subscribe: z.record(
    z.string(),
    z.object({ count: z.number(), p50Ms: z.number(), p99Ms: z.number(), maxMs: z.number() }),
  ),
  stage: z.object({
    radiusKm: z.number(),
    selected: z.number(),
    enqueued: z.number(),
    seconds: z.number(),
    enqueueSeconds: z.number(),
  }),
  largest: z.object({
    board: z.object({ id: z.string(), bytes: z.number() }),
    boardDocuments: z.number(),
    subscriptionBytes: z.number(),
    deliveryBytes: z.number(),
  }),
});
type SubscribersResult = z.infer<typeof subscribersSchema>;

/** 1 000 000 subscribers (BENCH_SUBSCRIBERS), 900 000 around Casablanca. */
async function runSubscriberScenario(uri: string): Promise<SubscribersResult> {
  const output = await runScript('subscriberScenario.js', [], {
    MONGODB_URI: uri,
    BENCH_DATABASE: process.env.MONGODB_URI ? 'mongo' : 'embedded',
  });
  return subscribersSchema.parse(JSON.parse(output.trim().split('\n').at(-1) ?? '{}'));
}

function reportSubscribers(result: SubscribersResult): void {
  const mib = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(3));
  console.log(
    `\nSubscribers at national scale: ${result.subscribers} on ${result.database}, loaded in ${result.load.insertSeconds} s + index built in ${result.load.buildSeconds} s:`,
  );
  console.table(
    Object.fromEntries(
      Object.entries(result.subscribe).map(([label, figures]) => [
        {
          fresh: 'new number, one at a time',
          again: 'subscribing again (moving)',
          burst: '20 at once into one spot (each)',
          burstRoundMs: '20 at once into one spot (round)',
          stop: 'STOP',
        }[label] ?? label,
        {
          count: figures.count,
          'p50 ms': figures.p50Ms,
          'p99 ms': figures.p99Ms,
          'max ms': figures.maxMs,
        },
      ]),
    ),
  );
  const p99 = Math.max(
    result.subscribe.fresh?.p99Ms ?? Number.POSITIVE_INFINITY,
    result.subscribe.again?.p99Ms ?? Number.POSITIVE_INFINITY,
  );
  console.log(`Aim: subscribe p99 < 100 ms → ${p99} ms ${p99 < 100 ? '(met)' : '(NOT met)'}`);
  const stage = result.stage;
  console.log(
    `Aim: select + enqueue ${stage.radiusKm} km around Casablanca < 30 s → ${stage.seconds} s for ${stage.enqueued} entries (${stage.selected} selected, ${stage.enqueueSeconds} s of it in the outbox's inserts) ${stage.seconds < 30 ? '(met)' : '(NOT met)'}`,
  );
  const board = result.largest.board;
  const largest = Math.max(
    board.bytes,
    result.largest.subscriptionBytes,
    result.largest.deliveryBytes,
  );
  console.log(
    `Largest document: board ${board.id || '(none)'} ${mib(board.bytes)} MiB of ${result.largest.boardDocuments}; subscription ${result.largest.subscriptionBytes} B; outbox entry ${result.largest.deliveryBytes} B`,
  );
  console.log(
    `Aim: largest document < 4 MiB → ${mib(largest)} MiB ${largest < 4 * 1024 * 1024 ? '(met)' : '(NOT met)'}`,
  );
}

/** The officers' queue API with 10 000 cases in the database (issue 3). */
async function runQueueScenario(uri: string): Promise<QueueResult> {
  const output = await runScript('queueScenario.js', [], { MONGODB_URI: uri });
  return queueSchema.parse(JSON.parse(output.trim().split('\n').at(-1) ?? '{}'));
}

function reportQueue(queue: QueueResult): void {
  console.log(
    `\nQueue API (GET /api/cases?status=pending) with ${queue.cases} cases, ${queue.requests} requests each:`,
  );
  console.table({
    'regional officer': {
      rows: queue.officer.rows,
      'p50 ms': queue.officer.p50Ms,
      'p95 ms': queue.officer.p95Ms,
    },
    'admin (all regions)': {
      rows: queue.admin.rows,
      'p50 ms': queue.admin.p50Ms,
      'p95 ms': queue.admin.p95Ms,
    },
  });
  const met = (ms: number) => (ms < 50 ? '(met)' : '(NOT met)');
  console.log(
    `Aim: queue p95 < 50 ms → officer ${queue.officer.p95Ms} ms ${met(queue.officer.p95Ms)}, admin ${queue.admin.p95Ms} ms ${met(queue.admin.p95Ms)}`,
  );
}

function runScript(script: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(
      process.execPath,
      [join(root, '.cache', 'bench-build', 'bench', script), ...args],
      {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) =>
      code === 0 ? resolveRun(output) : reject(new Error(`${script} failed (${code})`)),
    );
  });
}

async function runScenario(name: string, env: Record<string, string>): Promise<Result> {
  const output = await runScript('conversationScenario.js', [name], env);
  return resultSchema.parse(JSON.parse(output.trim().split('\n').at(-1) ?? '{}'));
}

const cloudSchema = z.object({
  runs: z.array(
    z.object({
      configured: z.number(),
      entries: z.number(),
      accepted: z.number(),
      throttled: z.number(),
      seconds: z.number(),
      achievedPerSecond: z.number(),
      ratio: z.number(),
    }),
  ),
});

/** The Cloud channel's send rate through the fake Graph API at 80/s and 1,000/s. */
async function runCloudScenario(): Promise<void> {
  const output = await runScript('cloudSendRate.js', [], {});
  const { runs } = cloudSchema.parse(JSON.parse(output.trim().split('\n').at(-1) ?? '{}'));
  console.log('\nCloud API send rate through the fake Graph API (token bucket at the throughput):');
  console.table(
    Object.fromEntries(
      runs.map((run) => [
        `${run.configured}/s configured`,
        {
          sent: `${run.accepted} / ${run.entries}`,
          's all': run.seconds,
          'achieved /s': run.achievedPerSecond,
          '130429': run.throttled,
        },
      ]),
    ),
  );
  for (const run of runs) {
    const within = Math.abs(1 - run.ratio) <= 0.05;
    console.log(
      `Aim: ${run.configured}/s within 5 % → ${run.achievedPerSecond}/s ${within ? '(met)' : '(NOT met)'}`,
    );
  }
}

// `npm run bench -- memory database queue submissions alerts webhook cloud` runs only the scenarios named
// (`queue` runs the queue API and the submissions; `submissions` only the latter);
// `subscribers` (a million of them, minutes) runs only when named.
const only = new Set(process.argv.slice(2));
const wanted = (name: string) => (only.size === 0 && name !== 'subscribers') || only.has(name);

async function main(): Promise<void> {
  // Scenarios run compiled, as in production (`node dist/…`), not through tsx.
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.bench.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('the benchmark did not compile');
  const results: Result[] = [];
  console.log(
    'Conversation benchmark: N families complete the report concurrently through the real turn pipeline.',
  );
  if (wanted('waterfall')) results.push(await runScenario('waterfall', {}));
  if (wanted('memory')) results.push(await runScenario('memory', {}));
  const { queue, submissions, alerts, subscribers, webhook } =
    wanted('database') ||
    wanted('webhook') ||
    wanted('queue') ||
    wanted('submissions') ||
    wanted('alerts') ||
    wanted('subscribers')
      ? await runDatabaseScenario(results)
      : { queue: null, submissions: null, alerts: null, subscribers: null, webhook: null };
  if (results.length > 0) report(results);
  if (queue) reportQueue(queue);
  if (submissions) reportSubmissions(submissions);
  if (alerts) reportAlerts(alerts);
  if (subscribers) reportSubscribers(subscribers);
  if (webhook) reportWebhook(webhook);
  if (wanted('cloud')) await runCloudScenario();
}

async function runDatabaseScenario(results: Result[]): Promise<{
  queue: QueueResult | null;
  submissions: SubmissionsResult | null;
  alerts: AlertsResult | null;
  subscribers: SubscribersResult | null;
  webhook: WebhookResult | null;
}> {
  let stop: () => Promise<void> = async () => undefined;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    const dataDir = await mkdtemp(join(tmpdir(), 'tifli-bench-db-'));
    const server = await startEmbeddedFerretDb({ dataDir });
    uri = server.uri;
    stop = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  try {
    if (wanted('database')) {
      results.push(await runScenario('database', { MONGODB_URI: uri, BENCH_PAUSE_MS: '0' }));
      // Families type: a pause of 1 to 3 s (2 s on average) between answers.
      results.push(await runScenario('database', { MONGODB_URI: uri, BENCH_PAUSE_MS: '2000' }));
    }
    const queue = wanted('queue') ? await runQueueScenario(uri) : null;
    const submissions =
      wanted('queue') || wanted('submissions') ? await runSubmissionsScenario(uri) : null;
    const alerts = wanted('alerts') ? await runAlertScenario(uri) : null;
    const subscribers = wanted('subscribers') ? await runSubscriberScenario(uri) : null;
    const webhook = wanted('webhook') ? await runWebhookScenario(uri) : null;
    return { queue, submissions, alerts, subscribers, webhook };
  } finally {
    await stop();
  }
}

function report(results: Result[]): void {
  console.table(
    results.map((r) => ({
      scenario: `${
        {
          waterfall: 'botbuilder WaterfallDialog + MemoryStorage (reference)',
          memory: 'Tifli, in-memory storage',
          database: `Tifli, real database (${process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded FerretDB'})`,
        }[r.scenario]
      }${r.pauseMs > 0 ? `, families pausing ~${r.pauseMs / 1000} s` : ', no pause'}`,
      families: r.rounds > 1 ? `${r.families} ×${r.rounds}` : r.families,
      turns: r.turns,
      'turns/s': r.turnsPerSecond,
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      'peak RSS MB': r.peakRssMb,
    })),
  );
  const find = (name: string) => results.find((r) => r.scenario === name);
  const [reference, memory] = [find('waterfall'), find('memory')];
  const databaseRuns = results.filter((r) => r.scenario === 'database');
  if (reference && memory) {
    const ratio = memory.turnsPerSecond / reference.turnsPerSecond;
    console.log(
      `Aim: in-memory ≥ 2× reference turns/s → ${ratio.toFixed(2)}× ${ratio >= 2 ? '(met)' : '(NOT met)'}`,
    );
  }
  for (const run of databaseRuns) {
    const load =
      run.pauseMs > 0 ? `families pausing ~${run.pauseMs / 1000} s` : 'no pause (saturation)';
    console.log(
      `Aim: p99 < 100 ms with the real database, ${load} → ${run.p99Ms} ms ${run.p99Ms < 100 ? '(met)' : '(NOT met)'}`,
    );
  }
  const tifli = results.filter((r) => r.scenario !== 'waterfall');
  if (tifli.length > 0) {
    const peak = Math.max(...tifli.map((r) => r.peakRssMb));
    console.log(`Aim: peak memory < 300 MB → ${peak} MB ${peak < 300 ? '(met)' : '(NOT met)'}`);
  }
}

await main();
