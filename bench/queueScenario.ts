/**
 * The officers' queue, in one of two runs (each prints one JSON line):
 *
 * - `api` (the default): with 10 000 cases in the database, p50 / p95 of
 *   `GET /api/cases` through the real HTTP stack, for a regional officer and
 *   for an admin who sees every region;
 * - `submissions`: 200 families submit their report at the same moment into
 *   one region that already has 5 000 open cases: p50 / p99 of the submitting
 *   turn through `POST /dev/messages`, and whether every case (the 5 000 and
 *   the 200) is in the region's queue afterwards.
 *
 *   tsx bench/queueScenario.ts api|submissions
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { z } from 'zod';
import { type App, buildApp } from '../src/compose.js';
import type { NewCase } from '../src/core/case/report.js';
import { REGION_IDS } from '../src/core/place/gazetteer.js';
import { connect } from '../src/database.js';
import { familyScript } from './familyScript.js';

const settings = z
  .object({
    MONGODB_URI: z.string(),
    BENCH_CASES: z.coerce.number().int().min(1).default(10_000),
    BENCH_REQUESTS: z.coerce.number().int().min(1).default(200),
    BENCH_OPEN_CASES: z.coerce.number().int().min(0).default(5_000),
    BENCH_FAMILIES: z.coerce.number().int().min(1).default(200),
    BENCH_DATABASE: z.enum(['embedded', 'mongo']).default('embedded'),
  })
  .parse(process.env);
const run = z.enum(['api', 'submissions']).default('api').parse(process.argv[2]);

const now = new Date('2026-11-28T16:00:00Z');
const statuses = ['pending', 'pending', 'in_review', 'confirmed', 'resolved', 'rejected'] as const;

/** An invented case, as the report flow stores them. */
function inventedCase(
  i: number,
): Omit<NewCase, 'draftId' | 'status'> & { _id: string; status: string } {
  const createdAt = new Date(now.getTime() - i * 60_000);
  return {
    _id: randomUUID(),
    reference: `TF-2026-${String(i + 1).padStart(6, '0')}`,
    status: statuses[Math.floor(i / REGION_IDS.length) % statuses.length] ?? 'pending',
    priority: { level: i % 3 === 0 ? 'critical' : 'normal', score: i % 9, reasons: [] },
    language: 'fr',
    channel: 'dev',
    reporter: {
      address: `+2126${String(20_000_000 + i)}`,
      name: `Parent Inventé ${i}`,
      relationship: 'parent',
    },
    child: {
      fullName: `Enfant Inventé ${i}`,
      sex: i % 2 ? 'boy' : 'girl',
      age: { years: i % 17 },
      photoId: null,
      heightCm: 120,
      build: 'mince',
      hair: 'cheveux noirs courts',
      marks: null,
      clothing: 't-shirt rouge, jean bleu, baskets blanches',
      phone: null,
      hobbies: 'le football et les jeux vidéo',
      problems: null,
      places: 'chez son cousin, le terrain de foot du quartier',
      friends: 'Adam et Rayan',
      health: null,
      previousDisappearances: false,
    },
    lastSeen: {
      at: createdAt,
      place: { kind: 'description', text: 'devant la boulangerie du quartier' },
      city: 'Casablanca',
    },
    circumstances: "Il jouait au ballon devant l'immeuble pendant que je faisais les courses.",
    abduction: { suspected: 'no', details: null },
    consent: { given: true, at: createdAt, noticeVersion: 1 },
    region: REGION_IDS[i % REGION_IDS.length] ?? null,
    assignedTo: null,
    officialReportNumber: null,
    messages: [],
    notes: [],
    confirmation: null,
    closure: null,
    createdAt,
    updatedAt: createdAt,
    history: [{ status: 'pending', at: createdAt, by: 'family' }],
  };
}

const started = performance.now();
/** Progress on stderr, so a long seeding is visibly alive. */
const progress = (what: string) =>
  process.stderr.write(
    `[queue bench ${((performance.now() - started) / 1000).toFixed(1)} s] ${what}\n`,
  );

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const SUBMISSION_REGION = 'casablanca-settat';

function buildBenchApp(connection: Parameters<typeof buildApp>[0]['connection']): Promise<App> {
  return buildApp({
    connection,
    database: settings.BENCH_DATABASE,
    logger: pino({ level: 'silent' }),
    hashId: (id) => id,
    clock: { now: () => now },
    devChannel: true,
    referencePrefix: 'TF',
    rootDir: process.cwd(),
  });
}

/** One family's message through the real HTTP stack; the replies' text. */
async function say(app: App, from: string, text: string): Promise<string[]> {
  const response = await app.http.inject({
    method: 'POST',
    url: '/dev/messages',
    payload: { from, text },
  });
  if (response.statusCode !== 200)
    throw new Error(`the dev channel answered ${response.statusCode}`);
  return z
    .object({ replies: z.array(z.object({ text: z.string() })) })
    .parse(response.json())
    .replies.map((reply) => reply.text);
}

/**
 * 200 families reach the last question of the report (not measured), then all
 * submit at once into a region with 5 000 open cases: the turn that stores
 * the case and puts it in the officers' queue is what is timed.
 */
async function submissions(): Promise<void> {
  const connection = await connect(settings.MONGODB_URI, `tifli_bench_submit_${Date.now()}`);
  const cases = connection.collection('cases');
  const seeded: string[] = [];
  for (let from = 0; from < settings.BENCH_OPEN_CASES; from += 1_000) {
    const batch = Array.from(
      { length: Math.min(1_000, settings.BENCH_OPEN_CASES - from) },
      (_, k) => ({
        ...inventedCase(from + k),
        reference: `TF-2025-${String(from + k + 1).padStart(6, '0')}`,
        status: 'pending',
        region: SUBMISSION_REGION,
      }),
    );
    seeded.push(...batch.map((c) => c._id));
    await cases.insertMany(batch as never[]);
  }
  progress(
    `seeded ${settings.BENCH_OPEN_CASES} open cases in ${SUBMISSION_REGION}; building the app`,
  );
  const app = await buildBenchApp(connection);
  const families = Array.from({ length: settings.BENCH_FAMILIES }, (_, i) => ({
    from: `+2126${String(30_000_000 + i)}`,
    script: familyScript(i),
  }));
  progress(`app ready; ${families.length} families answer up to the last question`);
  await Promise.all(
    families.map(async ({ from, script }) => {
      for (const text of script.slice(0, -1)) await say(app, from, text);
    }),
  );
  progress('every family is at the last question; all submit at once');
  const timings: number[] = [];
  const t0All = performance.now();
  await Promise.all(
    families.map(async ({ from, script }) => {
      const t0 = performance.now();
      await say(app, from, script.at(-1) ?? 'OK');
      timings.push(performance.now() - t0);
    }),
  );
  const seconds = (performance.now() - t0All) / 1000;
  const queued = new Set(
    (await app.cases.queue(['pending'], { kind: 'region', region: SUBMISSION_REGION })).map(
      (entry) => entry._id,
    ),
  );
  const submitted: string[] = [];
  for (const { from } of families) {
    const latest = await app.cases.latestForReporter('dev', from);
    if (latest) submitted.push(latest.id);
  }
  const missing = [...seeded, ...submitted].filter((id) => !queued.has(id)).length;
  timings.sort((a, b) => a - b);
  await app.http.close();
  await connection.dropDatabase();
  await connection.close();
  process.stdout.write(
    `${JSON.stringify({
      scenario: 'queue-submissions',
      database: settings.BENCH_DATABASE,
      openCases: settings.BENCH_OPEN_CASES,
      families: families.length,
      submitted: submitted.length,
      seconds: Number(seconds.toFixed(2)),
      p50Ms: Number(percentile(timings, 50).toFixed(2)),
      p99Ms: Number(percentile(timings, 99).toFixed(2)),
      maxMs: Number((timings.at(-1) ?? 0).toFixed(2)),
      queued: queued.size,
      expected: seeded.length + submitted.length,
      missing,
    })}\n`,
  );
}

async function main(): Promise<void> {
  const connection = await connect(settings.MONGODB_URI, `tifli_bench_queue_${Date.now()}`);
  // Seeding is set-up, not what is measured: straight into the collection
  // (the app builds its queue boards from it when it starts).
  const cases = connection.collection('cases');
  for (let from = 0; from < settings.BENCH_CASES; from += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, settings.BENCH_CASES - from) }, (_, k) =>
      inventedCase(from + k),
    );
    await cases.insertMany(batch as never[]);
  }
  progress(
    `seeded ${settings.BENCH_CASES} cases; building the app (queue boards rebuilt from the cases)`,
  );
  const app = await buildBenchApp(connection);
  progress('app ready');
  const password = 'benchmark passphrase, invented';
  await app.officers.create({
    username: 'bench.officer',
    password,
    role: 'officer',
    region: 'casablanca-settat',
  });
  await app.officers.create({
    username: 'bench.admin',
    password,
    role: 'admin',
    region: 'rabat-sale-kenitra',
  });

  const results: Record<string, { p50Ms: number; p95Ms: number; rows: number }> = {};
  for (const username of ['bench.officer', 'bench.admin']) {
    progress(`timing the queue as ${username}`);
    const login = await app.http.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username, password },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    const timings: number[] = [];
    let rows = 0;
    for (let i = 0; i < settings.BENCH_REQUESTS + 10; i++) {
      const t0 = performance.now();
      const response = await app.http.inject({
        method: 'GET',
        url: '/api/cases?status=pending',
        headers: { cookie },
      });
      const elapsed = performance.now() - t0;
      if (response.statusCode !== 200) throw new Error(`queue answered ${response.statusCode}`);
      rows = response.json<{ cases: unknown[] }>().cases.length;
      if (i >= 10) timings.push(elapsed); // the first ten warm up
    }
    timings.sort((a, b) => a - b);
    results[username === 'bench.admin' ? 'admin' : 'officer'] = {
      p50Ms: Number(percentile(timings, 50).toFixed(2)),
      p95Ms: Number(percentile(timings, 95).toFixed(2)),
      rows,
    };
  }
  await app.http.close();
  await connection.dropDatabase();
  await connection.close();
  process.stdout.write(
    `${JSON.stringify({ scenario: 'queue', cases: settings.BENCH_CASES, requests: settings.BENCH_REQUESTS, ...results })}\n`,
  );
}

await (run === 'api' ? main() : submissions());
