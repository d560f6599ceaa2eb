import type { Storage, StoreItems } from 'botbuilder-core';
import { afterEach, describe, expect, it } from 'vitest';
import { MongoStorage } from '../../src/adapters/mongo/mongoStorage.js';
import { expectAsked, say, sentence } from '../support/chat.js';
import { connectTestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The real storage, failing on demand: a database hiccup in the middle of a turn. */
class FailingStorage implements Storage {
  failNextWrite = false;
  constructor(private readonly inner: Storage) {}
  read(keys: string[]): Promise<StoreItems> {
    return this.inner.read(keys);
  }
  async write(changes: StoreItems): Promise<void> {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error('connection reset by peer');
    }
    await this.inner.write(changes);
  }
  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
}

describe('a turn that fails', () => {
  it('apologises in the family language, keeps the state as it was, and the same message works again', async () => {
    const { connection, dbName } = await connectTestDatabase();
    await connection.close();
    const pending = await connectTestDatabase(dbName);
    const storage = new FailingStorage(new MongoStorage(pending.connection));
    harness = await createTestApp({ dbName, storage });
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
      .collection<{ _id: string; eTag: string; json: string; updatedAt: Date }>('botstate')
      .insertOne({
        _id: `dev/conversations/${from}/`,
        eTag: 'old',
        json: JSON.stringify({ tifli: { version: 0, step: 'NAME_PROMPT' } }),
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
