import { beforeEach, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../src/adapters/memory/memoryAuditTrail.js';
import { AuditLog } from '../../src/adapters/mongo/auditLog.js';
import type { AuditTrail } from '../../src/app/ports/auditTrail.js';
import {
  type AuditEntry,
  DEVELOPMENT_AUDIT_SECRET,
  entryHash,
  GENESIS_HASH,
  type NewAuditEntry,
} from '../../src/core/audit.js';
import { type Backend, describeContract } from './backends.js';

/**
 * The trail under test, and a way to change one stored entry behind its back
 * (what someone with write access to the database could do). Memory keeps its
 * entries private, so only the database backends can be tampered with.
 */
function auditFor(backend: Backend): {
  trail: AuditTrail;
  tamper: (id: number, actor: string) => Promise<void>;
} {
  switch (backend.kind) {
    case 'memory':
      return {
        trail: new MemoryAuditTrail(),
        tamper: async () => {
          throw new Error('the memory trail cannot be changed from outside');
        },
      };
    case 'embedded':
    case 'mongo': {
      const { connection } = backend;
      return {
        trail: new AuditLog(connection),
        tamper: async (id, actor) => {
          await connection
            .collection<{ _id: number }>('audit')
            .updateOne({ _id: id }, { $set: { actor } });
        },
      };
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const START = new Date('2026-11-28T16:00:00Z');

/** An invented officer's action on an invented case. */
function action(n: number, caseId = `case-${n % 3}`): NewAuditEntry {
  return {
    at: new Date(START.getTime() + n * 1_000),
    actor: `officer.${n % 4}`,
    action: 'case.viewed',
    caseId,
    details: { n, field: 'hobbies' },
  };
}

/** Fresh collections for each test: the chain spans the whole database. */
async function emptied(backend: Backend): Promise<void> {
  if (backend.kind === 'memory') return;
  await backend.connection.collection('audit').deleteMany({});
  await backend.connection.collection('audit_head').deleteMany({});
}

describeContract('AuditTrail', (backend) => {
  let trail: AuditTrail;
  beforeEach(async () => {
    await emptied(backend());
    ({ trail } = auditFor(backend()));
  });

  it('numbers the entries from 1 and chains each to the one before', async () => {
    const first = await trail.append(action(1));
    const second = await trail.append(action(2));
    expect(first).toMatchObject({ _id: 1, prevHash: GENESIS_HASH, actor: 'officer.1' });
    expect(second).toMatchObject({ _id: 2, prevHash: first.hash });
    expect(second.hash).not.toBe(first.hash);
    expect(await trail.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it('keeps one unbroken chain when 30 appends race', async () => {
    const entries = await Promise.all(
      Array.from({ length: 30 }, (_, i) => trail.append(action(i))),
    );
    expect(entries.map((e) => e._id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(await trail.verify()).toMatchObject({ ok: true, entries: 30 });
  });

  it("gives a case's entries oldest first, and only that case's", async () => {
    for (let n = 0; n < 9; n++) await trail.append(action(n));
    const entries = await trail.forCase('case-1');
    expect(entries.map((e) => e.details.n)).toEqual([1, 4, 7]);
    expect(entries.every((e) => e.caseId === 'case-1')).toBe(true);
    expect(await trail.forCase('case-unknown')).toEqual([]);
  });

  it('says an empty trail is intact', async () => {
    expect(await trail.verify()).toMatchObject({ ok: true, entries: 0 });
  });
});

describeContract(
  'AuditTrail in a database',
  (backend) => {
    beforeEach(async () => {
      await emptied(backend());
    });

    it('keeps one unbroken chain when two processes append at once', async () => {
      // Two instances stand for two processes sharing the database.
      const one = auditFor(backend()).trail;
      const two = auditFor(backend()).trail;
      const entries = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 ? one : two).append(action(i, `case-${i % 7}`)),
        ),
      );
      expect(new Set(entries.map((e) => e._id)).size).toBe(60);
      expect(await one.verify()).toMatchObject({ ok: true, entries: 60 });
      expect(await two.verify()).toMatchObject({ ok: true, entries: 60 });
      expect(await one.forCase('case-3')).toHaveLength(9);
    });

    it('names the first altered entry', async () => {
      const { trail, tamper } = auditFor(backend());
      for (let n = 1; n <= 6; n++) await trail.append(action(n));
      await tamper(4, 'officer.someone-else');
      expect(await trail.verify()).toEqual({ ok: false, entries: 4, brokenAt: 4, problem: 'hash' });
    });

    it('still verifies a chain of the first, unkeyed version, and continues it keyed', async () => {
      const current = backend();
      if (current.kind === 'memory') throw new Error('a database backend is needed here');
      const { connection } = current;
      // Entries as the previous version wrote them: no `v`, plain SHA-256.
      let prevHash = GENESIS_HASH;
      const legacy: AuditEntry[] = [];
      for (let n = 1; n <= 3; n++) {
        const draft = { ...action(n), _id: n, prevHash };
        const entry = { ...draft, hash: entryHash(draft, 'not used for unkeyed entries') };
        legacy.push(entry);
        prevHash = entry.hash;
      }
      await connection.collection<AuditEntry>('audit').insertMany(legacy);
      const trail = auditFor(backend()).trail;
      expect(await trail.verify()).toMatchObject({ ok: true, entries: 3 });
      const next = await trail.append(action(4));
      expect(next).toMatchObject({ _id: 4, v: 2, prevHash: legacy[2]?.hash });
      expect(await trail.verify()).toMatchObject({ ok: true, entries: 4 });
      // An unkeyed entry after a keyed one is someone writing without the key.
      const forged = { ...action(5), _id: 5, prevHash: next.hash };
      await connection
        .collection<AuditEntry>('audit')
        .insertOne({ ...forged, hash: entryHash(forged, DEVELOPMENT_AUDIT_SECRET) });
      expect(await trail.verify()).toEqual({
        ok: false,
        entries: 5,
        brokenAt: 5,
        problem: 'version',
      });
    });
  },
  ['embedded', 'mongo'],
);
