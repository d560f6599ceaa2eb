import mongoose, { type Connection } from 'mongoose';
import { startEmbeddedFerretDb } from './embeddedFerretDb.js';

/** An open database and how to close everything that was opened for it. */
export interface Database {
  connection: Connection;
  /** Where it lives, without credentials, for logs. */
  description: string;
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
}): Promise<Database> {
  const embedded = options.mongodbUri
    ? undefined
    : await startEmbeddedFerretDb({ dataDir: `${options.dataDir}/db` });
  const uri = options.mongodbUri ?? embedded?.uri ?? '';
  try {
    const connection = await connect(uri, options.dbName);
    return {
      connection,
      description: embedded ? `embedded FerretDB (${options.dataDir}/db)` : redactUri(uri),
      close: async () => {
        await connection.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

/** Opens one connection (not mongoose's global one: tests open several). */
export async function connect(uri: string, dbName?: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    ...(dbName ? { dbName } : {}),
    serverSelectionTimeoutMS: 10_000,
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
