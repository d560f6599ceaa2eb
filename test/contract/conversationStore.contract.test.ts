import { beforeEach, expect, it } from 'vitest';
import { MemoryConversationStore } from '../../src/adapters/memory/memoryConversationStore.js';
import { MongoConversationStore } from '../../src/adapters/mongo/mongoConversationStore.js';
import {
  type ConversationStore,
  MAX_CONVERSATION_STATE_BYTES,
} from '../../src/app/ports/conversationStore.js';
import { type Backend, describeContract } from './backends.js';

/** A clock the suite moves by hand, so idle periods need no waiting. */
class TestClock {
  current = new Date('2026-11-28T16:00:00Z');
  readonly now = (): Date => new Date(this.current);
}

async function storeFor(backend: Backend, clock: TestClock): Promise<ConversationStore> {
  switch (backend.kind) {
    case 'memory':
      return new MemoryConversationStore(clock.now);
    case 'embedded':
      // The MongoDB store, without the TTL index FerretDB refuses.
      return new MongoConversationStore(backend.connection, clock.now);
    case 'mongo': {
      const store = new MongoConversationStore(backend.connection, clock.now);
      await store.init();
      return store;
    }
    default: {
      const unreachable: never = backend;
      return unreachable;
    }
  }
}

let counter = 0;
/** A conversation key no other test of the suite uses (they share one database). */
const freshKey = () => `dev:+2126000${String(++counter).padStart(5, '0')}:${Date.now()}`;

describeContract('ConversationStore', (backend) => {
  let clock: TestClock;
  let store: ConversationStore;
  beforeEach(async () => {
    clock = new TestClock();
    store = await storeFor(backend(), clock);
  });

  it('refuses a state over its bound, storing nothing', async () => {
    const huge = { story: 'x'.repeat(MAX_CONVERSATION_STATE_BYTES + 1) };
    await expect(store.write('dev:+212600000990', huge, null)).rejects.toThrow(RangeError);
    expect(await store.read('dev:+212600000990')).toBeNull();
  });

  it('reads nothing for a conversation never written', async () => {
    expect(await store.read(freshKey())).toBeNull();
  });

  it('creates with a null eTag, and a second create conflicts', async () => {
    const key = freshKey();
    const first = await store.write(key, { step: 1 }, null);
    expect(first.ok).toBe(true);
    expect(await store.write(key, { step: 2 }, null)).toEqual({ ok: false, reason: 'conflict' });
    expect(await store.read(key)).toMatchObject({ state: { step: 1 } });
  });

  it('reads back what it wrote, with keys field names cannot hold', async () => {
    const key = freshKey();
    const state = { answers: { 'lastSeen.place': { text: 'Derb Sultan' }, $odd: 'x' }, n: 1 };
    const written = await store.write(key, state, null);
    if (!written.ok) throw new Error('create failed');
    expect(await store.read(key)).toEqual({ state, eTag: written.eTag });
  });

  it('compare-and-set succeeds with the eTag read and fails with a stale or unknown one', async () => {
    const key = freshKey();
    const created = await store.write(key, { step: 1 }, null);
    if (!created.ok) throw new Error('create failed');
    const moved = await store.write(key, { step: 2 }, created.eTag);
    if (!moved.ok) throw new Error('compare-and-set failed');
    expect(moved.eTag).not.toBe(created.eTag);
    expect(await store.write(key, { step: 3 }, created.eTag)).toEqual({
      ok: false,
      reason: 'conflict',
    });
    expect(await store.write(key, { step: 3 }, 'never-issued')).toEqual({
      ok: false,
      reason: 'conflict',
    });
    expect(await store.write(freshKey(), { step: 1 }, created.eTag)).toEqual({
      ok: false,
      reason: 'conflict',
    });
    expect(await store.read(key)).toEqual({ state: { step: 2 }, eTag: moved.eTag });
  });

  it('of 10 writers racing from one eTag exactly one wins, and its state is stored', async () => {
    const key = freshKey();
    const created = await store.write(key, { writer: null }, null);
    if (!created.ok) throw new Error('create failed');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, writer) => store.write(key, { writer }, created.eTag)),
    );
    const winners = results.flatMap((result, writer) => (result.ok ? [{ writer, result }] : []));
    expect(winners).toHaveLength(1);
    const [winner] = winners;
    expect(await store.read(key)).toEqual({
      state: { writer: winner?.writer },
      eTag: winner?.result.ok ? winner.result.eTag : undefined,
    });
  });

  it('of 10 first messages racing to create, exactly one wins', async () => {
    const key = freshKey();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, writer) => store.write(key, { writer }, null)),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  it('purgeIdle forgets the conversations idle since before the limit, not the others', async () => {
    const idle = freshKey();
    const recent = freshKey();
    await store.write(idle, { n: 1 }, null);
    clock.current = new Date(clock.current.getTime() + 73 * 3_600_000);
    const written = await store.write(recent, { n: 2 }, null);
    const purged = await store.purgeIdle(new Date(clock.current.getTime() - 72 * 3_600_000));
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(await store.read(idle)).toBeNull();
    expect(await store.read(recent)).toEqual({
      state: { n: 2 },
      eTag: written.ok ? written.eTag : undefined,
    });
  });
});
