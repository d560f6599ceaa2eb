import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import {
  type EmbeddedExposure,
  startEmbeddedFerretDb,
} from './adapters/embedded/embeddedFerretDb.js';

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
 * Connects to `MONGODB_URI` when it is set; otherwise starts the embedded
 * FerretDB with its files in `dataDir`, so a restart keeps everything.
 */
export async function openDatabase(options: {
  mongodbUri?: string;
  dataDir: string;
  dbName?: string;
  /** The embedded launcher to run (the one the prepare step built by default). */
  ferretDbBinary?: string;
}): Promise<Database> {
  if (options.mongodbUri) {
    const connection = await connect(options.mongodbUri, options.dbName);
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
  const embedded = await startEmbeddedFerretDb({
    dataDir: dbDir,
    ...(options.ferretDbBinary ? { binary: options.ferretDbBinary } : {}),
  });
  await writeFile(join(dbDir, RUNNING_URI_FILE), embedded.uri);
  try {
    const connection = await connect(embedded.uri, options.dbName);
    return {
      connection,
      description:
        embedded.exposure === 'socket'
          ? `embedded FerretDB (${dbDir}, private socket)`
          : `embedded FerretDB (${dbDir}, loopback TCP: any local process can connect; rebuild the launcher with "node scripts/prepare.mjs" for a private socket)`,
      embedded: { exposure: embedded.exposure, pid: embedded.pid },
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

/** Opens one connection (not mongoose's global one: tests open several). */
export async function connect(
  uri: string,
  dbName?: string,
  timeoutMs = 10_000,
): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    ...(dbName ? { dbName } : {}),
    serverSelectionTimeoutMS: timeoutMs,
    // FerretDB and a real replica set both accept these; retries make a
    // failover invisible to a family mid-report.
    retryWrites: true,
    autoIndex: true,
    maxPoolSize: 10,
  });
  await connection.asPromise();
  return connection;
}

function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
