import type { SubjectRecord } from '../../core/rights/subjectRecord.js';

/** How many documents an erasure deleted, by collection (for the audit entry and the tests). */
export type ErasureReport = Record<string, number>;

/**
 * Everything stored about one number, read and erased across the stores: the
 * one place that knows where a person's data lives, so that "see my data"
 * and "erase my data" cannot forget a collection.
 */
export interface PersonalData {
  /** What this number gave: its reports (newest first), subscription and sightings. */
  collect(channel: string, address: string): Promise<SubjectRecord>;
  /** The alerts of these cases (their outboxes are purged through the outbox port first). */
  alertsOfCases(caseIds: readonly string[]): Promise<string[]>;
  /** Deletes cases and what hangs on them: photos, sightings, alerts, the reporter's pointer. */
  eraseCases(caseIds: readonly string[]): Promise<ErasureReport>;
  /** Deletes what the number itself left: conversation, subscription, sightings and their photos. */
  eraseSubject(channel: string, address: string): Promise<ErasureReport>;
  /** Deletes the number's subscription document (after STOP took it off the index). */
  eraseSubscription(channel: string, address: string): Promise<boolean>;
  /** Closed cases whose last change is older than `before`, at most `limit` (retention). */
  closedCasesBefore(before: Date, limit: number): Promise<string[]>;
  /** Deletes opt-outs (STOP) older than `before` (retention); returns how many. */
  purgeStoppedSubscriptions(before: Date): Promise<number>;
}
