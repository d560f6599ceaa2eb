import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  type EmbeddedFerretDb,
  startEmbeddedFerretDb,
} from '../../src/adapters/embedded/embeddedFerretDb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongodbUri: string;
  }
}

/**
 * Starts the real database the tests talk to: `MONGODB_URI` when it is set,
 * otherwise an embedded FerretDB in a temporary directory, removed afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = process.env.MONGODB_URI;
  if (fromEnv) {
    project.provide('mongodbUri', fromEnv);
    return async () => undefined;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'tifli-test-db-'));
  const server: EmbeddedFerretDb = await startEmbeddedFerretDb({ dataDir });
  project.provide('mongodbUri', server.uri);
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
