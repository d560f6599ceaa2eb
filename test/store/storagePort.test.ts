import { MemoryStorage, type Storage } from 'botbuilder-core';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isStorageConflict,
  MongoStorage,
  NEW_ITEM_ETAG,
} from '../../src/adapters/mongo/mongoStorage.js';
import { connectTestDatabase } from '../support/database.js';

let connection: Connection;
beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

/** One suite for the Storage port, run against botbuilder's own MemoryStorage and ours. */
const implementations: Array<[string, () => Storage]> = [
  ['MemoryStorage (botbuilder)', () => new MemoryStorage()],
  ['MongoStorage (real database)', () => new MongoStorage(connection)],
];

describe.each(implementations)('Storage port: %s', (_name, make) => {
  it('reads back what it wrote, with an eTag, and nothing for unknown keys', async () => {
    const storage = make();
    await storage.write({
      'dev/conversations/a': { step: 'child_age', answers: { 'child.fullName': 'Yassine' } },
    });
    const items = await storage.read(['dev/conversations/a', 'dev/conversations/missing']);
    expect(items['dev/conversations/a']).toMatchObject({
      step: 'child_age',
      answers: { 'child.fullName': 'Yassine' },
    });
    expect(typeof items['dev/conversations/a']?.eTag).toBe('string');
    expect(items['dev/conversations/missing']).toBeUndefined();
  });

  it('accepts a write carrying the current eTag and refuses a stale one', async () => {
    const storage = make();
    await storage.write({ k: { n: 1 } });
    const first = (await storage.read(['k'])).k;
    await storage.write({ k: { ...first, n: 2 } });
    const second = (await storage.read(['k'])).k;
    expect(second?.n).toBe(2);
    expect(second?.eTag).not.toBe(first?.eTag);

    const stale = storage.write({ k: { ...first, n: 3 } });
    await expect(stale).rejects.toSatisfy(isStorageConflict);
    expect((await storage.read(['k'])).k?.n).toBe(2);
  });

  it('overwrites unconditionally with eTag "*"', async () => {
    const storage = make();
    await storage.write({ k: { n: 1 } });
    await storage.write({ k: { n: 5, eTag: '*' } });
    expect((await storage.read(['k'])).k?.n).toBe(5);
  });

  it('of two writers holding the same eTag exactly one wins', async () => {
    const storage = make();
    await storage.write({ race: { n: 0 } });
    const base = (await storage.read(['race'])).race;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => storage.write({ race: { ...base, n: i + 1 } })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected' && isStorageConflict(r.reason)),
    ).toHaveLength(7);
  });

  it('creates an item with the new-item eTag only if it does not exist yet', async () => {
    const storage = make();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => storage.write({ fresh: { n: i, eTag: NEW_ITEM_ETAG } })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected' && isStorageConflict(r.reason)),
    ).toHaveLength(5);
  });

  it('deletes', async () => {
    const storage = make();
    await storage.write({ gone: { n: 1 } });
    await storage.delete(['gone']);
    expect((await storage.read(['gone'])).gone).toBeUndefined();
  });
});

describe('MongoStorage after a writer died between its claim and its write', () => {
  it('refuses the eTag while the claim is fresh and takes it over after 30 s', async () => {
    let now = new Date('2026-11-28T16:00:00Z');
    const storage = new MongoStorage(connection, () => now);
    await storage.write({ orphan: { n: 1 } });
    const read = (await storage.read(['orphan'])).orphan;
    // A writer claims the eTag and dies before writing the item.
    await connection
      .collection<{ _id: string; at: Date }>('botstate_claims')
      .insertOne({ _id: `orphan\u0000${read?.eTag}`, at: now });

    await expect(storage.write({ orphan: { ...read, n: 2 } })).rejects.toSatisfy(isStorageConflict);
    now = new Date(now.getTime() + 31_000);
    await storage.write({ orphan: { ...read, n: 3 } });
    expect((await storage.read(['orphan'])).orphan?.n).toBe(3);
    // The taken-over eTag stays spent: a second writer holding it still loses.
    await expect(storage.write({ orphan: { ...read, n: 4 } })).rejects.toSatisfy(isStorageConflict);
    expect(await storage.purgeClaims(new Date(now.getTime() + 1))).toBeGreaterThanOrEqual(1);
  });
});
