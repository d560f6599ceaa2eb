import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../errors.js';

const isDuplicateKey = (error: unknown): boolean =>
  z.object({ code: z.literal(11000) }).safeParse(error).success;

interface StateDocument {
  _id: string;
  eTag: string;
  /** The item as JSON: botbuilder state keys may hold characters MongoDB field names cannot. */
  json: string;
  updatedAt: Date;
}

const stateSchema = new Schema<StateDocument>(
  {
    _id: { type: String, required: true },
    eTag: { type: String, required: true },
    json: { type: String, required: true },
    updatedAt: { type: Date, required: true, index: true },
  },
  { versionKey: false, collection: 'botstate' },
);

/**
 * The eTag that means "this item must not exist yet". botbuilder's
 * MemoryStorage already behaves so for any eTag on a missing item and refuses
 * it on an existing one, so the same write means the same in both.
 */
export const NEW_ITEM_ETAG = '*new';

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
 * carries an eTag only succeeds if the stored item still has it, in one
 * single-document update, so two turns can never silently overwrite each
 * other. An item without eTag (or `*`) is written unconditionally, as the
 * Storage contract says.
 */
export class MongoStorage implements Storage {
  private readonly model: Model<StateDocument>;

  constructor(connection: Connection) {
    this.model =
      connection.models.BotState ?? connection.model<StateDocument>('BotState', stateSchema);
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    const docs = await this.model.find({ _id: { $in: keys } }).lean();
    for (const doc of docs) {
      items[doc._id] = { ...JSON.parse(doc.json), eTag: doc.eTag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...rest } = item ?? {};
      const update = { json: JSON.stringify(rest), eTag: randomUUID(), updatedAt: new Date() };
      if (typeof eTag !== 'string' || eTag === '*' || eTag === '') {
        await this.model.updateOne({ _id: key }, { $set: update }, { upsert: true });
        continue;
      }
      if (eTag === NEW_ITEM_ETAG) {
        try {
          await this.model.create({ _id: key, ...update });
        } catch (error) {
          if (isDuplicateKey(error))
            throw new AppError('storage_conflict', `eTag conflict creating ${key}`);
          throw error;
        }
        continue;
      }
      const result = await this.model.updateOne({ _id: key, eTag }, { $set: update });
      if (result.matchedCount === 0) {
        throw new AppError('storage_conflict', `eTag conflict writing ${key}`);
      }
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.model.deleteMany({ _id: { $in: keys } });
  }
}
