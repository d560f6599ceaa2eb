import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { connect } from '../../src/database.js';

/**
 * The backends every port's contract suite runs against: the in-memory
 * adapters, the embedded FerretDB (with the embedded adapters where it needs
 * its own shapes) and mongo-java-server running the MongoDB adapters. The
 * servers are started once by the global setup; each suite gets a fresh
 * database on them.
 */
export type Backend =
  | { kind: 'memory' }
  | { kind: 'embedded'; connection: Connection }
  | { kind: 'mongo'; connection: Connection };

export type BackendKind = Backend['kind'];

export const BACKEND_KINDS: readonly BackendKind[] = ['memory', 'embedded', 'mongo'];

/** Where each MongoDB-wire backend's server listens (provided by test/support/globalSetup.ts). */
function uriOf(kind: Exclude<BackendKind, 'memory'>): string {
  return kind === 'embedded' ? inject('mongodbUri') : inject('mongoJavaUri');
}

/**
 * Declares `body` once per backend, inside a `describe` named after the port
 * and the backend. `backend()` is valid inside the tests and hooks.
 */
export function describeContract(
  port: string,
  body: (backend: () => Backend) => void,
  kinds: readonly BackendKind[] = BACKEND_KINDS,
): void {
  for (const kind of kinds) {
    describe(`${port} on ${kind}`, () => {
      let current: Backend | null = null;
      beforeAll(async () => {
        if (kind === 'memory') {
          current = { kind };
          return;
        }
        const connection = await connect(uriOf(kind), `tifli_contract_${randomUUID().slice(0, 8)}`);
        current = { kind, connection };
      });
      afterAll(async () => {
        if (current && current.kind !== 'memory') {
          await current.connection.dropDatabase();
          await current.connection.close();
        }
      });
      body(() => {
        if (!current) throw new Error('the backend is used outside a test');
        return current;
      });
    });
  }
}
