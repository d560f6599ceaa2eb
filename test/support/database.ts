import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { connect } from '../../src/database.js';

/** Connects to the test database server (started by globalSetup) under a fresh database name. */
export async function connectTestDatabase(dbName = `tifli_test_${randomUUID().slice(0, 8)}`) {
  const connection = await connect(inject('mongodbUri'), dbName);
  return { connection, dbName };
}
