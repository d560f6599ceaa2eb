import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueBoard } from '../../src/adapters/embedded/queueBoard.js';
import type { QueueEntry } from '../../src/core/case/storedCase.js';
import { connectTestDatabase } from '../support/database.js';

let connection: Connection;
beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

function stored(id: string, overrides: Partial<QueueEntry>): QueueEntry {
  const at = new Date('2026-11-28T16:00:00Z');
  return {
    _id: id,
    reference: `TF-2026-${id}`,
    status: 'pending',
    priority: { level: 'normal', score: 1, reasons: [] },
    region: 'oriental',
    createdAt: at,
    updatedAt: at,
    assignedTo: null,
    child: { fullName: 'Invented Child', age: { years: 6 }, sex: 'girl' },
    lastSeen: { at, city: 'Oujda' },
    ...overrides,
  };
}

async function* noCases(): AsyncGenerator<QueueEntry> {
  yield* [];
}

describe('QueueBoard', () => {
  it('lists open cases by priority then waiting time, drops closed ones, never goes back in time', async () => {
    const board = new QueueBoard(connection);
    // Start from empty boards (no open case yet).
    await board.rebuild(noCases());
    const t = (minutes: number) => new Date(Date.UTC(2026, 10, 28, 16, minutes));
    await board.reflect(
      stored('a', {
        priority: { level: 'normal', score: 1, reasons: [] },
        createdAt: t(0),
        updatedAt: t(0),
      }),
    );
    await board.reflect(
      stored('b', {
        priority: { level: 'critical', score: 7, reasons: [] },
        createdAt: t(5),
        updatedAt: t(5),
      }),
    );
    await board.reflect(
      stored('c', {
        priority: { level: 'normal', score: 1, reasons: [] },
        createdAt: t(1),
        updatedAt: t(1),
      }),
    );
    expect((await board.list(['pending'], 'oriental')).map((e) => e._id)).toEqual(['b', 'a', 'c']);

    await board.reflect(stored('a', { status: 'in_review', createdAt: t(0), updatedAt: t(10) }));
    // A slower writer carrying the older state of "a" arrives late: ignored.
    await board.reflect(stored('a', { status: 'pending', createdAt: t(0), updatedAt: t(0) }));
    expect((await board.list(['pending'], 'oriental')).map((e) => e._id)).toEqual(['b', 'c']);
    expect((await board.list(['in_review'], null)).map((e) => e._id)).toEqual(['a']);

    await board.reflect(stored('b', { status: 'resolved', createdAt: t(5), updatedAt: t(20) }));
    expect((await board.list(['pending', 'in_review'], 'oriental')).map((e) => e._id)).toEqual([
      'a',
      'c',
    ]);
    expect(await board.list(['pending'], 'souss-massa')).toEqual([]);
  });

  it('rebuilds the boards from the cases', async () => {
    const board = new QueueBoard(connection);
    async function* open() {
      yield stored('x', { region: 'souss-massa' });
      yield stored('y', { region: null });
    }
    expect(await board.rebuild(open())).toBe(2);
    expect((await board.list(['pending'], 'souss-massa')).map((e) => e._id)).toEqual(['x']);
    expect((await board.list(['pending'], null)).map((e) => e._id).sort()).toEqual(['x', 'y']);
    expect(await board.list(['pending'], 'oriental')).toEqual([]);
  });
});
