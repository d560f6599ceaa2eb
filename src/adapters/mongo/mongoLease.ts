import type { Connection } from 'mongoose';
import { mongo } from 'mongoose';
import type { Lease } from '../../app/ports/lease.js';

interface LeaseDocument {
  _id: string;
  owner: string;
  until: Date;
}

/**
 * A lease as one document keyed by its name. Taking or renewing it is one
 * upsert guarded by "mine, or run out": when another owner holds it, the
 * guard does not match, the upsert tries to insert the same `_id` and the
 * duplicate key says it is taken. Also used on the embedded FerretDB: its
 * filter `{_id, $or: […]}` is not a bare `_id` and so scans the collection,
 * but the collection holds one document per lease.
 */
export class MongoLease implements Lease {
  private readonly leases: mongo.Collection<LeaseDocument>;

  constructor(
    connection: Connection,
    private readonly name: string,
  ) {
    this.leases = connection.collection<LeaseDocument>('alert_leases');
  }

  async acquire(owner: string, now: Date, ttlMs: number): Promise<boolean> {
    const until = new Date(now.getTime() + ttlMs);
    try {
      await this.leases.updateOne(
        { _id: this.name, $or: [{ owner }, { until: { $lt: now } }] },
        { $set: { owner, until } },
        { upsert: true },
      );
      return true;
    } catch (error) {
      if (error instanceof mongo.MongoServerError && error.code === 11000) return false;
      throw error;
    }
  }

  async release(owner: string): Promise<void> {
    await this.leases.deleteOne({ _id: this.name, owner });
  }
}
