import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimingConversationStore } from '../../src/adapters/embedded/claimingConversationStore.js';
import { connectTestDatabase } from '../support/database.js';

let connection: Connection;
beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

describe('the embedded conversation store after a writer died between its claim and its write', () => {
  it('refuses the eTag while the claim is fresh and takes it over after 30 s', async () => {
    let now = new Date('2026-11-28T16:00:00Z');
    const store = new ClaimingConversationStore(connection, () => now);
    const created = await store.write('orphan', { n: 1 }, null);
    if (!created.ok) throw new Error('create failed');
    // A writer claims the eTag and dies before writing the conversation.
    await connection
      .collection<{ _id: string; at: Date }>('conversation_claims')
      .insertOne({ _id: `orphan\u0000${created.eTag}`, at: now });

    expect(await store.write('orphan', { n: 2 }, created.eTag)).toEqual({
      ok: false,
      reason: 'conflict',
    });
    now = new Date(now.getTime() + 31_000);
    expect((await store.write('orphan', { n: 3 }, created.eTag)).ok).toBe(true);
    expect(await store.read('orphan')).toMatchObject({ state: { n: 3 } });
    // The taken-over eTag stays spent: a second writer holding it still loses.
    expect((await store.write('orphan', { n: 4 }, created.eTag)).ok).toBe(false);
    expect(await store.purgeClaims(new Date(now.getTime() + 1))).toBeGreaterThanOrEqual(1);
  });

  it('refuses a state larger than MongoDB would accept in spirit (the embedded server would not)', async () => {
    const store = new ClaimingConversationStore(connection);
    await expect(store.write('huge', { text: 'x'.repeat(2 * 1024 * 1024) }, null)).rejects.toThrow(
      RangeError,
    );
    expect(await store.read('huge')).toBeNull();
  });
});
