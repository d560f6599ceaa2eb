import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import {
  type IntakeLimiter,
  REMEMBERED_REPORTS,
  type ReportCount,
} from '../../app/ports/intakeLimiter.js';
import { isDuplicateKey } from '../../mongoErrors.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

interface CounterDocument {
  _id: string;
  count?: number;
  until?: Date;
  /** Draft id → when it was filed (a map: recording one is a `$set` by `_id`, idempotent). */
  reports?: Record<string, Date>;
  expiresAt: Date;
}

const reportsSchema = z.record(z.string(), z.coerce.date()).default({});
const floodSchema = z.object({ until: z.coerce.date() }).nullable();
/** Draft ids become field names: only ids safe as such are counted. */
const safeDraftId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

/**
 * The flood counters in one collection, each one document read by its `_id`:
 * `m:<sender>:<minute>` counts a minute's messages with `$inc`,
 * `f:<sender>` remembers a flood, `r:<sender>` maps the number's recent
 * reports. Each carries `expiresAt`; on MongoDB a TTL index removes them
 * ({@link init}), on the embedded FerretDB (no TTL) the retention job does.
 */
export class MongoIntakeCounters implements IntakeLimiter {
  private readonly counters: mongo.Collection<CounterDocument>;

  constructor(connection: Connection) {
    this.counters = connection.collection<CounterDocument>('intake_counters');
  }

  /** The TTL index (MongoDB only: FerretDB refuses TTL indexes). */
  async init(): Promise<void> {
    await this.counters.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  }

  async countMessage(sender: string, now: Date): Promise<number> {
    const minute = Math.floor(now.getTime() / MINUTE_MS);
    const _id = `m:${sender}:${minute}`;
    const expiresAt = new Date((minute + 2) * MINUTE_MS);
    for (let attempt = 0; ; attempt++) {
      try {
        const counted = await this.counters.findOneAndUpdate(
          { _id },
          { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
          { upsert: true, returnDocument: 'after' },
        );
        return z.number().int().parse(counted?.count);
      } catch (error) {
        // Two first messages of a minute raced to insert it: the loser counts on the winner's.
        if (attempt === 0 && isDuplicateKey(error)) continue;
        throw error;
      }
    }
  }

  async markFlooding(sender: string, until: Date): Promise<void> {
    const _id = `f:${sender}`;
    try {
      await this.counters.updateOne(
        { _id },
        { $max: { until, expiresAt: until } },
        { upsert: true },
      );
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await this.counters.updateOne({ _id }, { $max: { until, expiresAt: until } });
    }
  }

  async countReport(sender: string, draftId: string, now: Date): Promise<ReportCount> {
    const id = safeDraftId.parse(draftId);
    const _id = `r:${sender}`;
    const expiresAt = new Date(now.getTime() + DAY_MS);
    const update = { $set: { [`reports.${id}`]: now }, $max: { expiresAt } };
    try {
      await this.counters.updateOne({ _id }, update, { upsert: true });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await this.counters.updateOne({ _id }, update);
    }
    const [stored, flood] = await Promise.all([
      this.counters.findOne({ _id }),
      this.counters.findOne({ _id: `f:${sender}` }, { projection: { until: 1 } }),
    ]);
    const reports = Object.entries(reportsSchema.parse(stored?.reports));
    const dayAgo = now.getTime() - DAY_MS;
    const recent = reports
      .filter(([, at]) => at.getTime() > dayAgo)
      .sort(([, a], [, b]) => a.getTime() - b.getTime());
    const forgotten = reports
      .filter(([, at]) => at.getTime() <= dayAgo)
      .concat(recent.slice(0, Math.max(0, recent.length - REMEMBERED_REPORTS)))
      .map(([draft]) => `reports.${draft}`);
    if (forgotten.length > 0) {
      // Keeps the document bounded: what left the window, and the oldest beyond the bound.
      await this.counters.updateOne(
        { _id },
        { $unset: Object.fromEntries(forgotten.map((field) => [field, ''])) },
      );
    }
    const until = floodSchema.parse(flood ?? null)?.until;
    return {
      reportsInDay: recent.length,
      drafts: recent.slice(-REMEMBERED_REPORTS).map(([draft]) => draft),
      flooding: until !== undefined && until.getTime() > now.getTime(),
    };
  }

  async purgeExpired(now: Date): Promise<number> {
    const { deletedCount } = await this.counters.deleteMany({ expiresAt: { $lt: now } });
    return deletedCount;
  }
}
