import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Connection } from 'mongoose';
import { inject } from 'vitest';
import type { Clock } from '../../src/app/ports/clock.js';
import type { ConversationStore } from '../../src/app/ports/conversationStore.js';
import { type App, type AppDeps, buildApp, type WhatsAppCloudDeps } from '../../src/compose.js';
import { connect } from '../../src/database.js';
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
  options: {
    now?: Date;
    dbName?: string;
    conversations?: ConversationStore;
    trustProxy?: boolean;
    /** `mongo`: the MongoDB adapters, on the second MongoDB-wire server (mongo-java-server). */
    database?: 'embedded' | 'mongo';
    /** HTTP settings a test changes: rate limits, the dev channel's peers, session checks of live events. */
    http?: Pick<AppDeps, 'devChannelAnyPeer' | 'httpRateLimits' | 'liveEventSessionCheckMs'>;
    /** The Cloud API webhook alone, with its sink and status recorder (tests of the inbound side). */
    whatsappCloud?: WhatsAppCloudDeps;
    /** More of the app's dependencies (a channel, shorter retries…). */
    deps?: Partial<AppDeps>;
  } = {},
): Promise<TestApp> {
  const { connection, dbName } =
    options.database === 'mongo'
      ? await connectMongoWire(options.dbName)
      : await connectTestDatabase(options.dbName);
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
    loginThrottle: {
      baseDelayMs: 1,
      maxDelayMs: 5,
      maxFailures: 10,
      addressScale: 5,
      windowMs: 15 * 60_000,
    },
    ...(options.conversations ? { conversations: options.conversations } : {}),
    ...(options.trustProxy ? { trustProxy: true } : {}),
    ...(options.database ? { database: options.database } : {}),
    ...options.http,
    ...(options.whatsappCloud ? { whatsappCloud: options.whatsappCloud } : {}),
    ...options.deps,
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

/** A fresh database on the server the MongoDB adapters are tested on. */
async function connectMongoWire(dbName = `tifli_test_${randomUUID().slice(0, 8)}`) {
  const connection = await connect(inject('mongoJavaUri'), dbName);
  return { connection, dbName };
}
