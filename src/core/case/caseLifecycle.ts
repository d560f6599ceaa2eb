import { z } from 'zod';
import type { CaseStatus } from './caseStatus.js';

/** Why an officer rejects a report (shown to the family in their language). */
export const REJECT_REASONS = [
  'not_missing',
  'not_guardian',
  'duplicate',
  'false_report',
  'referred_to_station',
] as const;
export const rejectReasonSchema = z.enum(REJECT_REASONS);

/** How a case ends well (or is closed) once the child is found. */
export const RESOLVE_REASONS = ['found_safe', 'found_hospital', 'returned_home', 'other'] as const;
export const resolveReasonSchema = z.enum(RESOLVE_REASONS);

/**
 * The activation checklist, modelled on child-alert criteria: a minor, a risk
 * to life or safety, enough description to help find the child, and the
 * parents' agreement to publication. Every box must be ticked to confirm.
 */
export const confirmationChecklistSchema = z.strictObject({
  minor: z.literal(true),
  riskToLife: z.literal(true),
  enoughDescription: z.literal(true),
  parentsAgreePublication: z.literal(true),
});
export type ConfirmationChecklist = z.infer<typeof confirmationChecklistSchema>;

/** What an officer can do to a case, and from which states (the case lifecycle, docs/architecture.md). */
export const TRANSITIONS = {
  claim: { from: ['pending'], to: 'in_review' },
  release: { from: ['in_review'], to: 'pending' },
  confirm: { from: ['in_review'], to: 'confirmed' },
  reject: { from: ['pending', 'in_review'], to: 'rejected' },
  resolve: { from: ['in_review', 'confirmed', 'alert_active'], to: 'resolved' },
  /** A supervisor approved the alert. */
  activateAlert: { from: ['confirmed'], to: 'alert_active' },
  /** The alert was cancelled or expired; the child is still missing. */
  endAlert: { from: ['alert_active'], to: 'confirmed' },
} as const satisfies Record<string, { from: readonly CaseStatus[]; to: CaseStatus }>;
export type TransitionName = keyof typeof TRANSITIONS;

/** Statuses that keep a case in the officers' queue. */
export const OPEN_STATUSES = [
  'pending',
  'in_review',
  'confirmed',
  'alert_active',
] as const satisfies readonly CaseStatus[];

/** Statuses in which what the family writes goes to the officer, not to a new report. */
export const FAMILY_TALKS_TO_OFFICER: readonly CaseStatus[] = OPEN_STATUSES.filter(
  (status) => status !== 'pending',
);
