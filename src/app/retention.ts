import type { MongoAlertRepository } from '../adapters/mongo/alertRepository.js';
import type { MongoCaseRepository } from '../adapters/mongo/caseRepository.js';
import type { MongoOfficerRepository } from '../adapters/mongo/officerRepository.js';
import type { MongoPhotoStore } from '../adapters/mongo/photoStore.js';
import type { ConversationStore } from './ports/conversationStore.js';

const HOUR = 3_600_000;

/**
 * How long Tifli keeps what is not a case (Law 09-08: no longer than needed).
 * Cases and the audit trail are not purged here: their retention follows the
 * judicial procedure and is the police's decision.
 */
export const RETENTION = {
  /** Concurrency claims only need to outlive the turns that could hold their eTag. */
  stateClaimsMs: 1 * HOUR,
  /** A conversation nobody wrote to for 3 days is forgotten, with any unfinished report in it. */
  idleConversationMs: 72 * HOUR,
  /** A photo whose report or sighting was not submitted within 3 days is deleted. */
  unsubmittedPhotoMs: 72 * HOUR,
  /**
   * Who an alert was sent to (numbers) is kept 30 days after the alert ended,
   * for questions about its reach; the alert itself stays with the case.
   */
  alertOutboxMs: 30 * 24 * HOUR,
} as const;

export interface RetentionResult {
  claims: number;
  conversations: number;
  photos: number;
  sessions: number;
  alertOutboxes: number;
}

/** One pass of the purge jobs; `src/main.ts` runs it at start and every 15 minutes. */
export async function runRetention(
  deps: {
    conversations: ConversationStore;
    /** The compare-and-set claims of a store that writes them (the embedded one). */
    conversationClaims?: { purgeClaims(olderThan: Date): Promise<number> };
    photos: MongoPhotoStore;
    cases: MongoCaseRepository;
    officers: MongoOfficerRepository;
    sightings: { exists(id: string): Promise<boolean> };
    alerts: MongoAlertRepository;
  },
  now: Date,
): Promise<RetentionResult> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  return {
    claims: (await deps.conversationClaims?.purgeClaims(before(RETENTION.stateClaimsMs))) ?? 0,
    conversations: await deps.conversations.purgeIdle(before(RETENTION.idleConversationMs)),
    photos: await deps.photos.purgeUnsubmitted(
      before(RETENTION.unsubmittedPhotoMs),
      async (draftId) =>
        (await deps.cases.findByDraftId(draftId)) !== null ||
        (await deps.sightings.exists(draftId)),
    ),
    sessions: await deps.officers.purgeExpiredSessions(now),
    alertOutboxes: await deps.alerts.purgeOutboxes(before(RETENTION.alertOutboxMs), now),
  };
}
