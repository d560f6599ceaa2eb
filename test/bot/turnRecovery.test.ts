import { afterEach, describe, expect, it } from 'vitest';
import { MongoConversationStore } from '../../src/adapters/mongo/mongoConversationStore.js';
import type {
  ConversationStore,
  ConversationWrite,
  StoredConversation,
} from '../../src/app/ports/conversationStore.js';
import { expectAsked, say, sentence } from '../support/chat.js';
import { connectTestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/**
 * The real store, failing on demand the way a dying database does: a write
 * that reached the server but whose answer never came back, or reads that fail.
 */
class FlakyStore implements ConversationStore {
  loseNextWriteAnswer = false;
  failReads = false;
  constructor(private readonly inner: ConversationStore) {}
  async read(key: string): Promise<StoredConversation | null> {
    if (this.failReads) throw new Error('connection refused');
    return this.inner.read(key);
  }
  async write(
    key: string,
    state: unknown,
    expectedETag: string | null,
  ): Promise<ConversationWrite> {
    const written = await this.inner.write(key, state, expectedETag);
    if (this.loseNextWriteAnswer) {
      this.loseNextWriteAnswer = false;
      throw new Error('connection reset by peer');
    }
    return written;
  }
  purgeIdle(olderThan: Date): Promise<number> {
    return this.inner.purgeIdle(olderThan);
  }
}

async function appWithFlakyStore(): Promise<{ harness: TestApp; store: FlakyStore }> {
  const { connection, dbName } = await connectTestDatabase();
  const store = new FlakyStore(new MongoConversationStore(connection));
  const created = await createTestApp({ dbName, conversations: store });
  const close = created.close;
  created.close = async (options) => {
    await close(options);
    await connection.close();
  };
  return { harness: created, store };
}

async function outboxOf(app: TestApp['app'], to: string): Promise<string[]> {
  const response = await app.http.inject({
    method: 'GET',
    url: `/dev/outbox?to=${encodeURIComponent(to)}`,
  });
  return response.json<{ messages: Array<{ text: string }> }>().messages.map((m) => m.text);
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the turn after a database failure', () => {
  it('an answer saved although the family was apologised to: the resent message gets the NEXT question', async () => {
    const created = await appWithFlakyStore();
    harness = created.harness;
    const { app } = harness;
    const from = '+212600000801';
    await say(app, from, 'Bonjour, mon fils a disparu', 'w-1');
    await say(app, from, 'oui', 'w-2');

    created.store.loseNextWriteAnswer = true;
    expect(await say(app, from, '1', 'w-3')).toEqual([sentence(app, 'fr', 'common:turn_error')]);
    // The answer "1" (parent) was saved: the same message again is not dropped
    // as a duplicate, it brings the question after it.
    expectAsked(app, await say(app, from, '1', 'w-3'), 'fr', 'reporter_name');
    // A plain redelivery after that is still dropped: nothing is sent twice.
    expect(await say(app, from, '1', 'w-3')).toEqual([]);
  });

  it('once the database answers again, the family is sent their next question without writing', async () => {
    const created = await appWithFlakyStore();
    harness = created.harness;
    const { app } = harness;
    const from = '+212600000802';
    await say(app, from, 'Bonjour, mon fils a disparu', 'r-1');
    await say(app, from, 'oui', 'r-2');
    created.store.loseNextWriteAnswer = true;
    await say(app, from, '1', 'r-3');

    const outbox = await waitFor(
      () => outboxOf(app, from),
      (texts) => texts.length > 0,
    );
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toContain(sentence(app, 'fr', 'resilience:resumed'));
    expect(outbox[0]).toContain(sentence(app, 'fr', 'report:reporter_name.prompt'));
    // Having been answered, the resent message is a plain duplicate now.
    expect(await say(app, from, '1', 'r-3')).toEqual([]);
  });

  it('apologises in French to a French family while the database cannot be read', async () => {
    const created = await appWithFlakyStore();
    harness = created.harness;
    const { app } = harness;
    const from = '+212600000803';
    await say(app, from, 'Bonjour, mon fils a disparu', 'l-1');
    created.store.failReads = true;
    // "ok" says nothing of a language (it would be guessed Arabic): the language comes from memory.
    expect(await say(app, from, 'ok', 'l-2')).toEqual([sentence(app, 'fr', 'common:turn_error')]);
    created.store.failReads = false;
    const outbox = await waitFor(
      () => outboxOf(app, from),
      (texts) => texts.length > 0,
    );
    expect(outbox[0]).toContain(sentence(app, 'fr', 'report:consent.prompt'));
    expectAsked(app, await say(app, from, 'oui', 'l-3'), 'fr', 'relationship');
  });
});
