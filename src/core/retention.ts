import { DEFAULT_LOGIN_THROTTLE, SESSION_IDLE_MS } from './loginThrottle.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How long Tifli keeps each kind of data (Law 09-08: no longer than the
 * purpose needs). The one source of every period: the purge job
 * (`src/app/retention.ts`), the MongoDB TTL indexes, the family's "see my
 * data" answer and `docs/privacy.md` all read these numbers.
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
  alertOutboxMs: 30 * DAY,
  /**
   * A closed case (child found, report rejected or closed) is kept two years
   * after its last change, for a case reopened or a complaint, then deleted
   * with its photos, sightings and alerts. An open case is never purged.
   */
  closedCaseMs: 730 * DAY,
  /** After STOP only the opt-out is kept (no area), for 30 days, then the document goes. */
  stoppedSubscriptionMs: 30 * DAY,
  /** A decided data-subject request is kept a year as proof it was answered (pseudonymised once applied). */
  decidedRightsRequestMs: 365 * DAY,
  /**
   * The ids of inbound WhatsApp messages and statuses already processed are
   * kept 8 days (WhatsApp redelivers for up to 7), their content not at all.
   */
  processedInboundMs: 8 * DAY,
  /**
   * Flood counters (per hashed number: messages in a minute, reports of the
   * day, a flood mark) last at most a day; each carries its own `expiresAt`.
   */
  floodCountersMs: DAY,
  /** An officer's session ends after 8 hours without use and is then purged. */
  officerSessionMs: SESSION_IDLE_MS,
  /** Live events for the console (case ids only) on MongoDB, emptied by a TTL index. */
  liveEventMs: HOUR,
  /** Failed logins count only within this window. */
  loginFailureMs: DEFAULT_LOGIN_THROTTLE.windowMs,
} as const;

/** One row of the retention table: a kind of data, how long, from when, and what enforces it. */
export interface RetentionRule {
  /** What is kept (stable id, also the row's name in docs/privacy.md). */
  data: string;
  /** How long, in milliseconds; `null`: as long as the condition in `from` holds. */
  keptForMs: number | null;
  /** The moment the period starts, or the condition that keeps the data. */
  from: string;
  /** What deletes it: a purge job, a TTL index, or why nothing needs to. */
  enforcedBy: string;
}

/** Every retention period in one table (printed in docs/privacy.md; a test keeps the two equal). */
export const RETENTION_TABLE: readonly RetentionRule[] = [
  {
    data: 'conversation (answers of an unfinished report)',
    keptForMs: RETENTION.idleConversationMs,
    from: 'the last message',
    enforcedBy: 'TTL index on MongoDB; purge job `conversations` on the embedded database',
  },
  {
    data: 'photo of a report or sighting never submitted',
    keptForMs: RETENTION.unsubmittedPhotoMs,
    from: 'its receipt',
    enforcedBy: 'purge job `photos`',
  },
  {
    data: 'open case (with its photo, messages and notes)',
    keptForMs: null,
    from: 'while the case is open (the child may still be missing)',
    enforcedBy: 'never purged; an erasure request is reviewed by a supervisor',
  },
  {
    data: 'closed case (with its photo, messages, notes, sightings and alerts)',
    keptForMs: RETENTION.closedCaseMs,
    from: 'its last change after closing',
    enforcedBy: 'purge job `closedCases`',
  },
  {
    data: 'sighting sent by a citizen (and its photo)',
    keptForMs: null,
    from: 'as long as the case it is about',
    enforcedBy: 'deleted with its case (purge job `closedCases`) or on erasure',
  },
  {
    data: 'who an alert was sent to (outbox and receipts)',
    keptForMs: RETENTION.alertOutboxMs,
    from: 'the end of the alert',
    enforcedBy: 'purge job `alertOutboxes`',
  },
  {
    data: 'active subscription to alerts (coarse area only)',
    keptForMs: null,
    from: 'until STOP or an erasure request',
    enforcedBy: 'STOP removes the area at once; erasure deletes the document at once',
  },
  {
    data: 'opt-out after STOP (number, no area)',
    keptForMs: RETENTION.stoppedSubscriptionMs,
    from: 'the STOP',
    enforcedBy: 'purge job `stoppedSubscriptions`',
  },
  {
    data: 'voice note of a report never submitted',
    keptForMs: RETENTION.unsubmittedAudioMs,
    from: 'its receipt',
    enforcedBy:
      'purge job `audio`; a voice note of a case stays with the case (purge job `closedCases`)',
  },
  {
    data: 'data-subject request (access, correction, erasure)',
    keptForMs: RETENTION.decidedRightsRequestMs,
    from: 'its decision',
    enforcedBy:
      'purge job `rightsRequests`; the number is replaced by a pseudonym when an erasure is applied',
  },
  {
    data: 'id of a processed WhatsApp Cloud API message or status (no content)',
    keptForMs: RETENTION.processedInboundMs,
    from: 'its processing',
    enforcedBy: 'TTL index on MongoDB; purge job `inboundIds` on the embedded database',
  },
  {
    data: 'flood counter (hashed number, messages in a minute, reports of the day)',
    keptForMs: RETENTION.floodCountersMs,
    from: 'its last count',
    enforcedBy: 'TTL index on MongoDB; purge job `floodCounters` on the embedded database',
  },
  {
    data: 'officer session',
    keptForMs: RETENTION.officerSessionMs,
    from: 'its last use',
    enforcedBy: 'refused once expired; purge job `sessions`',
  },
  {
    data: 'failed-login counter (account name or client address)',
    keptForMs: RETENTION.loginFailureMs,
    from: 'the last failure',
    enforcedBy:
      'ignored once the window passed; the record is not yet deleted (docs/privacy.md, gaps)',
  },
  {
    data: 'live event for the console (case id, region)',
    keptForMs: RETENTION.liveEventMs,
    from: 'its publication',
    enforcedBy: 'TTL index on MongoDB; in memory only on the embedded database',
  },
  {
    data: 'audit trail (officer names, case ids, actions; no family data)',
    keptForMs: null,
    from: 'kept as the record of who did what',
    enforcedBy: 'never purged by the service (append-only); archived by the operator',
  },
];

/** A period as docs/privacy.md prints it. */
export function formatPeriod(ms: number | null): string {
  if (ms === null) return '—';
  if (ms === 0) return 'not kept';
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms % DAY === 0) return count(ms / DAY, 'day');
  if (ms % HOUR === 0) return count(ms / HOUR, 'hour');
  return count(ms / 60_000, 'minute');
}

/** The retention table as the Markdown docs/privacy.md holds between its markers. */
export function retentionTableMarkdown(): string {
  const rows = RETENTION_TABLE.map(
    (rule) =>
      `| ${rule.data} | ${formatPeriod(rule.keptForMs)} | ${rule.from} | ${rule.enforcedBy} |`,
  );
  return ['| data | kept for | from | enforced by |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}
