import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditHeadFile } from '../../src/adapters/files/auditHeadFile.js';
import { AuditLog } from '../../src/adapters/mongo/auditLog.js';
import {
  type AuditEntry,
  DEVELOPMENT_AUDIT_SECRET,
  entryHash,
  type NewAuditEntry,
} from '../../src/core/audit.js';
import { connectTestDatabase } from '../support/database.js';

/**
 * Someone with write access to the embedded database (but not to the
 * service's configuration or DATA_DIR) alters the audit trail; `verify`
 * must say so every time.
 */
const SECRET = 'an-invented-audit-key-of-the-service-0123456789';

let connection: Connection;
let dataDir: string;
let checkpoint: AuditHeadFile;
let audit: AuditLog;

const START = new Date('2026-11-28T16:00:00Z');
function action(n: number): NewAuditEntry {
  return {
    at: new Date(START.getTime() + n * 1_000),
    actor: `officer.${n % 3}`,
    action: 'case.viewed',
    caseId: `case-${n % 2}`,
    details: { n },
  };
}

const stored = () => connection.collection<AuditEntry>('audit');

/** Rewrites entry `from` and recomputes every hash after it, as a forger without the key would. */
async function rewriteAndRecompute(
  from: number,
  hashOf: (entry: Omit<AuditEntry, 'hash'>) => string,
) {
  const entries = await stored().find().sort({ _id: 1 }).toArray();
  let previous = entries.find((e) => e._id === from - 1)?.hash;
  for (const entry of entries.filter((e) => e._id >= from)) {
    const { hash: _old, ...rest } = entry;
    const changed = {
      ...rest,
      ...(entry._id === from ? { actor: 'someone.else' } : {}),
      prevHash: previous ?? rest.prevHash,
    };
    const hash = hashOf(changed);
    await stored().replaceOne({ _id: entry._id }, { ...changed, hash });
    previous = hash;
  }
}

beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
  dataDir = await mkdtemp(join(tmpdir(), 'tifli-audit-fault-'));
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await stored().deleteMany({});
  await connection.collection('audit_head').deleteMany({});
  checkpoint = new AuditHeadFile(join(dataDir, `head-${Math.random()}.json`), connection.name);
  audit = new AuditLog(connection, { secret: SECRET, checkpoint });
  for (let n = 1; n <= 8; n++) await audit.append(action(n));
  expect(await audit.verify()).toMatchObject({ ok: true, entries: 8 });
});

describe('the audit chain under tampering', () => {
  it('keeps the head outside the database, in step with the appends', async () => {
    const last = await stored().findOne({ _id: 8 });
    expect(await checkpoint.read()).toEqual({ entries: 8, hash: last?.hash });
  });

  it('detects a deleted middle entry', async () => {
    await stored().deleteOne({ _id: 4 });
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 4, problem: 'gap' });
  });

  it('detects the last entries deleted, against the checkpoint file', async () => {
    await stored().deleteMany({ _id: { $gte: 6 } });
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 6, problem: 'truncated' });
  });

  it('detects the last entries deleted, against a head a person kept', async () => {
    const kept = await audit.verify();
    if (!kept.ok || !kept.head) throw new Error('the chain should hold here');
    const withoutFile = new AuditLog(connection, { secret: SECRET });
    await stored().deleteMany({ _id: { $gte: 7 } });
    expect(await withoutFile.verify()).toMatchObject({ ok: true, entries: 6 });
    expect(await withoutFile.verify({ heads: [kept.head] })).toMatchObject({
      ok: false,
      problem: 'truncated',
    });
  });

  it('detects a rewritten entry', async () => {
    await stored().updateOne({ _id: 5 }, { $set: { actor: 'someone.else' } });
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 5, problem: 'hash' });
  });

  it('detects a rewritten entry with every following hash recomputed without the key', async () => {
    // With plain SHA-256 (what the first chain used), keyed as version 2…
    await rewriteAndRecompute(5, (entry) =>
      createHash('sha256').update(JSON.stringify(entry)).digest('hex'),
    );
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 5, problem: 'hash' });
  });

  it('detects a chain recomputed with a guessed key (the development one)', async () => {
    await rewriteAndRecompute(3, (entry) => entryHash(entry, DEVELOPMENT_AUDIT_SECRET));
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 3, problem: 'hash' });
  });

  it('detects a chain recomputed as unkeyed entries of the first version', async () => {
    // Downgrading from entry 4 on: an unkeyed entry after keyed ones.
    await rewriteAndRecompute(4, ({ v: _v, ...entry }) => entryHash(entry, ''));
    const downgraded = await stored()
      .find({ _id: { $gte: 4 } })
      .toArray();
    for (const entry of downgraded)
      await stored().updateOne({ _id: entry._id }, { $unset: { v: '' } });
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 4, problem: 'version' });
  });

  it('detects the whole chain rewritten as unkeyed entries, against the checkpoint', async () => {
    await rewriteAndRecompute(1, ({ v: _v, ...entry }) => entryHash(entry, ''));
    await stored().updateMany({}, { $unset: { v: '' } });
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: 8, problem: 'head' });
  });
});
