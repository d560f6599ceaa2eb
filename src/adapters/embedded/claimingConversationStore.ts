import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import { z } from 'zod';
import type {
  ConversationStore,
  ConversationWrite,
  StoredConversation,
} from '../../app/ports/conversationStore.js';
import {
  LEGACY_COLLECTION,
  legacyConversationKey,
  legacyConversationState,
  legacyDocumentSchema,
} from '../../core/conversation/legacyBotState.js';

const isDuplicateKey = (error: unknown): boolean =>
  z.object({ code: z.literal(11000) }).safeParse(error).success;

interface ConversationDocument {
  _id: string;
  eTag: string;
  /** The state as JSON text: its keys may hold characters field names cannot. */
  state: string;
  updatedAt: Date;
}

/** "The writer that read eTag E of this conversation moves it on": one per (key, eTag), ever. */
interface ClaimDocument {
  _id: string;
  at: Date;
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

const claimSchema = new Schema<ClaimDocument>(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false, collection: 'conversation_claims', autoIndex: false },
);

/** A claim older than this whose conversation never moved on belongs to a writer that died. */
const ORPHAN_CLAIM_MS = 30_000;

/** The largest state stored: the embedded server would accept far more than MongoDB does. */
export const MAX_STATE_BYTES = 1024 * 1024;

/**
 * Conversations on the embedded FerretDB 1.24, where every lookup and write
 * names a document by `_id` alone: that is the one filter it answers from its
 * primary key (it scans the whole collection for `{_id, eTag}`, which would
 * make each write cost as much as the number of conversations).
 *
 * The compare-and-set is a unique insert of a claim `(key, eTag)`: of all
 * writers that read eTag E, exactly one inserts the claim and then writes the
 * conversation with a new eTag; the others get a duplicate key and a
 * conflict. A claim whose conversation never moved on (the writer died
 * between the two steps) is recognised after 30 s and replaced. Claims are
 * purged by the retention job once no turn can still hold their eTag.
 */
export class ClaimingConversationStore implements ConversationStore {
  private readonly states: Model<ConversationDocument>;
  private readonly claims: Model<ClaimDocument>;

  constructor(
    private readonly connection: Connection,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.states =
      connection.models.EmbeddedConversation ??
      connection.model<ConversationDocument>('EmbeddedConversation', conversationSchema);
    this.claims =
      connection.models.EmbeddedConversationClaim ??
      connection.model<ClaimDocument>('EmbeddedConversationClaim', claimSchema);
  }

  async read(key: string): Promise<StoredConversation | null> {
    const doc = await this.states.findOne({ _id: key }).lean();
    return doc ? { state: parseState(doc.state), eTag: doc.eTag } : this.moveLegacy(key);
  }

  async write(
    key: string,
    state: unknown,
    expectedETag: string | null,
  ): Promise<ConversationWrite> {
    const json = JSON.stringify(state);
    if (Buffer.byteLength(json) > MAX_STATE_BYTES) {
      throw new RangeError(`conversation state over ${MAX_STATE_BYTES} bytes`);
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
    if (!(await this.claim(key, expectedETag))) return { ok: false, reason: 'conflict' };
    await this.states.updateOne({ _id: key }, { $set: fields });
    return { ok: true, eTag };
  }

  /** Also forgets old-format conversations idle as long, which no family came back to. */
  async purgeIdle(olderThan: Date): Promise<number> {
    const [result, legacy] = await Promise.all([
      this.states.deleteMany({ updatedAt: { $lt: olderThan } }),
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
      const current = await this.states.findOne({ _id: key }).lean();
      return current ? { state: parseState(current.state), eTag: current.eTag } : null;
    }
    await legacy.deleteOne({ _id: legacyKey });
    return { state, eTag: written.eTag };
  }

  /**
   * Removes claims older than `olderThan` (a purge job: a claim only has to
   * outlive the turns that could still hold its eTag, which is seconds).
   */
  async purgeClaims(olderThan: Date): Promise<number> {
    const result = await this.claims.deleteMany({ at: { $lt: olderThan } });
    return result.deletedCount;
  }

  /**
   * Whether this writer is the one that moves the conversation on from
   * `eTag`. The claim and the read of the current eTag go together: whoever
   * holds the claim of E is the only one who can move the conversation off E,
   * so seeing E and winning the claim means it is still at E.
   */
  private async claim(key: string, eTag: string): Promise<boolean> {
    const claimId = `${key}\u0000${eTag}`;
    const insert = async (): Promise<boolean> => {
      try {
        await this.connection
          .collection<ClaimDocument>('conversation_claims')
          .insertOne({ _id: claimId, at: this.clock() });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    };
    const [won, current] = await Promise.all([
      insert(),
      this.states.findOne({ _id: key }, { eTag: 1 }).lean(),
    ]);
    // A claim on an eTag the conversation does not have (a stale or invented one) wins nothing.
    if (current?.eTag !== eTag) return false;
    if (won) return true;
    // Someone else claimed this eTag. Usually they are moving the conversation
    // on right now; only if they died long ago may the claim be taken over.
    const existing = await this.claims.findOne({ _id: claimId }).lean();
    const orphaned = existing && this.clock().getTime() - existing.at.getTime() > ORPHAN_CLAIM_MS;
    if (!orphaned) return false;
    // Deleting by `at` too means two writers recovering at once cannot both win.
    await this.claims.deleteOne({ _id: claimId, at: existing.at });
    return insert();
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
