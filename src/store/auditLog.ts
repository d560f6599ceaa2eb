import { createHash } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import { z } from 'zod';

/** One audit entry: who did what to which case, chained to the entry before it. */
export interface AuditEntry {
  _id: number;
  at: Date;
  actor: string;
  action: string;
  caseId: string;
  details: Record<string, string | number | boolean | null>;
  prevHash: string;
  hash: string;
}

const auditSchema = new Schema<AuditEntry>(
  {
    _id: Number,
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    caseId: { type: String, required: true },
    details: { type: Schema.Types.Mixed, default: {} },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { versionKey: false, collection: 'audit', minimize: false },
);

const headSchema = new Schema<{ _id: string; seq: number }>(
  { _id: String, seq: { type: Number, required: true } },
  { versionKey: false, collection: 'audit_head' },
);

/** The hash the first entry points back to. */
export const GENESIS_HASH = '0'.repeat(64);

const isDuplicateKey = (error: unknown): boolean =>
  z.object({ code: z.literal(11000) }).safeParse(error).success;

/** The hash of an entry: every field but the hash itself, in a fixed order. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const details = Object.keys(entry.details)
    .sort()
    .map((k) => [k, entry.details[k]]);
  return createHash('sha256')
    .update(
      JSON.stringify([
        entry._id,
        entry.at.toISOString(),
        entry.actor,
        entry.action,
        entry.caseId,
        details,
        entry.prevHash,
      ]),
    )
    .digest('hex');
}

/** The result of checking the whole chain. */
export type AuditVerification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; problem: 'hash' | 'link' | 'gap' };

/**
 * The append-only, tamper-evident audit trail. Entries are numbered 1, 2, 3…
 * by `_id`; each carries the hash of the previous one, so changing or removing
 * an entry breaks every hash after it. Appending is a unique insert of the next
 * number (the compare-and-set): of two writers racing for one number, one wins
 * and the other retries on the new end of the chain. Purge jobs never touch it.
 */
export class AuditLog {
  private readonly entries: Model<AuditEntry>;
  private readonly head: Model<{ _id: string; seq: number }>;

  constructor(connection: Connection) {
    this.entries =
      connection.models.AuditEntry ?? connection.model<AuditEntry>('AuditEntry', auditSchema);
    this.head = connection.models.AuditHead ?? connection.model('AuditHead', headSchema);
  }

  async append(
    entry: Pick<AuditEntry, 'at' | 'actor' | 'action' | 'caseId' | 'details'>,
  ): Promise<AuditEntry> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const last = await this.last();
      const draft = { ...entry, _id: (last?._id ?? 0) + 1, prevHash: last?.hash ?? GENESIS_HASH };
      const complete: AuditEntry = { ...draft, hash: entryHash(draft) };
      try {
        await this.entries.create(complete);
      } catch (error) {
        if (isDuplicateKey(error)) continue;
        throw error;
      }
      // A hint for the next reader; `last()` walks forward from it anyway.
      await this.head.updateOne({ _id: 'head' }, { $max: { seq: complete._id } }, { upsert: true });
      return complete;
    }
    throw new Error('audit append kept losing the race');
  }

  /** The end of the chain: from the hint, step forward while a next entry exists (by `_id` only). */
  private async last(): Promise<AuditEntry | null> {
    const hint = await this.head.findOne({ _id: 'head' }).lean();
    let seq = hint?.seq ?? 0;
    for (;;) {
      const next = await this.entries.findOne({ _id: seq + 1 }, { _id: 1 }).lean();
      if (!next) break;
      seq++;
    }
    return seq === 0 ? null : this.entries.findOne({ _id: seq }).lean();
  }

  /** A case's entries, oldest first (supervisors read them). */
  forCase(caseId: string): Promise<AuditEntry[]> {
    return this.entries.find({ caseId }).sort({ _id: 1 }).lean();
  }

  /** Recomputes every hash and link of the chain. */
  async verify(): Promise<AuditVerification> {
    let previous = GENESIS_HASH;
    let expected = 1;
    let count = 0;
    for await (const entry of this.entries.find().sort({ _id: 1 }).lean().cursor()) {
      count++;
      if (entry._id !== expected)
        return { ok: false, entries: count, brokenAt: expected, problem: 'gap' };
      if (entry.prevHash !== previous)
        return { ok: false, entries: count, brokenAt: entry._id, problem: 'link' };
      const { hash, ...rest } = entry;
      if (entryHash(rest) !== hash)
        return { ok: false, entries: count, brokenAt: entry._id, problem: 'hash' };
      previous = hash;
      expected++;
    }
    return { ok: true, entries: count };
  }
}
