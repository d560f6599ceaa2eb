import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import { connect } from '../../src/database.js';
import { freePort, startService, waitReady } from '../support/serviceProcess.js';

/**
 * The embedded database fails under 20 families in the middle of their
 * reports, on a real service process that runs its OWN FerretDB (not the
 * shared test server): killed, or frozen for 40 s. No answer may be lost, no
 * family left without their next question, the service must recover without
 * being restarted, and its health routes must tell the truth throughout.
 */

const root = join(import.meta.dirname, '..', '..');
const texts = loadTranslator(join(root, 'locales'));
const FAMILIES = 20;
/** A family's answers after the consent, and the question each one brings. */
const ANSWERS: ReadonlyArray<[answer: string, next: string]> = [
  ['1', 'reporter_name'],
  ['Karima Bennani', 'child_name'],
  ['Yassine Bennani', 'child_sex'],
  ['garçon', 'child_age'],
  ['7', 'child_photo'],
  ['passer', 'child_height'],
  ['1m20', 'child_build'],
  ['mince', 'child_hair'],
  ['cheveux noirs courts', 'child_marks'],
  ['passer', 'child_clothing'],
  ['t-shirt rouge, jean bleu', 'last_seen_at'],
];
const prompt = (node: string) => texts.t('fr', `report:${node}.prompt`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Answers the families have had accepted so far, to inject the fault mid-way. */
let progressed = 0;

interface Running {
  service: ReturnType<typeof startService>;
  port: number;
  dataDir: string;
}

let running: Running | undefined;
const frozen = new Set<number>();

afterEach(async () => {
  for (const pid of frozen) signal(pid, 'SIGCONT');
  frozen.clear();
  if (running) {
    const { child } = running.service;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([once(child, 'exit'), sleep(20_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(running.dataDir, { recursive: true, force: true });
    running = undefined;
  }
});

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Already gone: nothing to signal.
    if (!(error instanceof Error && 'code' in error && error.code === 'ESRCH')) throw error;
  }
}

async function startOwnService(): Promise<Running> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tifli-fault-'));
  const port = await freePort();
  const service = startService({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DEV_CHANNEL: '1',
    // Its own embedded FerretDB, whatever the other tests run on.
    DATABASE_ADAPTERS: 'embedded',
    LOG_HASH_SECRET: 'fault-test-secret-0001',
  });
  running = { service, port, dataDir };
  await waitReady(port, service);
  return running;
}

/** The FerretDB process ids the service logged, oldest first. */
function ferretPids(output: string): number[] {
  return [...output.matchAll(/"ferretdbPid":(\d+)/g)].map((match) => Number(match[1]));
}

async function post(
  port: number,
  from: string,
  text: string,
  id: string,
): Promise<string[] | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/dev/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from, text, id }),
      signal: AbortSignal.timeout(60_000),
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { replies: Array<{ text: string }> };
    return body.replies.map((reply) => reply.text);
  } catch {
    // The request failed as a whole: the family saw nothing, as with no answer.
    return null;
  }
}

async function outbox(port: number, to: string): Promise<string[]> {
  try {
    const response = await fetch(
      `http://127.0.0.1:${port}/dev/outbox?to=${encodeURIComponent(to)}`,
      { signal: AbortSignal.timeout(10_000) },
    );
    if (!response.ok) return [];
    const body = (await response.json()) as { messages: Array<{ text: string }> };
    return body.messages.map((message) => message.text);
  } catch {
    return [];
  }
}

/**
 * One family as a person behaves: answers the question asked; after an
 * apology (or silence) waits for the bot to write again, and an impatient one
 * sends the same message again (the same id, as a redelivery) every few seconds.
 * Resolves with the last thing the family was told.
 */
async function family(port: number, from: string, impatient: boolean): Promise<string> {
  const started = await post(port, from, 'Bonjour, mon fils a disparu', `${from}-hello`);
  const consent = await post(port, from, 'oui', `${from}-consent`);
  if (!started || !consent?.join('\n').includes(prompt('relationship'))) {
    throw new Error(`${from}: the report did not start`);
  }
  let last = consent.join('\n');
  let seen = 0;
  for (let k = 0; k < ANSWERS.length; ) {
    const [answer, next] = ANSWERS[k] ?? ['', ''];
    const current = k === 0 ? 'relationship' : (ANSWERS[k - 1]?.[1] ?? '');
    const replies = await post(port, from, answer, `${from}-${k}`);
    const said = replies?.join('\n') ?? '';
    if (said.includes(prompt(next))) {
      last = said;
      k++;
      progressed++;
      await sleep(500);
      continue;
    }
    // No progress: an apology, nothing, or no answer at all. Wait for the bot.
    const deadline = Date.now() + 180_000;
    const waitedSince = Date.now();
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${from}: stranded at ${current}`);
      const sent = await outbox(port, from);
      const fresh = sent.slice(seen);
      if (fresh.some((text) => text.includes(prompt(next)))) {
        seen = sent.length;
        last = fresh.join('\n');
        k++;
        progressed++;
        break;
      }
      if (fresh.some((text) => text.includes(prompt(current)))) {
        // Asked the same question again: the answer was not saved; send it again.
        seen = sent.length;
        break;
      }
      if (impatient && Date.now() - waitedSince > 3_000) break;
      await sleep(500);
    }
  }
  return last;
}

/** Polls both health routes until `stop()`, recording every status seen. */
function watchHealth(port: number) {
  const seen = { healthz: new Set<number>(), readyz: new Set<number>(), slowestMs: 0 };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const route of ['healthz', 'readyz'] as const) {
        const began = Date.now();
        try {
          const response = await fetch(`http://127.0.0.1:${port}/${route}`, {
            signal: AbortSignal.timeout(10_000),
          });
          seen[route].add(response.status);
        } catch {
          seen[route].add(0);
        }
        seen.slowestMs = Math.max(seen.slowestMs, Date.now() - began);
      }
      await sleep(250);
    }
  })();
  return {
    seen,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function healthIs(port: number, route: string, status: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/${route}`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status === status) return;
    } catch {
      // not answering: keep waiting
    }
    if (Date.now() > deadline) throw new Error(`/${route} never answered ${status}`);
    await sleep(250);
  }
}

/** Runs the 20 families; `fault` is injected once they are well into their reports. */
async function conversationsThrough(
  run: Running,
  fault: () => Promise<void>,
): Promise<{ finals: string[]; numbers: string[] }> {
  const numbers = Array.from(
    { length: FAMILIES },
    (_, i) =>
      `+2126001${String(Math.floor(Math.random() * 900) + 100)}${String(i).padStart(2, '0')}`,
  );
  progressed = 0;
  const families = numbers.map((from, i) => family(run.port, from, i % 2 === 0));
  const injected = (async () => {
    // Once the families are, on average, three answers into their reports.
    while (progressed < FAMILIES * 3) await sleep(100);
    await fault();
  })();
  const finals = await Promise.all(families);
  await injected;
  return { finals, numbers };
}

/** Every family's stored answers, read from the service's own database. */
async function storedAnswers(run: Running, numbers: string[]) {
  const uri = (await readFile(join(run.dataDir, 'db', 'running.uri'), 'utf8')).trim();
  const connection = await connect(uri);
  try {
    const states = [];
    for (const from of numbers) {
      const stored = await connection
        .collection<{ _id: string; state: string }>('conversations')
        .findOne({ _id: `dev:${from}` });
      states.push(
        JSON.parse(stored?.state ?? 'null') as {
          flow: { nodeId: string; answers: Record<string, unknown> };
        } | null,
      );
    }
    return states;
  } finally {
    await connection.close();
  }
}

function expectNothingLost(
  finals: string[],
  states: Awaited<ReturnType<typeof storedAnswers>>,
): void {
  // Every family ends with the next question…
  for (const final of finals) expect(final).toContain(prompt('last_seen_at'));
  // …and every answer is stored, once, in its place.
  for (const state of states) {
    expect(state?.flow.nodeId).toBe('last_seen_at');
    expect(state?.flow.answers).toMatchObject({
      'reporter.relationship': 'parent',
      'reporter.name': 'Karima Bennani',
      'child.fullName': 'Yassine Bennani',
      'child.sex': 'boy',
      'child.build': 'mince',
      'child.hair': 'cheveux noirs courts',
      'child.marks': null,
      'child.clothing': 't-shirt rouge, jean bleu',
    });
  }
}

function expectSameService(child: ChildProcess, output: string): void {
  expect(child.exitCode).toBeNull();
  expect(output.match(/Tifli is running/g)).toHaveLength(1);
}

describe('the embedded database fails during 20 conversations', () => {
  it('killed (SIGKILL): it is restarted, the service recovers by itself, nothing is lost', async () => {
    const run = await startOwnService();
    const [firstPid] = ferretPids(run.service.output());
    expect(firstPid).toBeGreaterThan(0);
    const health = watchHealth(run.port);
    const { finals, numbers } = await conversationsThrough(run, async () => {
      signal(firstPid ?? 0, 'SIGKILL');
    });
    await health.stop();

    expect(run.service.output()).toContain('embedded database exited; restarting it');
    expect(run.service.output()).toContain('embedded database restarted');
    expect(ferretPids(run.service.output()).at(-1)).not.toBe(firstPid);
    await healthIs(run.port, 'healthz', 200);
    await healthIs(run.port, 'readyz', 200);
    expectNothingLost(finals, await storedAnswers(run, numbers));
    expectSameService(run.service.child, run.service.output());
    process.stdout.write(`kill: slowest health answer ${health.seen.slowestMs} ms\n`);
  }, 300_000);

  it('frozen for 40 s (SIGSTOP, SIGCONT): health says so, then everyone continues', async () => {
    const run = await startOwnService();
    const [pid] = ferretPids(run.service.output());
    expect(pid).toBeGreaterThan(0);
    const health = watchHealth(run.port);
    const { finals, numbers } = await conversationsThrough(run, async () => {
      signal(pid ?? 0, 'SIGSTOP');
      frozen.add(pid ?? 0);
      // Honest while it is frozen: both routes say the database is unreachable.
      await healthIs(run.port, 'healthz', 503);
      await healthIs(run.port, 'readyz', 503);
      await sleep(40_000);
      signal(pid ?? 0, 'SIGCONT');
      frozen.delete(pid ?? 0);
    });
    await health.stop();

    expect(health.seen.healthz).toContain(503);
    expect(health.seen.readyz).toContain(503);
    // The freeze was felt: turns failed, and their families were written to again.
    expect(run.service.output()).toContain('turn failed');
    expect(run.service.output()).toContain('conversation resumed after a failed turn');
    await healthIs(run.port, 'healthz', 200);
    await healthIs(run.port, 'readyz', 200);
    // The same FerretDB process came back: nothing restarted anything.
    expect(ferretPids(run.service.output())).toEqual([pid]);
    expectNothingLost(finals, await storedAnswers(run, numbers));
    expectSameService(run.service.child, run.service.output());
    process.stdout.write(`stop: slowest health answer ${health.seen.slowestMs} ms\n`);
  }, 300_000);
});
