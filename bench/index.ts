/**
 * `npm run bench`: the conversation benchmark of issue 2. Each scenario runs
 * in its own process; the database one uses MONGODB_URI or an embedded
 * FerretDB started here. BENCH_FAMILIES sets N (default 200).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startEmbeddedFerretDb } from '../src/store/embeddedFerretDb.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultSchema = z.object({
  scenario: z.string(),
  families: z.number(),
  turns: z.number(),
  seconds: z.number(),
  turnsPerSecond: z.number(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  peakRssMb: z.number(),
});
type Result = z.infer<typeof resultSchema>;

function runScenario(name: string, env: Record<string, string>): Promise<Result> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench', 'conversationScenario.ts'), name],
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
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`scenario ${name} failed (${code})`));
      resolveRun(resultSchema.parse(JSON.parse(output.trim().split('\n').at(-1) ?? '{}')));
    });
  });
}

async function main(): Promise<void> {
  const results: Result[] = [];
  console.log(
    'Conversation benchmark: N families complete the report concurrently through the real turn pipeline.',
  );
  results.push(await runScenario('waterfall', {}));
  results.push(await runScenario('memory', {}));

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
    results.push(await runScenario('database', { MONGODB_URI: uri }));
  } finally {
    await stop();
  }

  console.table(
    results.map((r) => ({
      scenario: {
        waterfall: 'botbuilder WaterfallDialog + MemoryStorage (reference)',
        memory: 'Tifli, in-memory storage',
        database: `Tifli, real database (${process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded FerretDB'})`,
      }[r.scenario],
      families: r.families,
      turns: r.turns,
      'turns/s': r.turnsPerSecond,
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      'peak RSS MB': r.peakRssMb,
    })),
  );
  const [reference, memory, database] = results;
  if (reference && memory && database) {
    const ratio = memory.turnsPerSecond / reference.turnsPerSecond;
    console.log(
      `Aim: in-memory ≥ 2× reference turns/s → ${ratio.toFixed(2)}× ${ratio >= 2 ? '(met)' : '(NOT met)'}`,
    );
    console.log(
      `Aim: p99 < 100 ms with the real database → ${database.p99Ms} ms ${database.p99Ms < 100 ? '(met)' : '(NOT met)'}`,
    );
    const peak = Math.max(memory.peakRssMb, database.peakRssMb);
    console.log(`Aim: peak memory < 300 MB → ${peak} MB ${peak < 300 ? '(met)' : '(NOT met)'}`);
  }
}

await main();
