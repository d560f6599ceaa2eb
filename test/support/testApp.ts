import { Writable } from 'node:stream';
import type { Storage } from 'botbuilder-core';
import type { Connection } from 'mongoose';
import { inject } from 'vitest';
import type { Clock } from '../../src/app/ports/clock.js';
import { type App, buildApp } from '../../src/compose.js';
import { createIdHasher, createLogger } from '../../src/logger.js';
import { connectTestDatabase } from './database.js';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = at;
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Everything a test needs: the real app on its own fresh database, and what it logged. */
export interface TestApp {
  app: App;
  connection: Connection;
  dbName: string;
  clock: ManualClock;
  logs: string[];
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/** Builds the same app as `src/main.ts`, on a fresh database. */
export async function createTestApp(
  options: { now?: Date; dbName?: string; storage?: Storage; trustProxy?: boolean } = {},
): Promise<TestApp> {
  const { connection, dbName } = await connectTestDatabase(options.dbName);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'info' }, sink);
  const clock = new ManualClock(options.now ?? new Date('2026-11-28T16:00:00Z'));
  const app = await buildApp({
    connection,
    database: inject('appDatabase'),
    logger,
    hashId: createIdHasher('test-secret-of-sixteen'),
    clock,
    devChannel: true,
    referencePrefix: 'TF',
    // Failed logins slow down in milliseconds here, so tests of the lock-out stay quick.
    loginThrottle: { baseDelayMs: 1, maxDelayMs: 5, maxFailures: 10, windowMs: 15 * 60_000 },
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.trustProxy ? { trustProxy: true } : {}),
  });
  return {
    app,
    connection,
    dbName,
    clock,
    logs,
    async close({ keepDatabase = false } = {}) {
      await app.http.close();
      if (!keepDatabase) await connection.dropDatabase();
      await connection.close();
    },
  };
}
