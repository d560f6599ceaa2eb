import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { AuditTrail } from '../../app/ports/auditTrail.js';
import type { CaseQueue, CaseStore } from '../../app/ports/caseStore.js';
import {
  FAMILY_TALKS_TO_OFFICER,
  OPEN_STATUSES,
  TRANSITIONS,
  type TransitionName,
} from '../../core/case/caseLifecycle.js';
import { CASE_STATUSES, type CaseStatus } from '../../core/case/caseStatus.js';
import type { QueueScope } from '../../core/case/queueScope.js';
import type { CaseMessage, CaseNote, NewCase } from '../../core/case/report.js';
import type { QueueEntry, StoredCase, TransitionResult } from '../../core/case/storedCase.js';
import { isDuplicateKey } from '../../mongoErrors.js';
import { QUEUE_INDEXES, QUEUE_PROJECTION } from './indexedCaseQueue.js';

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
    flags: { type: [String], default: [] },
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
    // Null when the family told it in a voice note (then in `voiceNotes`).
    circumstances: { type: String, default: null },
    abduction: { suspected: String, details: { type: String, default: null } },
    consent: { given: Boolean, at: Date, noticeVersion: Number },
    region: { type: String, default: null },
    assignedTo: { type: String, default: null },
    officialReportNumber: { type: String, default: null },
    voiceNotes: { type: [Schema.Types.Mixed], default: [] },
    messages: { type: [Schema.Types.Mixed], default: [] },
    notes: { type: [Schema.Types.Mixed], default: [] },
    confirmation: { type: Schema.Types.Mixed, default: null },
    closure: { type: Schema.Types.Mixed, default: null },
    history: [{ _id: false, status: String, at: Date, by: String }],
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'cases', minimize: false },
);
// The queue's compound indexes (one region's, and every region's for admins),
// beside the unique reference. A family's case is found through the reporters
// pointer by `_id`, so no index on the reporter's address is needed.
for (const keys of QUEUE_INDEXES) caseSchema.index(keys);

const counterSchema = new Schema<{ _id: string; seq: number }>(
  { _id: String, seq: { type: Number, required: true } },
  { versionKey: false, collection: 'counters' },
);

/** One document per number handed out (`case-2026:17`): its `_id` makes a number unique. */
const counterClaimSchema = new Schema<{ _id: string }>(
  { _id: String },
  { versionKey: false, collection: 'counter_claims' },
);

/**
 * A family's latest case, by `channel:address`. `latest` is the case's
 * creation time (ISO, so it sorts as time) and id in one string, written with
 * `$max`: of two cases stored at once, the later one wins in one atomic update
 * by `_id`, on every server, whatever order the writes arrive in.
 */
interface ReporterDocument {
  _id: string;
  latest?: string;
  /** Pointers written before `latest` existed name the case here. */
  caseId?: string;
}

const reporterSchema = new Schema<ReporterDocument>(
  { _id: String, latest: String, caseId: String },
  { versionKey: false, collection: 'reporters' },
);

const reporterKey = (channel: string, address: string) => `${channel}:${address}`;
const latestKey = (createdAt: Date, caseId: string) => `${createdAt.toISOString()}|${caseId}`;
const caseIdOf = (pointer: ReporterDocument): string | null =>
  pointer.latest ? pointer.latest.slice(pointer.latest.indexOf('|') + 1) : (pointer.caseId ?? null);

/**
 * Cases on MongoDB: atomic counter, unique draft ids, state-guarded
 * transitions, audit entries. The queue is the port the database can serve
 * (the indexed query on MongoDB, the bounded board on the embedded FerretDB);
 * the repository tells it about each change of a case.
 */
export class MongoCaseRepository implements CaseStore {
  private readonly cases: Model<StoredCase>;
  private readonly counters: Model<{ _id: string; seq: number }>;
  private readonly reporters: Model<ReporterDocument>;
  private readonly claims: Model<{ _id: string }>;
  /** Counters known to exist, so taking a number is one update. */
  private readonly knownCounters = new Set<string>();

  constructor(
    connection: Connection,
    private readonly audit: Pick<AuditTrail, 'append'>,
    private readonly board: CaseQueue,
  ) {
    this.cases = connection.models.Case ?? connection.model<StoredCase>('Case', caseSchema);
    this.counters =
      connection.models.Counter ??
      connection.model<{ _id: string; seq: number }>('Counter', counterSchema);
    this.reporters =
      connection.models.Reporter ?? connection.model<ReporterDocument>('Reporter', reporterSchema);
    this.claims =
      connection.models.CounterClaim ??
      connection.model<{ _id: string }>('CounterClaim', counterClaimSchema);
  }

  /** Builds the indexes (queue, unique reference) and restores the queue. Call once at start-up. */
  async init(): Promise<void> {
    await Promise.all([this.cases.init(), this.counters.init(), this.reporters.init()]);
    const cases = this.cases;
    // A generator, so the cursor is opened only if the queue walks it (MongoDB's does not).
    async function* openCases(): AsyncGenerator<QueueEntry> {
      yield* cases
        .find({ status: { $in: [...OPEN_STATUSES] } }, QUEUE_PROJECTION)
        .lean<QueueEntry[]>()
        .cursor();
    }
    await this.board.rebuild(openCases());
  }

  async findByDraftId(draftId: string): Promise<{ reference: string } | null> {
    const found = await this.cases.findOne({ _id: draftId }, { reference: 1 }).lean();
    return found ? { reference: found.reference } : null;
  }

  /**
   * The year's counter is created once by an insert that a duplicate key
   * leaves alone, then incremented without upsert. On MongoDB that `$inc` is
   * atomic and enough; a number is still claimed by a unique insert of its
   * own `_id` before it is handed out, because not every server keeps
   * concurrent `$inc`s apart (mongo-java-server hands out one number twice,
   * upsert or not): of two callers given one number, the second takes
   * another. A lost increment can leave a gap; a number is never given twice.
   */
  async nextSequence(year: number): Promise<number> {
    const _id = `case-${year}`;
    if (!this.knownCounters.has(_id)) {
      try {
        await this.counters.create({ _id, seq: 0 });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      this.knownCounters.add(_id);
    }
    for (let attempt = 0; attempt < 100; attempt++) {
      const counter = await this.counters
        .findOneAndUpdate({ _id }, { $inc: { seq: 1 } }, { new: true })
        .lean();
      if (!counter) throw new Error('the case counter is missing');
      try {
        await this.claims.create({ _id: `${_id}:${counter.seq}` });
        return counter.seq;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new Error('the case counter kept handing out taken numbers');
  }

  async insertNew(newCase: NewCase): Promise<{ reference: string; created: boolean }> {
    const { draftId, ...fields } = newCase;
    try {
      await this.cases.create({ _id: draftId, ...fields });
      // A new case has no older state on the board to protect.
      await this.board.reflect({ _id: draftId, ...fields }, { isNew: true });
      await this.pointReporterAt(
        newCase.channel,
        newCase.reporter.address,
        draftId,
        newCase.createdAt,
      );
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.findByDraftId(draftId);
      if (!existing) throw error;
      return { reference: existing.reference, created: false };
    }
    await this.audit.append({
      at: newCase.createdAt,
      actor: 'family',
      action: 'case.created',
      caseId: draftId,
      details: { reference: newCase.reference, priority: newCase.priority.level },
    });
    return { reference: newCase.reference, created: true };
  }

  /** Remembers the family's latest case, found later by their address alone; a newer case wins. */
  private async pointReporterAt(channel: string, address: string, caseId: string, createdAt: Date) {
    const _id = reporterKey(channel, address);
    const update = { $max: { latest: latestKey(createdAt, caseId) } };
    try {
      await this.reporters.updateOne({ _id }, update, { upsert: true });
    } catch (error) {
      // Two first cases of one family at once: the other upsert created it, so `$max` now applies.
      if (!isDuplicateKey(error)) throw error;
      await this.reporters.updateOne({ _id }, update);
    }
  }

  async latestForReporter(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string; status: CaseStatus } | null> {
    // Two primary-key lookups: this runs on every message of a family without
    // a report in progress, so it must not read the whole cases collection.
    const pointer = await this.reporters.findOne({ _id: reporterKey(channel, address) }).lean();
    const caseId = pointer ? caseIdOf(pointer) : null;
    if (!caseId) return null;
    const found = await this.cases.findOne({ _id: caseId }, { reference: 1, status: 1 }).lean();
    return found ? { id: found._id, reference: found.reference, status: found.status } : null;
  }

  /** The case a family is talking about with an officer, if any. */
  async activeCaseFor(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string } | null> {
    const latest = await this.latestForReporter(channel, address);
    return latest && FAMILY_TALKS_TO_OFFICER.includes(latest.status)
      ? { id: latest.id, reference: latest.reference }
      : null;
  }

  /**
   * The queue: open cases in these statuses (of one region, or all), by
   * priority then waiting time, as the queue port serves it.
   */
  queue(statuses: readonly CaseStatus[], scope: QueueScope): Promise<QueueEntry[]> {
    return this.board.list(statuses, scope);
  }

  /** A case's id from its reference (tools and tests; the reference index serves it). */
  async findIdByReference(reference: string): Promise<string | null> {
    const found = await this.cases.findOne({ reference }, { _id: 1 }).lean();
    return found?._id ?? null;
  }

  get(id: string): Promise<StoredCase | null> {
    return this.cases.findOne({ _id: id }).lean<StoredCase>();
  }

  /**
   * Moves a case along its lifecycle in one single-document update guarded by
   * the states it may leave, so of two officers acting at once exactly one wins.
   */
  async transition(
    id: string,
    name: TransitionName,
    by: string,
    now: Date,
    set: Record<string, unknown> = {},
  ): Promise<TransitionResult> {
    const { from, to } = TRANSITIONS[name];
    const updated = await this.cases
      .findOneAndUpdate(
        { _id: id, status: { $in: [...from] } },
        {
          $set: { ...set, status: to, updatedAt: now },
          $push: { history: { status: to, at: now, by } },
        },
        { new: true },
      )
      .lean<StoredCase>();
    if (!updated) return { ok: false, reason: (await this.get(id)) ? 'conflict' : 'not_found' };
    await this.board.reflect(updated);
    await this.audit.append({
      at: now,
      actor: by,
      action: `case.${name}`,
      caseId: id,
      details: { status: to },
    });
    return { ok: true, case: updated };
  }

  /** Changes fields of a case without changing its status (assignment, report number). */
  async update(
    id: string,
    set: Record<string, unknown>,
    audit: { by: string; action: string; now: Date },
  ) {
    const updated = await this.cases
      .findOneAndUpdate({ _id: id }, { $set: { ...set, updatedAt: audit.now } }, { new: true })
      .lean<StoredCase>();
    if (updated) {
      await this.board.reflect(updated);
      await this.audit.append({
        at: audit.now,
        actor: audit.by,
        action: audit.action,
        caseId: id,
        details: {},
      });
    }
    return updated;
  }

  /** Sets the region, guarded by the one the officer saw; the case moves to that region's queue. */
  async setRegion(
    id: string,
    from: string | null,
    to: string,
    audit: { by: string; now: Date },
  ): Promise<TransitionResult> {
    const updated = await this.cases
      .findOneAndUpdate(
        { _id: id, region: from },
        { $set: { region: to, updatedAt: audit.now } },
        { new: true },
      )
      .lean<StoredCase>();
    if (!updated) return { ok: false, reason: (await this.get(id)) ? 'conflict' : 'not_found' };
    await this.board.reflect(updated, { previousRegion: from });
    await this.audit.append({
      at: audit.now,
      actor: audit.by,
      action: 'case.region_set',
      caseId: id,
      details: { from, to },
    });
    return { ok: true, case: updated };
  }

  async addMessage(id: string, message: CaseMessage): Promise<void> {
    await this.cases.updateOne(
      { _id: id },
      { $push: { messages: message }, $set: { updatedAt: message.at } },
    );
  }

  async addFamilyMessage(
    caseId: string,
    message: { id: string; text: string; at: Date; audio?: { audioId: string; mimeType: string } },
  ): Promise<{ region: string | null }> {
    // Guarded by the message id, so a retried turn does not add it twice.
    await this.cases.updateOne(
      { _id: caseId, 'messages.id': { $ne: message.id } },
      { $push: { messages: { ...message, from: 'family' } }, $set: { updatedAt: message.at } },
    );
    const found = await this.cases.findOne({ _id: caseId }, { region: 1 }).lean();
    return { region: found?.region ?? null };
  }

  async addNote(id: string, note: CaseNote): Promise<void> {
    await this.cases.updateOne(
      { _id: id },
      { $push: { notes: note }, $set: { updatedAt: note.at } },
    );
    await this.audit.append({
      at: note.at,
      actor: note.officer,
      action: 'case.note',
      caseId: id,
      details: {},
    });
  }

  /** An alert's step (proposed, approved, stage, ended) in the case's audit trail. */
  async recordAlert(
    caseId: string,
    entry: {
      at: Date;
      actor: string;
      action: string;
      details: Record<string, string | number | boolean | null>;
    },
  ): Promise<void> {
    await this.audit.append({ ...entry, caseId });
  }

  /** Every read of a case's sensitive fields leaves a trace. */
  async recordView(
    id: string,
    by: string,
    now: Date,
    what: 'case' | 'photo' | 'audio',
  ): Promise<void> {
    await this.audit.append({
      at: now,
      actor: by,
      action: `${what}.viewed`,
      caseId: id,
      details: {},
    });
  }
}
