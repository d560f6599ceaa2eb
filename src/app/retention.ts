import type { AlertStore } from './ports/alertStore.js';
import type { AudioStore } from './ports/audioStore.js';
import type { CaseStore } from './ports/caseStore.js';
import type { ConversationStore } from './ports/conversationStore.js';
import type { OfficerStore } from './ports/officerStore.js';
import type { Outbox } from './ports/outbox.js';
import type { PhotoStore } from './ports/photoStore.js';
import type { SightingReader } from './ports/sightings.js';

const HOUR = 3_600_000;

/**
 * How long Tifli keeps what is not a case (Law 09-08: no longer than needed).
 * Cases and the audit trail are not purged here: their retention follows the
 * judicial procedure and is the police's decision.
 */
export const RETENTION = {
  /** A conversation nobody wrote to for 3 days is forgotten, with any unfinished report in it. */
  idleConversationMs: 72 * HOUR,
  /** A photo whose report or sighting was not submitted within 3 days is deleted. */
  unsubmittedPhotoMs: 72 * HOUR,
  /**
   * A voice note whose report was not submitted within 3 days is deleted, like
   * a photo; one that answered a report or went to the officer stays with the case.
   */
  unsubmittedAudioMs: 72 * HOUR,
  /**
   * Who an alert was sent to (numbers) is kept 30 days after the alert ended,
   * for questions about its reach; the alert itself stays with the case.
   */
  alertOutboxMs: 30 * 24 * HOUR,
} as const;

export interface RetentionResult {
  conversations: number;
  photos: number;
  audio: number;
  sessions: number;
  alertOutboxes: number;
}

/** What the purge jobs need: ports only. */
export interface RetentionDeps {
  conversations: Pick<ConversationStore, 'purgeIdle'>;
  photos: Pick<PhotoStore, 'purgeUnsubmitted'>;
  audio: Pick<AudioStore, 'purgeUnsubmitted'>;
  cases: Pick<CaseStore, 'findByDraftId'>;
  officers: Pick<OfficerStore, 'purgeExpiredSessions'>;
  sightings: Pick<SightingReader, 'exists'>;
  alerts: Pick<AlertStore, 'outboxesDue' | 'markOutboxPurged'>;
  outbox: Pick<Outbox, 'purge'>;
}

/** One pass of the purge jobs; `src/main.ts` runs it at start and every 15 minutes. */
export async function runRetention(deps: RetentionDeps, now: Date): Promise<RetentionResult> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  const submitted = async (draftId: string) =>
    (await deps.cases.findByDraftId(draftId)) !== null || (await deps.sightings.exists(draftId));
  return {
    conversations: await deps.conversations.purgeIdle(before(RETENTION.idleConversationMs)),
    photos: await deps.photos.purgeUnsubmitted(before(RETENTION.unsubmittedPhotoMs), submitted),
    audio: await deps.audio.purgeUnsubmitted(before(RETENTION.unsubmittedAudioMs), submitted),
    sessions: await deps.officers.purgeExpiredSessions(now),
    alertOutboxes: await purgeAlertOutboxes(deps, before(RETENTION.alertOutboxMs), now),
  };
}

/**
 * Forgets who ended alerts reached (their numbers), one alert at a time; the
 * alert is marked only after its outbox is gone, so a crash between the two
 * purges it again next time. Returns how many alerts were purged.
 */
async function purgeAlertOutboxes(
  deps: Pick<RetentionDeps, 'alerts' | 'outbox'>,
  endedBefore: Date,
  now: Date,
): Promise<number> {
  const due = await deps.alerts.outboxesDue(endedBefore);
  for (const alertId of due) {
    await deps.outbox.purge(alertId);
    await deps.alerts.markOutboxPurged(alertId, now);
  }
  return due.length;
}
