import type { TransitionName } from '../../core/case/caseLifecycle.js';
import type { CaseStatus } from '../../core/case/caseStatus.js';
import type { QueueScope } from '../../core/case/queueScope.js';
import type { CaseMessage, CaseNote, NewCase } from '../../core/case/report.js';
import type { QueueEntry, StoredCase, TransitionResult } from '../../core/case/storedCase.js';

/**
 * Cases: the truth about every report. Every status change is one
 * single-document update guarded by the states the case may leave, so of two
 * officers acting at once exactly one wins; every change and every view of
 * sensitive fields leaves an audit entry.
 */
export interface CaseStore {
  /** The case a draft already became, if its submission ran before (a retried turn). */
  findByDraftId(draftId: string): Promise<{ reference: string } | null>;
  /** Takes the next number of the year's atomic counter. */
  nextSequence(year: number): Promise<number>;
  /**
   * Stores a new pending case. Two submissions of one draft store one case:
   * the second gets the first one's reference back.
   */
  insertNew(newCase: NewCase): Promise<{ reference: string; created: boolean }>;
  /** The most recent case a family filed from this address, for "where is my report?". */
  latestForReporter(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string; status: CaseStatus } | null>;
  /** The case a family is talking about with an officer (in review, confirmed, alert), if any. */
  activeCaseFor(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string } | null>;
  /** Adds what the family wrote to the case conversation, once per message id. */
  addFamilyMessage(
    caseId: string,
    message: { id: string; text: string; at: Date; audio?: { audioId: string; mimeType: string } },
  ): Promise<{ region: string | null }>;
  /** Open cases in these statuses, of one region, of none (national) or all, by priority then waiting time. */
  queue(statuses: readonly CaseStatus[], scope: QueueScope): Promise<QueueEntry[]>;
  /** A case's id from its reference (tools and tests). */
  findIdByReference(reference: string): Promise<string | null>;
  get(id: string): Promise<StoredCase | null>;
  /** Moves a case along its lifecycle, guarded by the states it may leave. */
  transition(
    id: string,
    name: TransitionName,
    by: string,
    now: Date,
    set?: Record<string, unknown>,
  ): Promise<TransitionResult>;
  /** Changes fields of a case without changing its status (assignment, report number). */
  update(
    id: string,
    set: Record<string, unknown>,
    audit: { by: string; action: string; now: Date },
  ): Promise<StoredCase | null>;
  /**
   * Sets the region of a case, guarded by the region it had when the officer
   * read it (`{_id, region: from}`), so two supervisors fixing one case
   * cannot both win; audited with the old and the new value. The case then
   * leaves its old queue (the national one) for the region's.
   */
  setRegion(
    id: string,
    from: string | null,
    to: string,
    audit: { by: string; now: Date },
  ): Promise<TransitionResult>;
  addMessage(id: string, message: CaseMessage): Promise<void>;
  addNote(id: string, note: CaseNote): Promise<void>;
  /** An alert's step (proposed, approved, stage, ended) in the case's audit trail. */
  recordAlert(
    caseId: string,
    entry: {
      at: Date;
      actor: string;
      action: string;
      details: Record<string, string | number | boolean | null>;
    },
  ): Promise<void>;
  /** Every read of a case's sensitive fields leaves a trace. */
  recordView(id: string, by: string, now: Date, what: 'case' | 'photo' | 'audio'): Promise<void>;
}

/**
 * The officers' queue as the database can serve it. On MongoDB it is a query
 * on the cases themselves through the compound queue index, and `reflect`
 * does nothing; a database that cannot use secondary indexes keeps a bounded
 * projection that `reflect` updates after each change of a case.
 */
export interface CaseQueue {
  /**
   * Shows the case's current state in the queue (or takes it off once
   * closed); `previousRegion`, when its region just changed, is the queue it leaves.
   */
  reflect(
    entry: QueueEntry,
    options?: { isNew?: boolean; previousRegion?: string | null },
  ): Promise<void>;
  /** Open cases in these statuses, of one region, of none (national) or all, by priority then waiting time. */
  list(statuses: readonly CaseStatus[], scope: QueueScope): Promise<QueueEntry[]>;
  /** Restores the projection from the open cases (start-up); nothing to do on MongoDB. */
  rebuild(openCases: AsyncIterable<QueueEntry>): Promise<number>;
}

/** What a family's conversation needs of the cases. */
export type FamilyCaseStore = Pick<
  CaseStore,
  | 'findByDraftId'
  | 'nextSequence'
  | 'insertNew'
  | 'latestForReporter'
  | 'activeCaseFor'
  | 'addFamilyMessage'
>;
