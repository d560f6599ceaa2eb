import type { Priority } from './triage.js';

/**
 * Flood limits per number (the conversation issue's numbers): more than 30
 * messages in a minute, or more than 3 reports in 24 hours, and the number is
 * slowed and its cases are flagged for the officers.
 */
export const INTAKE_LIMITS = {
  messagesPerMinute: 30,
  reportsPerDay: 3,
  /** How long a number that flooded messages keeps its reports flagged. */
  floodMemoryMs: 24 * 60 * 60_000,
} as const;

/** Why an officer should look twice at a case (shown in the queue and the case). */
export const CASE_FLAGS = ['flood'] as const;
export type CaseFlag = (typeof CASE_FLAGS)[number];

/** What to do with one inbound message, given how many the number sent in its minute. */
export type MessageAdmission =
  | { kind: 'accept' }
  /** The first message over the limit: one polite "wait a moment" reply, nothing else. */
  | { kind: 'slow_down' }
  /** Further messages in the same minute: not handled, not answered. */
  | { kind: 'ignore' };

/** Decides from the minute's count (this message included). */
export function admitMessage(countInMinute: number): MessageAdmission {
  if (countInMinute <= INTAKE_LIMITS.messagesPerMinute) return { kind: 'accept' };
  if (countInMinute === INTAKE_LIMITS.messagesPerMinute + 1) return { kind: 'slow_down' };
  return { kind: 'ignore' };
}

/** Whether a report is flagged: the number filed too many, or flooded messages recently. */
export function reportFlags(facts: { reportsInDay: number; flooding: boolean }): CaseFlag[] {
  return facts.reportsInDay > INTAKE_LIMITS.reportsPerDay || facts.flooding ? ['flood'] : [];
}

/**
 * A flagged case's place in the queue: half a point below its triage score,
 * so it comes after every real case of the same priority and still before
 * every case of a lower one. The level and reasons officers see are unchanged;
 * nothing is refused (a frightened parent who writes a lot is still heard).
 */
export function flaggedPriority(priority: Priority, flags: readonly CaseFlag[]): Priority {
  if (flags.length === 0) return priority;
  return { ...priority, score: Math.ceil(priority.score) - 0.5 };
}
