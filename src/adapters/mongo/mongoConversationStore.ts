import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import {
  type ConversationStore,
  type ConversationWrite,
  MAX_CONVERSATION_STATE_BYTES,
  type StoredConversation,
} from '../../app/ports/conversationStore.js';
import { RETENTION } from '../../app/retention.js';
import {
  LEGACY_COLLECTION,
  legacyConversationKey,
  legacyConversationState,
  legacyDocumentSchema,
} from '../../core/conversation/legacyBotState.js';
import { isDuplicateKey } from '../../mongoErrors.js';

interface ConversationDocument {
  _id: string;
  eTag: string;
  /** The state as JSON text: its keys may hold characters MongoDB field names cannot. */
  state: string;
  updatedAt: Date;
}

const conversationSchema = new Schema<ConversationDocument>(
  {
    _id: { type: String, required: true },
    eTag: { type: String, required: true },
    state: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'conversations', autoIndex: false },
);
// The idle-conversation retention, done by the server itself on MongoDB.
conversationSchema.index(
  { updatedAt: 1 },
  { expireAfterSeconds: Math.round(RETENTION.idleConversationMs / 1000) },
);

/**
 * Conversations: one document per conversation, a compare-and-set
 * on `{_id, eTag}` (served by the `_id` index, the eTag checked on the one
 * document found), created with an insert so two first messages cannot both
 * start it. On MongoDB a TTL index (declared by `init`) forgets idle
 * conversations; `purgeIdle` does the same where there is none. The embedded
 * FerretDB uses this store too, without `init` (it refuses TTL indexes): our
 * patch narrows `{_id, eTag}` by its `_id` index and its launcher runs writes
 * one at a time, so the compare-and-set holds there as well.
 */
export class MongoConversationStore implements ConversationStore {
  private readonly model: Model<ConversationDocument>;

  constructor(
    private readonly connection: Connection,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.model =
      connection.models.Conversation ??
      connection.model<ConversationDocument>('Conversation', conversationSchema);
  }

  /** Declares the TTL index (start-up). */
  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  async read(key: string): Promise<StoredConversation | null> {
    const doc = await this.model.findOne({ _id: key }).lean();
    return doc ? { state: parseState(doc.state), eTag: doc.eTag } : this.moveLegacy(key);
  }

  async write(
    key: string,
    state: unknown,
    expectedETag: string | null,
  ): Promise<ConversationWrite> {
    const json = JSON.stringify(state);
    if (Buffer.byteLength(json) > MAX_CONVERSATION_STATE_BYTES) {
      throw new RangeError(`conversation state over ${MAX_CONVERSATION_STATE_BYTES} bytes`);
    }
    const eTag = randomUUID();
    const fields = { state: json, eTag, updatedAt: this.clock() };
    if (expectedETag === null) {
      try {
        await this.connection
          .collection<ConversationDocument>('conversations')
          .insertOne({ _id: key, ...fields });
      } catch (error) {
        if (isDuplicateKey(error)) return { ok: false, reason: 'conflict' };
        throw error;
      }
      return { ok: true, eTag };
    }
    const result = await this.model.updateOne({ _id: key, eTag: expectedETag }, { $set: fields });
    return result.matchedCount === 1 ? { ok: true, eTag } : { ok: false, reason: 'conflict' };
  }

  /** Also forgets old-format conversations idle as long, which no family came back to. */
  async purgeIdle(olderThan: Date): Promise<number> {
    const [result, legacy] = await Promise.all([
      this.model.deleteMany({ updatedAt: { $lt: olderThan } }),
      this.connection.collection(LEGACY_COLLECTION).deleteMany({ updatedAt: { $lt: olderThan } }),
    ]);
    return result.deletedCount + legacy.deletedCount;
  }

  /**
   * A conversation the previous version left in `botstate`, moved here on its
   * first read so nothing a family typed before the upgrade is lost: created
   * here (expected eTag `null`), then deleted there. If another turn of the
   * same family creates it first, that create wins and this read returns what
   * it wrote; the old document is deleted by whoever moved it.
   */
  private async moveLegacy(key: string): Promise<StoredConversation | null> {
    const legacyKey = legacyConversationKey(key);
    if (legacyKey === null) return null;
    const legacy = this.connection.collection<{ _id: string }>(LEGACY_COLLECTION);
    const found = await legacy.findOne({ _id: legacyKey });
    if (found === null) return null;
    const parsed = legacyDocumentSchema.safeParse(found);
    const state = parsed.success ? legacyConversationState(parsed.data.json) : undefined;
    if (state === undefined) {
      // Nothing to carry over: the family starts again, as with any unreadable state.
      await legacy.deleteOne({ _id: legacyKey });
      return null;
    }
    const written = await this.write(key, state, null);
    if (!written.ok) {
      const current = await this.model.findOne({ _id: key }).lean();
      return current ? { state: parseState(current.state), eTag: current.eTag } : null;
    }
    await legacy.deleteOne({ _id: legacyKey });
    return { state, eTag: written.eTag };
  }
}

/** Stored text that is not JSON reads as an unknown state, which the pipeline discards politely. */
function parseState(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return { unreadable: error instanceof Error ? error.name : 'error' };
  }
}
