import { z } from 'zod';
import {
  eraseRefusalReasonSchema,
  RIGHTS_KINDS,
  RIGHTS_STATUSES,
} from '../../../core/rights/rightsRequest.js';

/** `:id` of a data-subject request. */
export const rightsParams = z.strictObject({ id: z.string().min(1).max(100) });
/** `:id` of a case. */
export const rightsCaseParams = z.strictObject({ id: z.string().min(1).max(100) });

const note = z.string().trim().min(1).max(1000);

/** Request bodies: exactly the fields each decision takes (anything else is refused). */
export const rightsBodies = {
  apply: z.strictObject({ note: note.optional() }).nullish(),
  refuse: z.strictObject({ reason: eraseRefusalReasonSchema, note: note.optional() }),
};

const at = z.date();
/**
 * A request as an officer reads it. Never the person's number: the case (which
 * officers of its region may open) says who it is; `subject` is a pseudonym.
 */
export const rightsRequestView = z
  .object({
    id: z.string(),
    kind: z.enum(RIGHTS_KINDS),
    status: z.enum(RIGHTS_STATUSES),
    subject: z.string().describe('Pseudonym of the number (the same for all its requests)'),
    language: z.string(),
    caseId: z.string().nullable(),
    caseReference: z.string().nullable(),
    region: z.string().nullable(),
    text: z.string().nullable().describe('A correction: what the family says is wrong'),
    erasedAtOnce: z.array(z.string()).describe('What the bot erased without review (subscription)'),
    createdAt: at,
    decidedAt: at.nullable(),
    decidedBy: z.string().nullable(),
    reason: z.string().nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'RightsRequest' });

/** The answers of the rights routes. */
export const rightsAnswers = {
  list: z.object({ requests: z.array(rightsRequestView) }),
  one: z.object({
    request: rightsRequestView,
    erased: z
      .record(z.string(), z.number().int())
      .optional()
      .describe('An applied erasure: documents deleted, by collection'),
  }),
};
