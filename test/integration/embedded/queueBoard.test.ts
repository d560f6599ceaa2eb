/**
 * What only the embedded FerretDB's queue board promises, beyond the case
 * store contract: pages stay bounded however many cases a region has, and
 * neither a late write nor a restart's rebuild puts back an older state.
 */

import type { Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ENTRY_BYTES, QueueBoard } from '../../../src/adapters/embedded/queueBoard.js';
import type { QueueScope } from '../../../src/core/case/queueScope.js';
import type { QueueEntry } from '../../../src/core/case/storedCase.js';
import { connectTestDatabase } from '../../support/database.js';

const ORIENTAL: QueueScope = { kind: 'region', region: 'oriental' };

let connection: Connection;
beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
});
beforeEach(async () => {
  await connection.dropDatabase();
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

const t = (minutes: number) => new Date(Date.UTC(2026, 10, 28, 16, minutes));

function entry(id: string, overrides: Partial<QueueEntry> = {}): QueueEntry {
  return {
    _id: id,
    reference: `TF-2026-${id}`,
    status: 'pending',
    priority: { level: 'normal', score: 1, reasons: [] },
    region: 'oriental',
    createdAt: t(0),
    updatedAt: t(0),
    assignedTo: null,
    child: { fullName: 'Invented Child', age: { years: 6 }, sex: 'girl' },
    lastSeen: { at: t(0), city: 'Oujda' },
    ...overrides,
  };
}

async function* cases(...entries: QueueEntry[]): AsyncGenerator<QueueEntry> {
  yield* entries;
}

const ids = (entries: QueueEntry[]) => entries.map((e) => e._id);

/** Every stored page: its id and how many entries it holds. */
async function pages(): Promise<Array<{ id: string; entries: number; bytes: number }>> {
  const documents = await connection.collection('queue_pages').find({}).toArray();
  return documents.map((document) => ({
    id: String(document._id),
    entries: Object.keys(document.entries ?? {}).length,
    bytes: Buffer.byteLength(JSON.stringify(document)),
  }));
}

describe('QueueBoard on the embedded FerretDB', () => {
  it('never puts more than a page’s entries on a page: a full slot continues on further pages', async () => {
    const board = new QueueBoard(connection, { slots: 2, pageEntries: 3 });
    const many = Array.from({ length: 20 }, (_, i) =>
      entry(`case-${i}`, { createdAt: t(i), updatedAt: t(i) }),
    );
    await Promise.all(many.map((e) => board.reflect(e, { isNew: true })));
    const stored = await pages();
    expect(Math.max(...stored.map((p) => p.entries))).toBe(3);
    expect(stored.reduce((sum, p) => sum + p.entries, 0)).toBe(20);
    expect(stored.length).toBeGreaterThanOrEqual(7);
    expect(ids(await board.list(['pending'], ORIENTAL))).toEqual(ids(many));
    expect(ids(await board.list(['pending'], { kind: 'all' }))).toEqual(ids(many));

    // A case on a continued page leaves it, and its place is taken by the next new case.
    const last = many.at(-1) ?? entry('none');
    await board.reflect({ ...last, status: 'resolved', updatedAt: t(40) });
    await board.reflect(entry('case-new', { createdAt: t(50), updatedAt: t(50) }), { isNew: true });
    const listed = ids(await board.list(['pending'], ORIENTAL));
    expect(listed).toHaveLength(20);
    expect(listed).not.toContain(last._id);
    expect(listed.at(-1)).toBe('case-new');
    expect(Math.max(...(await pages()).map((p) => p.entries))).toBe(3);
  });

  it('bounds what one entry weighs: free text is cut on the board, not in the case', async () => {
    const board = new QueueBoard(connection, { slots: 1 });
    const longName = 'Invented '.repeat(20_000);
    await board.reflect(
      entry('long', { child: { fullName: longName, age: { years: 4 }, sex: 'boy' } }),
    );
    const [listed] = await board.list(['pending'], ORIENTAL);
    expect(listed?.child.fullName.length).toBe(200);
    expect(longName.startsWith(listed?.child.fullName ?? 'x')).toBe(true);
    const [page] = await pages();
    expect(page?.bytes).toBeLessThan(MAX_ENTRY_BYTES);
  });

  it('keeps a claim, and a closed case off the board, when an older write arrives late', async () => {
    const board = new QueueBoard(connection);
    await board.reflect(entry('a'), { isNew: true });
    await board.reflect(entry('b'), { isNew: true });
    await board.reflect(entry('b', { status: 'in_review', updatedAt: t(10) }));
    await board.reflect(entry('b', { status: 'pending', updatedAt: t(0) }));
    expect(ids(await board.list(['in_review'], ORIENTAL))).toEqual(['b']);
    await board.reflect(entry('b', { status: 'resolved', updatedAt: t(30) }));
    await board.reflect(entry('a', { status: 'in_review', updatedAt: t(10) }));
    await board.reflect(entry('a', { status: 'resolved', updatedAt: t(20) }));
    await board.reflect(entry('a', { status: 'in_review', updatedAt: t(10) }));
    expect(await board.list(['pending', 'in_review'], ORIENTAL)).toEqual([]);
  });

  it('forgets only the oldest closed cases once a slot remembers its maximum', async () => {
    const board = new QueueBoard(connection, { slots: 1, closedVersions: 2 });
    for (const [i, id] of ['x', 'y', 'z'].entries()) {
      await board.reflect(entry(id), { isNew: true });
      await board.reflect(entry(id, { status: 'rejected', updatedAt: t(10 + i) }));
    }
    const [page] = await connection.collection('queue_pages').find({}).toArray();
    expect(Object.keys(page?.closed ?? {}).sort()).toEqual(['y', 'z']);
    // The remembered ones stay closed against a late write.
    await board.reflect(entry('z', { status: 'pending', updatedAt: t(1) }));
    expect(await board.list(['pending'], ORIENTAL)).toEqual([]);
  });

  it('rebuilds without undoing a newer state: a claim made after the walk read the case stays', async () => {
    const board = new QueueBoard(connection);
    await board.reflect(entry('a'), { isNew: true });
    await board.reflect(entry('b'), { isNew: true });
    // Another instance claimed "a" and closed "b" after this one's walk read them as pending.
    await board.reflect(
      entry('a', { status: 'in_review', updatedAt: t(10), assignedTo: 'officer.1' }),
    );
    await board.reflect(entry('b', { status: 'resolved', updatedAt: t(11) }));
    expect(await board.rebuild(cases(entry('a'), entry('b'), entry('c')))).toBe(3);
    const listed = await board.list(['pending', 'in_review'], ORIENTAL);
    expect(listed.map((e) => [e._id, e.status, e.assignedTo])).toEqual([
      ['a', 'in_review', 'officer.1'],
      ['c', 'pending', null],
    ]);
  });

  it('rebuilds by removing cases no longer open, but not one written while it walked', async () => {
    const board = new QueueBoard(connection);
    // "gone" was closed while the board missed it (a crash between two writes).
    await board.reflect(entry('gone'), { isNew: true });
    await board.reflect(entry('kept', { region: 'souss-massa' }), { isNew: true });
    async function* walk(): AsyncGenerator<QueueEntry> {
      yield entry('kept', {
        region: 'souss-massa',
        priority: { level: 'high', score: 4, reasons: [] },
        updatedAt: t(5),
      });
      // A family submits while the walk is under way: its case is after the cursor.
      await board.reflect(entry('fresh', { createdAt: t(30), updatedAt: t(30) }), { isNew: true });
    }
    expect(await board.rebuild(walk())).toBe(1);
    expect(ids(await board.list(['pending'], ORIENTAL))).toEqual(['fresh']);
    const [kept] = await board.list(['pending'], { kind: 'region', region: 'souss-massa' });
    expect(kept?.priority.score).toBe(4);
  });

  it('removes the one-document boards of earlier versions', async () => {
    await connection
      .collection<{ _id: string; entries: Record<string, string> }>('queue_boards')
      .insertOne({ _id: 'queue:oriental', entries: {} });
    await new QueueBoard(connection).rebuild(cases());
    expect(await connection.collection('queue_boards').countDocuments()).toBe(0);
  });
});
