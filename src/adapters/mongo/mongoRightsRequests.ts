import type { Connection, mongo } from 'mongoose';
import type { RightsRequests, RightsScope } from '../../app/ports/rightsRequests.js';
import {
  type NewRightsRequest,
  type RightsDecision,
  type RightsRequest,
  rightsRequestSchema,
} from '../../core/rights/rightsRequest.js';
import { isDuplicateKey } from '../../mongoErrors.js';

const COLLECTION = 'rights_requests';

type StoredRequest = Omit<RightsRequest, '_id'> & { _id: string };

/** A stored document read back: parsed, and left out when it does not parse. */
function parse(document: unknown): RightsRequest | null {
  const parsed = rightsRequestSchema.safeParse(document);
  return parsed.success ? parsed.data : null;
}

/**
 * Data-subject requests on MongoDB, one document each under the id the bot
 * derived from the message (a retried turn inserts once). The supervisors'
 * list is one range of `{status, region, createdAt}`; a case's timeline one
 * of `{caseId, createdAt}`; a decision is `updateOne({_id, status: 'pending'})`.
 * The embedded FerretDB uses this adapter too: requests are few (a handful a
 * day, purged a year after their decision), so its scans stay small.
 */
export class MongoRightsRequests implements RightsRequests {
  private readonly collection: mongo.Collection<StoredRequest>;

  constructor(connection: Connection) {
    this.collection = connection.collection<StoredRequest>(COLLECTION);
  }

  /** Declares the indexes (MongoDB start-up; FerretDB ignores what it cannot use). */
  async init(): Promise<void> {
    await this.collection.createIndex({ status: 1, region: 1, createdAt: 1 });
    await this.collection.createIndex({ caseId: 1, createdAt: 1 });
    await this.collection.createIndex({ channel: 1, address: 1 });
    await this.collection.createIndex({ decidedAt: 1 });
  }

  async file(request: NewRightsRequest): Promise<{ created: boolean; request: RightsRequest }> {
    const stored: StoredRequest = {
      ...request,
      // An access request is answered when it is filed: its retention starts then.
      decidedAt: request.status === 'answered' ? request.createdAt : null,
      decidedBy: null,
      reason: null,
      note: null,
    };
    try {
      await this.collection.insertOne(stored);
      return { created: true, request: stored };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const first = await this.get(request._id);
      if (!first) throw error;
      return { created: false, request: first };
    }
  }

  async get(id: string): Promise<RightsRequest | null> {
    return parse(await this.collection.findOne({ _id: id }));
  }

  async pending(scope: RightsScope): Promise<RightsRequest[]> {
    const filter =
      scope === 'all'
        ? { status: 'pending' as const }
        : { status: 'pending' as const, region: { $in: [...scope.regions] } };
    const found = await this.collection
      .find(filter)
      .sort({ createdAt: 1, _id: 1 })
      .limit(500)
      .toArray();
    return found.flatMap((document) => parse(document) ?? []);
  }

  async forCase(caseId: string): Promise<RightsRequest[]> {
    const found = await this.collection.find({ caseId }).sort({ createdAt: 1, _id: 1 }).toArray();
    return found.flatMap((document) => parse(document) ?? []);
  }

  async decide(
    id: string,
    decision: RightsDecision,
  ): Promise<
    { ok: true; request: RightsRequest } | { ok: false; reason: 'not_found' | 'conflict' }
  > {
    const result = await this.collection.updateOne(
      { _id: id, status: 'pending' },
      {
        $set: {
          status: decision.status,
          decidedAt: decision.at,
          decidedBy: decision.by,
          reason: decision.reason,
          note: decision.note,
        },
      },
    );
    const current = await this.get(id);
    if (!current) return { ok: false, reason: 'not_found' };
    return result.modifiedCount === 1
      ? { ok: true, request: current }
      : { ok: false, reason: 'conflict' };
  }

  async forgetSubject(channel: string, address: string): Promise<number> {
    const result = await this.collection.updateMany(
      { channel, address },
      { $set: { address: null } },
    );
    return result.modifiedCount;
  }

  async purgeDecided(before: Date): Promise<number> {
    const result = await this.collection.deleteMany({
      status: { $ne: 'pending' },
      decidedAt: { $lt: before },
    });
    return result.deletedCount;
  }
}
