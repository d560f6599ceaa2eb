import { RETENTION } from '../core/retention.js';
import type { AlertStore } from './ports/alertStore.js';
import type { AudioStore } from './ports/audioStore.js';
import type { AuditTrail } from './ports/auditTrail.js';
import type { CaseStore } from './ports/caseStore.js';
import type { ConversationStore } from './ports/conversationStore.js';
import type { InboundJournal } from './ports/inboundJournal.js';
import type { IntakeLimiter } from './ports/intakeLimiter.js';
import type { OfficerStore } from './ports/officerStore.js';
import type { Outbox } from './ports/outbox.js';
import type { PersonalData } from './ports/personalData.js';
import type { PhotoStore } from './ports/photoStore.js';
import type { RightsRequests } from './ports/rightsRequests.js';
import type { SightingReader } from './ports/sightings.js';

/** The periods live in the one retention table of the core (printed in docs/privacy.md). */
export { RETENTION } from '../core/retention.js';

/** How many closed cases one pass deletes at most: the next pass takes the rest. */
const CLOSED_CASES_PER_PASS = 200;

/** What one pass deleted, by job (the jobs are named in the retention table). */
export interface RetentionResult {
  conversations: number;
  photos: number;
  audio: number;
  sessions: number;
  alertOutboxes: number;
  closedCases: number;
  stoppedSubscriptions: number;
  rightsRequests: number;
  inboundIds: number;
  floodCounters: number;
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
  personalData: Pick<
    PersonalData,
    'closedCasesBefore' | 'alertsOfCases' | 'eraseCases' | 'purgeStoppedSubscriptions'
  >;
  rightsRequests: Pick<RightsRequests, 'purgeDecided'>;
  audit: Pick<AuditTrail, 'append'>;
  inboundJournal: Pick<InboundJournal, 'purgeProcessed'>;
  /** Without it (benchmarks), there are no flood counters to purge. */
  intake?: Pick<IntakeLimiter, 'purgeExpired'>;
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
    closedCases: await purgeClosedCases(deps, before(RETENTION.closedCaseMs), now),
    stoppedSubscriptions: await deps.personalData.purgeStoppedSubscriptions(
      before(RETENTION.stoppedSubscriptionMs),
    ),
    rightsRequests: await deps.rightsRequests.purgeDecided(
      before(RETENTION.decidedRightsRequestMs),
    ),
    inboundIds: await deps.inboundJournal.purgeProcessed(before(RETENTION.processedInboundMs)),
    floodCounters: (await deps.intake?.purgeExpired(now)) ?? 0,
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

/**
 * Deletes closed cases whose last change is older than the period, with what
 * hangs on them (photos, sightings, alerts and who the alerts reached); the
 * audit trail keeps that each was purged. A crash midway leaves a case that
 * the next pass finds again.
 */
async function purgeClosedCases(
  deps: Pick<RetentionDeps, 'personalData' | 'outbox' | 'audit'>,
  changedBefore: Date,
  now: Date,
): Promise<number> {
  const due = await deps.personalData.closedCasesBefore(changedBefore, CLOSED_CASES_PER_PASS);
  for (const caseId of due) {
    for (const alertId of await deps.personalData.alertsOfCases([caseId])) {
      await deps.outbox.purge(alertId);
    }
    const erased = await deps.personalData.eraseCases([caseId]);
    await deps.audit.append({
      at: now,
      actor: 'retention',
      action: 'case.purged',
      caseId,
      details: erased,
    });
  }
  return due.length;
}
