import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/adapters/mongo/auditLog.js';
import { connectTestDatabase } from '../support/database.js';

let connection: Connection;
beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

describe('AuditLog', () => {
  it('keeps one unbroken chain when many appends race, within a process and across two', async () => {
    // Two instances stand for two processes sharing the database.
    const one = new AuditLog(connection);
    const two = new AuditLog(connection);
    const appends = Array.from({ length: 120 }, (_, i) =>
      (i % 2 ? one : two).append({
        at: new Date(),
        actor: `officer.${i}`,
        action: 'case.viewed',
        caseId: `case-${i % 7}`,
        details: { i },
      }),
    );
    const entries = await Promise.all(appends);
    expect(new Set(entries.map((e) => e._id)).size).toBe(120);
    expect(await one.verify()).toEqual({ ok: true, entries: 120 });
    expect((await one.forCase('case-3')).length).toBe(17);
  });
});
