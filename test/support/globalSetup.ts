import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  type EmbeddedFerretDb,
  startEmbeddedFerretDb,
} from '../../src/adapters/embedded/embeddedFerretDb.js';
import { startMongoJavaServer } from './mongoJavaServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server the app-level tests run on: the embedded FerretDB unless `MONGODB_URI` is set. */
    mongodbUri: string;
    /** Which adapters the app-level tests build: embedded on FerretDB, mongo on a real MongoDB. */
    appDatabase: 'embedded' | 'mongo';
    /**
     * The server the MongoDB adapters' contract suites run on: mongo-java-server,
     * unless `TEST_MONGO_URI` names a real MongoDB (the replica-set CI).
     */
    mongoJavaUri: string;
  }
}

/**
 * Starts the real database servers the tests talk to and stops them after:
 * an embedded FerretDB in a temporary directory (or `MONGODB_URI`), and
 * mongo-java-server (or `TEST_MONGO_URI`). Both start in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  const fromEnv = process.env.MONGODB_URI;
  const mongoFromEnv = process.env.TEST_MONGO_URI;

  const embedded = async (): Promise<void> => {
    if (fromEnv) {
      project.provide('mongodbUri', fromEnv);
      project.provide('appDatabase', 'mongo');
      return;
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'tifli-test-db-'));
    // On loopback TCP, not the service's private socket: every test worker
    // connects to this one server, and some tests build URIs from it.
    const server: EmbeddedFerretDb = await startEmbeddedFerretDb({ dataDir, listen: 'tcp' });
    project.provide('mongodbUri', server.uri);
    project.provide('appDatabase', 'embedded');
    stops.push(async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
  };
  const mongo = async (): Promise<void> => {
    if (mongoFromEnv) {
      project.provide('mongoJavaUri', mongoFromEnv);
      return;
    }
    const server = await startMongoJavaServer();
    project.provide('mongoJavaUri', server.uri);
    stops.push(() => server.stop());
  };

  try {
    await Promise.all([embedded(), mongo()]);
  } catch (error) {
    await Promise.allSettled(stops.map((stop) => stop()));
    throw error;
  }
  return async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
  };
}
