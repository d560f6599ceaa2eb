import { z } from 'zod';
import { OPEN_STATUSES } from '../case/caseLifecycle.js';
import type { CaseStatus } from '../case/caseStatus.js';
import { languageSchema } from '../nlu/language.js';

/**
 * The rights of Law 09-08 a person exercises through the bot: access (art. 7),
 * rectification and erasure (art. 8). Opposition (art. 9) is STOP for alerts.
 */
export const RIGHTS_KINDS = ['access', 'rectify', 'erase'] as const;
export type RightsKind = (typeof RIGHTS_KINDS)[number];

/**
 * Where a request stands. `answered`: an access request, answered at once by
 * the bot. `pending`: waiting for an officer (correction) or a supervisor
 * (erasure). `applied` or `refused` (with a reason) once decided.
 */
export const RIGHTS_STATUSES = ['answered', 'pending', 'applied', 'refused'] as const;
export type RightsStatus = (typeof RIGHTS_STATUSES)[number];

/** Why a supervisor refuses an erasure (the family hears it in their language). */
export const ERASE_REFUSAL_REASONS = [
  /** The child is still missing: the case is needed to find them. */
  'case_open',
  /** A judicial procedure (the prosecutor) requires the file to be kept. */
  'judicial_hold',
  /** The request could not be tied to the person whose data it is. */
  'identity_unverified',
  'other',
] as const;
export const eraseRefusalReasonSchema = z.enum(ERASE_REFUSAL_REASONS);
export type EraseRefusalReason = z.infer<typeof eraseRefusalReasonSchema>;

/** A data-subject request as stored. */
export const rightsRequestSchema = z.object({
  /** Derived from the channel's message id: a retried turn files one request. */
  _id: z.string(),
  kind: z.enum(RIGHTS_KINDS),
  status: z.enum(RIGHTS_STATUSES),
  channel: z.string(),
  /** The person's number; `null` once an erasure was applied (only `subjectHash` stays). */
  address: z.string().nullable(),
  /** The number's pseudonym, kept so a request stays attributable after erasure. */
  subjectHash: z.string(),
  language: languageSchema,
  /** The case the request is about (the number's latest report), if any. */
  caseId: z.string().nullable(),
  /** Its reference, shown to the supervisor and in the family's answer. */
  caseReference: z.string().nullable(),
  /** The region whose supervisors decide it; `null`: any supervisor. */
  region: z.string().nullable(),
  /** What the family says is wrong (a correction); `null` otherwise. */
  text: z.string().nullable(),
  /** What was done at once when it was filed (a citizen's subscription erased). */
  erasedAtOnce: z.array(z.string()).default([]),
  createdAt: z.coerce.date(),
  decidedAt: z.coerce.date().nullable(),
  decidedBy: z.string().nullable(),
  /** A refusal's reason, or the note of an applied correction. */
  reason: z.string().nullable(),
  note: z.string().nullable(),
});
export type RightsRequest = z.infer<typeof rightsRequestSchema>;

/** A request as the bot files it. */
export type NewRightsRequest = Omit<
  RightsRequest,
  'decidedAt' | 'decidedBy' | 'reason' | 'note' | 'status'
> & { status: Extract<RightsStatus, 'answered' | 'pending'> };

/** A supervisor's (or, for a correction, the case officer's) decision. */
export interface RightsDecision {
  status: Extract<RightsStatus, 'applied' | 'refused'>;
  by: string;
  at: Date;
  reason: string | null;
  note: string | null;
}

/**
 * Whether an erasure may be applied to a case now. An open case cannot be
 * erased: the child may still be missing, and the police need the file to
 * find them; the supervisor refuses (or first closes the case).
 */
export function mayEraseCase(status: CaseStatus): boolean {
  return !OPEN_STATUSES.some((open) => open === status);
}
