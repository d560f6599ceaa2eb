import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import { z } from 'zod';
import type { CaseRepository } from '../bot/ports.js';
import { CASE_STATUSES, type CaseStatus } from '../domain/caseStatus.js';
import type { NewCase } from '../domain/report.js';

/**
 * A case's `_id` is the id of the report draft it came from: looking a case up
 * by it needs only the primary key (FerretDB scans a collection for any other
 * field), and a second submission of the same draft is a duplicate key.
 */
const caseSchema = new Schema(
  {
    _id: { type: String, required: true },
    reference: { type: String, required: true, unique: true },
    status: { type: String, required: true, enum: CASE_STATUSES },
    priority: {
      level: { type: String, required: true },
      score: { type: Number, required: true },
      reasons: [String],
    },
    language: { type: String, required: true },
    channel: { type: String, required: true },
    reporter: {
      address: { type: String, required: true },
      name: { type: String, required: true },
      relationship: { type: String, required: true },
    },
    child: { type: Schema.Types.Mixed, required: true },
    lastSeen: {
      at: { type: Date, required: true },
      place: { type: Schema.Types.Mixed, required: true },
      city: { type: String, default: null },
    },
    circumstances: { type: String, required: true },
    abduction: { suspected: String, details: { type: String, default: null } },
    consent: { given: Boolean, at: Date, noticeVersion: Number },
    history: [{ _id: false, status: String, at: Date, by: String }],
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'cases', minimize: false },
);
// The officers' queue: status, then priority, then waiting time.
caseSchema.index({ status: 1, 'priority.score': -1, createdAt: 1 });
caseSchema.index({ channel: 1, 'reporter.address': 1, createdAt: -1 });

/** A case as stored: the draft id is its `_id`. */
type StoredCase = Omit<NewCase, 'draftId'> & { _id: string };

const counterSchema = new Schema<{ _id: string; seq: number }>(
  { _id: String, seq: { type: Number, required: true } },
  { versionKey: false, collection: 'counters' },
);

interface AuditDocument {
  at: Date;
  actor: string;
  action: string;
  caseId: string;
  details: Record<string, unknown>;
}

const auditSchema = new Schema<AuditDocument>(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    caseId: { type: String, required: true, index: true },
    details: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, collection: 'audit' },
);

const isDuplicateKey = (error: unknown): boolean =>
  z.object({ code: z.literal(11000) }).safeParse(error).success;

/** Cases on MongoDB: atomic counter, unique draft ids, an audit entry per creation. */
export class MongoCaseRepository {
  private readonly cases: Model<StoredCase>;
  private readonly counters: Model<{ _id: string; seq: number }>;
  private readonly audit: Model<AuditDocument>;

  constructor(connection: Connection) {
    this.cases = connection.models.Case ?? connection.model<StoredCase>('Case', caseSchema);
    this.counters =
      connection.models.Counter ??
      connection.model<{ _id: string; seq: number }>('Counter', counterSchema);
    this.audit = connection.models.Audit ?? connection.model<AuditDocument>('Audit', auditSchema);
  }

  /** Builds the indexes (unique reference and draft id). Call once at start-up. */
  async init(): Promise<void> {
    await Promise.all([this.cases.init(), this.counters.init(), this.audit.init()]);
  }

  async findByDraftId(draftId: string): Promise<{ reference: string } | null> {
    const found = await this.cases.findOne({ _id: draftId }, { reference: 1 }).lean();
    return found ? { reference: found.reference } : null;
  }

  async nextSequence(year: number): Promise<number> {
    const counter = await this.counters
      .findOneAndUpdate({ _id: `case-${year}` }, { $inc: { seq: 1 } }, { upsert: true, new: true })
      .lean();
    if (!counter) throw new Error('counter update returned nothing');
    return counter.seq;
  }

  async insertNew(newCase: NewCase): Promise<{ reference: string; created: boolean }> {
    try {
      const { draftId, ...fields } = newCase;
      await this.cases.create({ _id: draftId, ...fields });
      await this.audit.create({
        at: newCase.createdAt,
        actor: 'family',
        action: 'case.created',
        caseId: draftId,
        details: { reference: newCase.reference, priority: newCase.priority.level },
      });
      return { reference: newCase.reference, created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.findByDraftId(newCase.draftId);
      if (!existing) throw error;
      return { reference: existing.reference, created: false };
    }
  }

  async latestForReporter(
    channel: string,
    address: string,
  ): Promise<{ reference: string; status: CaseStatus } | null> {
    const found = await this.cases
      .findOne({ channel, 'reporter.address': address }, { reference: 1, status: 1 })
      .sort({ createdAt: -1 })
      .lean();
    return found ? { reference: found.reference, status: found.status } : null;
  }
}

MongoCaseRepository.prototype satisfies CaseRepository;
