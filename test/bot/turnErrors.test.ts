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

/** The real store, failing on demand: a database hiccup in the middle of a turn. */
class FailingStore implements ConversationStore {
  failNextWrite = false;
  constructor(private readonly inner: ConversationStore) {}
  read(key: string): Promise<StoredConversation | null> {
    return this.inner.read(key);
  }
  async write(
    key: string,
    state: unknown,
    expectedETag: string | null,
  ): Promise<ConversationWrite> {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error('connection reset by peer');
    }
    return this.inner.write(key, state, expectedETag);
  }
  purgeIdle(olderThan: Date): Promise<number> {
    return this.inner.purgeIdle(olderThan);
  }
}

describe('a turn that fails', () => {
  it('apologises in the family language, keeps the state as it was, and the same message works again', async () => {
    const { connection, dbName } = await connectTestDatabase();
    await connection.close();
    const pending = await connectTestDatabase(dbName);
    const storage = new FailingStore(new MongoConversationStore(pending.connection));
    harness = await createTestApp({ dbName, conversations: storage });
    const from = '+212600000701';
    await say(harness.app, from, 'salam, bnti tlfat');
    await say(harness.app, from, 'wah');

    storage.failNextWrite = true;
    expect(await say(harness.app, from, '1', 'wamid-retry')).toEqual([
      sentence(harness.app, 'ary', 'common:turn_error'),
    ]);
    // WhatsApp (or the family) sends the same message again: it is not taken for a duplicate.
    expectAsked(
      harness.app,
      await say(harness.app, from, '1', 'wamid-retry'),
      'ary',
      'reporter_name',
    );
    expect(harness.logs.join('')).toContain('turn failed');
    await pending.connection.close();
  });
});

describe('stored state', () => {
  it('a state of an unknown version is discarded and the conversation starts politely', async () => {
    harness = await createTestApp();
    const from = '+212600000702';
    await harness.connection
      .collection<{ _id: string; eTag: string; state: string; updatedAt: Date }>('conversations')
      .insertOne({
        _id: `dev:${from}`,
        eTag: 'old',
        state: JSON.stringify({ version: 0, step: 'NAME_PROMPT' }),
        updatedAt: new Date(),
      });
    const replies = await say(harness.app, from, 'Bonjour, mon fils a disparu');
    expect(replies[0]).toBe(sentence(harness.app, 'fr', 'report:greeting.text'));
    expect(harness.logs.join('')).toContain('stored state discarded');
  });
});

describe('after the report', () => {
  it('another message reminds the reference; "start again" begins a new report', async () => {
    harness = await createTestApp();
    const { app } = harness;
    const from = '+212600000703';
    const answers = [
      'Bonjour, mon fils a disparu',
      'oui',
      '1',
      'Karima Bennani',
      'Yassine Bennani',
      'garçon',
      '7',
      'passer',
      'passer',
      'passer',
      'passer',
      'passer',
      'passer',
      'hier soir',
      'devant la mosquée du quartier',
      'Fès',
      'Il est sorti jouer.',
      'non',
      'non',
      'passer',
      'passer',
      'passer',
      'passer',
      'passer',
      'non',
      'OK',
    ];
    for (const answer of answers) await say(app, from, answer);
    expect(await say(app, from, 'merci')).toEqual([
      sentence(app, 'fr', 'common:after_submit', { reference: 'TF-2026-000001' }),
    ]);
    expectAsked(app, await say(app, from, 'recommencer'), 'fr', 'consent');
  });
});
