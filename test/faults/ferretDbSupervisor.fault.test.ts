import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type SupervisedFerretDb,
  superviseEmbeddedFerretDb,
} from '../../src/adapters/embedded/ferretDbSupervisor.js';
import { connect } from '../../src/database.js';
import { createLogger } from '../../src/logger.js';

let supervised: SupervisedFerretDb | undefined;
let dir: string | undefined;
afterEach(async () => {
  await supervised?.stop();
  supervised = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function captured() {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  return { logs, logger: createLogger({ level: 'info' }, sink) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const fastPolicy = { maxRestarts: 3, windowMs: 60_000, firstDelayMs: 50, maxDelayMs: 200 };

describe('the embedded database supervisor (its own FerretDB, not the shared one)', () => {
  it('restarts a FerretDB that was killed, on the same address, with the data kept', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tifli-supervisor-'));
    const { logger, logs } = captured();
    const lost: string[] = [];
    supervised = await superviseEmbeddedFerretDb({
      dataDir: dir,
      logger,
      onLost: (reason) => lost.push(reason),
      policy: fastPolicy,
    });
    const connection = await connect(supervised.uri, 'supervised');
    try {
      await connection.collection<{ _id: string }>('things').insertOne({ _id: 'kept' });
      const first = supervised.pid();
      process.kill(first ?? 0, 'SIGKILL');
      await until(() => supervised?.pid() !== undefined && supervised.pid() !== first, 'restart');
      // The same connection finds the same data once the driver has reconnected.
      await until(() => connection.readyState === 1, 'reconnected');
      const found = await (async () => {
        for (;;) {
          try {
            return await connection.collection<{ _id: string }>('things').findOne({ _id: 'kept' });
          } catch {
            // The pool may still hold a connection to the killed process: try again.
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      })();
      expect(found).not.toBeNull();
      expect(lost).toEqual([]);
      expect(logs.join('')).toContain('embedded database restarted');
    } finally {
      await connection.close();
    }
  });

  it('gives up, once, when it cannot bring FerretDB back (its data directory is gone)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tifli-supervisor-'));
    const dataDir = join(dir, 'db');
    const { logger, logs } = captured();
    const lost: string[] = [];
    supervised = await superviseEmbeddedFerretDb({
      dataDir,
      logger,
      onLost: (reason) => lost.push(reason),
      policy: fastPolicy,
    });
    // A disk problem: where the files were is now something FerretDB cannot use.
    await rm(dataDir, { recursive: true, force: true });
    await writeFile(dataDir, 'not a directory');
    process.kill(supervised.pid() ?? 0, 'SIGKILL');
    await until(() => lost.length > 0, 'the supervisor gave up');
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain('could not be kept running');
    expect(logs.join('')).toContain('embedded database restart failed');
  });
});
