import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import {
  type EmbeddedExposure,
  startEmbeddedFerretDb,
} from './adapters/embedded/embeddedFerretDb.js';
import { superviseEmbeddedFerretDb } from './adapters/embedded/ferretDbSupervisor.js';
import type { Logger } from './logger.js';

/** An open database and how to close everything that was opened for it. */
export interface Database {
  connection: Connection;
  /** Where it lives, without credentials, for logs. */
  description: string;
  /** The embedded FerretDB this process started, if it did: how it is reached, its process. */
  embedded?: { exposure: EmbeddedExposure; pid: number | undefined };
  close(): Promise<void>;
}

/**
 * How long one database operation of the service waits for a server before it
 * fails: a turn that cannot reach the database apologises after about this
 * long instead of hanging (the driver reconnects by itself once it is back).
 */
export const SERVICE_OPERATION_TIMEOUT_MS = 2_000;

/** The service keeps its own embedded database running, and says when it cannot. */
export interface DatabaseSupervision {
  logger: Logger;
  /** The embedded database could not be brought back: the service must stop. */
  onLost: (reason: string) => void;
}

/**
 * Connects to `MONGODB_URI` when it is set; otherwise starts the embedded
 * FerretDB with its files in `dataDir`, so a restart keeps everything. With
 * `supervision` (the service), the embedded FerretDB is restarted when it
 * exits and operations give up after {@link SERVICE_OPERATION_TIMEOUT_MS};
 * without it (the CLI), it is a plain child process and operations wait longer.
 */
export async function openDatabase(options: {
  mongodbUri?: string;
  dataDir: string;
  dbName?: string;
  supervision?: DatabaseSupervision;
  /** The embedded launcher to run (the one the prepare step built by default). */
  ferretDbBinary?: string;
}): Promise<Database> {
  const operationTimeoutMs = options.supervision ? SERVICE_OPERATION_TIMEOUT_MS : undefined;
  if (options.mongodbUri) {
    const connection = await connect(
      options.mongodbUri,
      options.dbName,
      10_000,
      operationTimeoutMs,
    );
    return {
      connection,
      description: redactUri(options.mongodbUri),
      close: () => connection.close(),
    };
  }
  const dbDir = `${options.dataDir}/db`;
  // A command (`npm run officer`, `npm run audit`) next to a running service
  // uses that service's database server rather than opening the same files twice.
  const running = await readRunningUri(dbDir);
  if (running) {
    try {
      const connection = await connect(running, options.dbName, 2_000);
      return {
        connection,
        description: `embedded FerretDB (${dbDir}, shared)`,
        close: () => connection.close(),
      };
    } catch {
      // Not running any more: start our own below.
    }
  }
  const binary = options.ferretDbBinary ? { binary: options.ferretDbBinary } : {};
  const embedded = options.supervision
    ? await superviseEmbeddedFerretDb({
        dataDir: dbDir,
        ...binary,
        logger: options.supervision.logger,
        onLost: options.supervision.onLost,
      })
    : await startEmbeddedFerretDb({ dataDir: dbDir, ...binary });
  await writeFile(join(dbDir, RUNNING_URI_FILE), embedded.uri);
  try {
    const connection = await connect(embedded.uri, options.dbName, 10_000, operationTimeoutMs);
    return {
      connection,
      description:
        embedded.exposure === 'socket'
          ? `embedded FerretDB (${dbDir}, private socket)`
          : `embedded FerretDB (${dbDir}, loopback TCP: any local process can connect; rebuild the launcher with "node scripts/prepare.mjs" for a private socket)`,
      embedded: {
        exposure: embedded.exposure,
        pid: typeof embedded.pid === 'function' ? embedded.pid() : embedded.pid,
      },
      close: async () => {
        await connection.close();
        await rm(join(dbDir, RUNNING_URI_FILE), { force: true });
        await embedded.stop();
      },
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

/** Where the embedded server's address is written while it runs. */
const RUNNING_URI_FILE = 'running.uri';

async function readRunningUri(dbDir: string): Promise<string | null> {
  try {
    const uri = (await readFile(join(dbDir, RUNNING_URI_FILE), 'utf8')).trim();
    // A loopback port, or the private socket (its path percent-encoded).
    return /^mongodb:\/\/(127\.0\.0\.1:\d+|%2F[\w.%-]+)\/$/.test(uri) ? uri : null;
  } catch {
    return null;
  }
}

/**
 * Opens one connection (not mongoose's global one: tests open several),
 * waiting up to `timeoutMs` for the server to answer first. After that, an
 * operation waits at most `operationTimeoutMs` for a server: mongoose does
 * not buffer commands while disconnected (its buffer would make every call
 * wait 10 s), and the driver checks the server every 2 s, so a database that
 * died or froze is noticed within seconds (in-flight operations fail, the
 * pool is cleared) and a database that came back is used again by itself.
 */
export async function connect(
  uri: string,
  dbName?: string,
  timeoutMs = 10_000,
  operationTimeoutMs = timeoutMs,
): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connection = mongoose.createConnection(uri, {
      ...(dbName ? { dbName } : {}),
      serverSelectionTimeoutMS: Math.min(operationTimeoutMs, timeoutMs),
      // A heartbeat that gets no answer within this marks the server down and
      // interrupts the operations waiting on it (a frozen server never answers).
      connectTimeoutMS: Math.max(operationTimeoutMs, 2_000),
      heartbeatFrequencyMS: 2_000,
      bufferCommands: false,
      // FerretDB and a real replica set both accept these; retries make a
      // failover invisible to a family mid-report.
      retryWrites: true,
      autoIndex: true,
      maxPoolSize: 10,
    });
    try {
      await connection.asPromise();
      return connection;
    } catch (error) {
      // The error that matters is the one rethrown; a half-open connection may refuse to close.
      await connection.close().catch(() => undefined);
      if (Date.now() >= deadline) throw error;
    }
  }
}

function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
