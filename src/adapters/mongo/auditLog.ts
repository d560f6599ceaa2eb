import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { AuditCheckpoint, AuditTrail } from '../../app/ports/auditTrail.js';
import {
  type AuditEntry,
  type AuditHead,
  type AuditVerification,
  chainedEntry,
  DEVELOPMENT_AUDIT_SECRET,
  type NewAuditEntry,
  verifyChain,
} from '../../core/audit.js';
import { isDuplicateKey } from '../../mongoErrors.js';

const auditSchema = new Schema<AuditEntry>(
  {
    _id: Number,
    v: { type: Number },
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
// A case's trail in order (supervisors read it per case).
auditSchema.index({ caseId: 1, _id: 1 });

const headSchema = new Schema<{ _id: string; seq: number }>(
  { _id: String, seq: { type: Number, required: true } },
  { versionKey: false, collection: 'audit_head' },
);

/**
 * The append-only, tamper-evident audit trail. Entries are numbered 1, 2, 3…
 * by `_id`; each carries the hash of the previous one, so changing or removing
 * an entry breaks every hash after it. Appending is a unique insert of the next
 * number (the compare-and-set): of two writers racing for one number, one wins
 * and the other retries on the new end of the chain. Purge jobs never touch it.
 *
 * Entries are keyed with an HMAC whose secret the service holds (the
 * configuration), so someone who can write to the database cannot recompute
 * the chain after changing an entry; the head is written to a checkpoint
 * outside the database after each append, so deleting the last entries does
 * not go unnoticed either.
 */
export interface AuditLogOptions {
  /** The HMAC secret (config `AUDIT_HMAC_SECRET`); the development one when not given. */
  secret?: string;
  /** Where the head is kept outside the database; none in tests that do not need it. */
  checkpoint?: AuditCheckpoint;
}

/**
 * The audit trail on MongoDB (see {@link AuditLogOptions} for the keys and the checkpoint).
 */
export class AuditLog {
  private readonly entries: Model<AuditEntry>;
  private readonly head: Model<{ _id: string; seq: number }>;

  private readonly secret: string;
  private readonly checkpoint: AuditCheckpoint | null;

  constructor(connection: Connection, options: AuditLogOptions = {}) {
    this.secret = options.secret ?? DEVELOPMENT_AUDIT_SECRET;
    this.checkpoint = options.checkpoint ?? null;
    this.entries =
      connection.models.AuditEntry ?? connection.model<AuditEntry>('AuditEntry', auditSchema);
    this.head = connection.models.AuditHead ?? connection.model('AuditHead', headSchema);
  }

  /**
   * Appends one entry. Appends of this process are queued one after another
   * (racing each other for the same number would only make them retry);
   * another instance racing for a number makes this one retry on the new end.
   */
  append(entry: NewAuditEntry): Promise<AuditEntry> {
    const result = this.tail.then(
      () => this.appendNow(entry),
      () => this.appendNow(entry),
    );
    this.tail = result.catch(() => undefined);
    return result;
  }

  private tail: Promise<unknown> = Promise.resolve();

  /** The last entry this process wrote or read; appends start from it instead of searching. */
  private lastKnown: AuditEntry | null = null;

  private async appendNow(entry: NewAuditEntry): Promise<AuditEntry> {
    let last = this.lastKnown ?? (await this.last());
    for (let attempt = 0; attempt < 200; attempt++) {
      const complete = chainedEntry(entry, last, this.secret);
      try {
        await this.entries.create(complete);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Another instance took this number: back off a little, then find the new end.
        const pause = Math.random() * 5 * Math.min(attempt + 1, 10);
        await new Promise((resolve) => setTimeout(resolve, pause));
        last = await this.last();
        continue;
      }
      this.lastKnown = complete;
      await this.checkpoint?.write({ entries: complete._id, hash: complete.hash });
      // A hint for readers (they walk forward from it), refreshed every few entries.
      if (complete._id % 16 === 0) {
        await this.head.updateOne(
          { _id: 'head' },
          { $max: { seq: complete._id } },
          { upsert: true },
        );
      }
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

  /** Recomputes every hash and link of the chain, and compares it with the checkpoint and `heads`. */
  async verify(options: { heads?: readonly AuditHead[] } = {}): Promise<AuditVerification> {
    const checkpoint = await this.checkpoint?.read();
    const heads = [...(options.heads ?? []), ...(checkpoint ? [checkpoint] : [])];
    const cursor = this.entries.find().sort({ _id: 1 }).lean<AuditEntry[]>().cursor();
    return verifyChain(cursor, this.secret, heads);
  }
}

AuditLog.prototype satisfies AuditTrail;
