import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import { z } from 'zod';
import type {
  ConversationStore,
  ConversationWrite,
  StoredConversation,
} from '../../app/ports/conversationStore.js';
import { RETENTION } from '../../app/retention.js';

const isDuplicateKey = (error: unknown): boolean =>
  z.object({ code: z.literal(11000) }).safeParse(error).success;

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
 * Conversations on MongoDB: one document per conversation, a compare-and-set
 * on `{_id, eTag}` (served by the `_id` index, the eTag checked on the one
 * document found), created with an insert so two first messages cannot both
 * start it. A TTL index forgets idle conversations; `purgeIdle` does the same
 * for servers that accept TTL indexes without honouring them.
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
    return doc ? { state: parseState(doc.state), eTag: doc.eTag } : null;
  }

  async write(
    key: string,
    state: unknown,
    expectedETag: string | null,
  ): Promise<ConversationWrite> {
    const eTag = randomUUID();
    const fields = { state: JSON.stringify(state), eTag, updatedAt: this.clock() };
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

  async purgeIdle(olderThan: Date): Promise<number> {
    const result = await this.model.deleteMany({ updatedAt: { $lt: olderThan } });
    return result.deletedCount;
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
