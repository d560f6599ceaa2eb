import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import type { CustomerWindows } from '../../app/ports/customerWindows.js';

interface WindowDocument {
  _id: string;
  at: Date;
}

/** A window is 24 h; a week of history is kept for the operators, then the TTL index drops it. */
const KEEP_SECONDS = 7 * 24 * 3600;

const storedWindow = z.object({ at: z.coerce.date() });

/**
 * One document per person, keyed by their address, holding when they last
 * wrote (`$max`, so a late redelivery never moves it back). Read by `_id`
 * only, so the embedded FerretDB serves it by its `_id` index too; only
 * MongoDB gets the TTL index ({@link MongoCustomerWindows.init}).
 */
export class MongoCustomerWindows implements CustomerWindows {
  private readonly windows: mongo.Collection<WindowDocument>;

  constructor(connection: Connection) {
    this.windows = connection.collection<WindowDocument>('customer_windows');
  }

  /** The TTL index (MongoDB only: FerretDB refuses TTL indexes). */
  async init(): Promise<void> {
    await this.windows.createIndex({ at: 1 }, { expireAfterSeconds: KEEP_SECONDS });
  }

  async opened(address: string, at: Date): Promise<void> {
    await this.windows.updateOne({ _id: address }, { $max: { at } }, { upsert: true });
  }

  async lastInbound(address: string): Promise<Date | null> {
    const found = await this.windows.findOne({ _id: address });
    if (!found) return null;
    const parsed = storedWindow.safeParse(found);
    return parsed.success ? parsed.data.at : null;
  }
}
