import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder-core';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';

const isDuplicateKey = (error: unknown): boolean =>
  z.object({ code: z.literal(11000) }).safeParse(error).success;

interface StateDocument {
  _id: string;
  eTag: string;
  /** The item as JSON: botbuilder state keys may hold characters MongoDB field names cannot. */
  json: string;
  updatedAt: Date;
}

/** "The writer that read eTag E of this item moves it on": one per (item, eTag), ever. */
interface ClaimDocument {
  _id: string;
  at: Date;
}

const stateSchema = new Schema<StateDocument>(
  {
    _id: { type: String, required: true },
    eTag: { type: String, required: true },
    json: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'botstate' },
);

const claimSchema = new Schema<ClaimDocument>(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false, collection: 'botstate_claims' },
);

/**
 * The eTag that means "this item must not exist yet". botbuilder's
 * MemoryStorage already behaves so for any eTag on a missing item and refuses
 * it on an existing one, so the same write means the same in both.
 */
export const NEW_ITEM_ETAG = '*new';

/** A claim older than this whose item never moved on belongs to a writer that died. */
const ORPHAN_CLAIM_MS = 30_000;

/**
 * Whether a storage write lost an eTag race. botbuilder's own MemoryStorage
 * says so only in its message, so both forms are recognised.
 */
export function isStorageConflict(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'storage_conflict';
  return error instanceof Error && /eTag conflict/i.test(error.message);
}

/**
 * botbuilder `Storage` on MongoDB with optimistic concurrency: a write that
 * carries an eTag succeeds only if no other write moved the item on from that
 * eTag, so two turns can never silently overwrite each other.
 *
 * How: every lookup and write names a document by `_id` alone, the one filter
 * every MongoDB-wire server answers from its primary key (FerretDB 1.x scans
 * the whole collection for `{_id, eTag}`, which made each write cost as much
 * as the number of conversations). The compare-and-set is a unique insert of
 * a claim `(key, eTag)`: of all writers that read eTag E, exactly one inserts
 * the claim and then writes the item with a new eTag; the others get a
 * duplicate key and a conflict. A claim whose item never moved on (the
 * writer died between the two steps) is recognised after 30 s and replaced.
 *
 * An item without eTag (or `*`) is written unconditionally, as the Storage
 * contract says; one with {@link NEW_ITEM_ETAG} is created only if absent.
 */
export class MongoStorage implements Storage {
  private readonly states: Model<StateDocument>;
  private readonly claims: Model<ClaimDocument>;

  constructor(
    connection: Connection,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.states =
      connection.models.BotState ?? connection.model<StateDocument>('BotState', stateSchema);
    this.claims =
      connection.models.BotStateClaim ??
      connection.model<ClaimDocument>('BotStateClaim', claimSchema);
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    const docs = await Promise.all(keys.map((key) => this.states.findOne({ _id: key }).lean()));
    for (const doc of docs) {
      if (doc) items[doc._id] = { ...JSON.parse(doc.json), eTag: doc.eTag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...rest } = item ?? {};
      const update = { json: JSON.stringify(rest), eTag: randomUUID(), updatedAt: this.clock() };
      if (typeof eTag !== 'string' || eTag === '*' || eTag === '') {
        await this.states.updateOne({ _id: key }, { $set: update }, { upsert: true });
      } else if (eTag === NEW_ITEM_ETAG) {
        await this.create(key, update);
      } else {
        await this.claim(key, eTag);
        await this.states.updateOne({ _id: key }, { $set: update });
      }
    }
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.states.deleteOne({ _id: key })));
  }

  /** Removes conversations nobody wrote to since `olderThan` (see store/retention.ts). */
  async purgeIdle(olderThan: Date): Promise<number> {
    const result = await this.states.deleteMany({ updatedAt: { $lt: olderThan } });
    return result.deletedCount;
  }

  /**
   * Removes claims older than `olderThan` (a purge job: a claim only has to
   * outlive the turns that could still hold its eTag, which is seconds).
   */
  async purgeClaims(olderThan: Date): Promise<number> {
    const result = await this.claims.deleteMany({ at: { $lt: olderThan } });
    return result.deletedCount;
  }

  private async create(key: string, update: Omit<StateDocument, '_id'>): Promise<void> {
    try {
      await this.states.create({ _id: key, ...update });
    } catch (error) {
      if (isDuplicateKey(error)) throw conflict(key);
      throw error;
    }
  }

  private async claim(key: string, eTag: string): Promise<void> {
    const claimId = `${key}\u0000${eTag}`;
    const insert = async () => {
      await this.claims.create({ _id: claimId, at: this.clock() });
    };
    try {
      await insert();
      return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // Someone else claimed this eTag. Usually they are moving the item on right
    // now; only if they died long ago may the claim be taken over.
    const [existing, current] = await Promise.all([
      this.claims.findOne({ _id: claimId }).lean(),
      this.states.findOne({ _id: key }, { eTag: 1 }).lean(),
    ]);
    const orphaned =
      existing &&
      current?.eTag === eTag &&
      this.clock().getTime() - existing.at.getTime() > ORPHAN_CLAIM_MS;
    if (!orphaned) throw conflict(key);
    // Deleting by `at` too means two writers recovering at once cannot both win.
    await this.claims.deleteOne({ _id: claimId, at: existing.at });
    try {
      await insert();
    } catch (error) {
      if (isDuplicateKey(error)) throw conflict(key);
      throw error;
    }
  }
}

function conflict(key: string): AppError {
  return new AppError('storage_conflict', `eTag conflict writing ${key}`);
}
