import type { CaseStatus } from '../domain/caseStatus.js';
import type { NewCase } from '../domain/report.js';

/** What the bot needs from case storage. Implemented in store/, checked with `satisfies`. */
export interface CaseRepository {
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
    message: { id: string; text: string; at: Date },
  ): Promise<{ region: string | null }>;
}

/** Where report photos are kept, by content hash. */
export interface PhotoStore {
  save(photo: { photoId: string; mimeType: string; data: Buffer; draftId: string }): Promise<void>;
}

/** The time, passed in so tests and benchmarks control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
