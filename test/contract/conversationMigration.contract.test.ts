import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoConversationStore } from '../../src/adapters/mongo/mongoConversationStore.js';
import type { ConversationStore } from '../../src/app/ports/conversationStore.js';
import { conversationKey } from '../../src/app/turnPipeline.js';
import { emptyConversation } from '../../src/core/conversation/conversationState.js';
import { expectAsked, say, sayAll } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { type Backend, describeContract } from './backends.js';

/** Only the stores on a database have a `botstate` collection to move conversations from. */
async function storeFor(backend: Backend): Promise<ConversationStore> {
  switch (backend.kind) {
    case 'memory':
      throw new Error('the memory store has no previous version to move conversations from');
    case 'embedded':
      // The MongoDB store, without the TTL index FerretDB refuses.
      return new MongoConversationStore(backend.connection);
    case 'mongo': {
      const store = new MongoConversationStore(backend.connection);
      await store.init();
      return store;
    }
    default: {
      const unreachable: never = backend;
      return unreachable;
    }
  }
}

/** The fields of a `botstate` document. */
interface LegacyDocument {
  _id: string;
  eTag: string;
  json: string;
  updatedAt: Date;
}

/** A `botstate` document as the previous version's botbuilder storage wrote it. */
function legacyDocument(channel: string, address: string, conversation: unknown): LegacyDocument {
  return {
    _id: `${channel}/conversations/${address}/`,
    eTag: 'a0b1c2d3-0000-4000-8000-000000000000',
    json: JSON.stringify({ tifli: conversation }),
    updatedAt: new Date('2026-11-28T15:50:00Z'),
  };
}

let counter = 0;
const freshAddress = () => `+2126200${String(++counter).padStart(5, '0')}`;

describeContract(
  'ConversationStore moving conversations of the previous version',
  (backend) => {
    let store: ConversationStore;
    beforeEach(async () => {
      store = await storeFor(backend());
    });
    const legacy = () => {
      const current = backend();
      if (current.kind === 'memory') throw new Error('no botstate in memory');
      return current.connection.collection<LegacyDocument>('botstate');
    };

    it('reads a conversation left in botstate, once, and moves it over', async () => {
      const address = freshAddress();
      const conversation = {
        ...emptyConversation(),
        language: 'fr',
        lastCase: { reference: 'TF-1' },
      };
      await legacy().insertOne(legacyDocument('dev', address, conversation));
      const key = conversationKey('dev', address);

      const moved = await store.read(key);
      expect(moved?.state).toEqual(conversation);
      expect(await legacy().findOne({ _id: `dev/conversations/${address}/` })).toBeNull();
      // From now on it is an ordinary conversation: the same eTag, and writes guarded by it.
      expect(await store.read(key)).toEqual(moved);
      const next = await store.write(key, { ...conversation, language: 'ar' }, moved?.eTag ?? null);
      expect(next.ok).toBe(true);
      expect((await store.read(key))?.state).toMatchObject({ language: 'ar' });
    });

    it('prefers the conversation already moved, and leaves others in botstate alone', async () => {
      const address = freshAddress();
      const other = freshAddress();
      const key = conversationKey('dev', address);
      expect((await store.write(key, { ...emptyConversation(), language: 'ar' }, null)).ok).toBe(
        true,
      );
      await legacy().insertOne(
        legacyDocument('dev', address, { ...emptyConversation(), language: 'fr' }),
      );
      await legacy().insertOne(legacyDocument('whatsapp', other, emptyConversation()));

      expect((await store.read(key))?.state).toMatchObject({ language: 'ar' });
      expect(await store.read(conversationKey('dev', other))).toBeNull();
      expect(await legacy().findOne({ _id: `whatsapp/conversations/${other}/` })).not.toBeNull();
    });

    it('forgets old documents idle past the retention, with the idle conversations', async () => {
      const idle = legacyDocument('dev', freshAddress(), emptyConversation());
      const recent = {
        ...legacyDocument('dev', freshAddress(), emptyConversation()),
        updatedAt: new Date('2026-11-28T16:30:00Z'),
      };
      await legacy().insertMany([idle, recent]);
      expect(await store.purgeIdle(new Date('2026-11-28T16:00:00Z'))).toBeGreaterThanOrEqual(1);
      expect(await legacy().findOne({ _id: idle._id })).toBeNull();
      expect(await legacy().findOne({ _id: recent._id })).not.toBeNull();
    });

    it('drops an old document with nothing readable in it', async () => {
      const address = freshAddress();
      await legacy().insertOne({ ...legacyDocument('dev', address, null), json: '{"tifli":' });
      expect(await store.read(conversationKey('dev', address))).toBeNull();
      expect(await legacy().findOne({ _id: `dev/conversations/${address}/` })).toBeNull();
    });
  },
  ['embedded', 'mongo'],
);

for (const database of ['embedded', 'mongo'] as const) {
  describe(`a family mid-report when the new version is deployed, on ${database}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ database });
    });
    afterAll(async () => {
      await t.close();
    });

    it('continues at the question it had reached', async () => {
      const family = freshAddress();
      const steps = [
        'Bonjour, mon fils a disparu',
        'oui',
        '1',
        'Karima Bennani',
        'Yassine Bennani',
      ];
      expectAsked(t.app, await sayAll(t.app, family, steps), 'fr', 'child_sex');

      // Put the conversation back where the previous version kept it.
      const conversations = t.connection.collection<{ _id: string; state: string }>(
        'conversations',
      );
      const key = conversationKey('dev', family);
      const current = await conversations.findOne({ _id: key });
      if (!current) throw new Error('the conversation was not stored');
      await conversations.deleteOne({ _id: key });
      await t.connection
        .collection<LegacyDocument>('botstate')
        .insertOne(legacyDocument('dev', family, JSON.parse(current.state)));

      expectAsked(t.app, await say(t.app, family, 'garçon'), 'fr', 'child_age');
      expectAsked(t.app, await say(t.app, family, '7'), 'fr', 'child_photo');
    });
  });
}
