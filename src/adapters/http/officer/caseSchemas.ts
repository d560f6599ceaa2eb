import { z } from 'zod';
import {
  confirmationChecklistSchema,
  OPEN_STATUSES,
  rejectReasonSchema,
  resolveReasonSchema,
} from '../../../core/case/caseLifecycle.js';
import { CASE_STATUSES } from '../../../core/case/caseStatus.js';
import { usernameSchema } from '../../../core/officer.js';
import { regionIdSchema } from '../../../core/place/gazetteer.js';
import { officerText } from './officerText.js';

/** `:id` of a case. */
export const caseParams = z.strictObject({ id: z.string().min(1).max(100) });
/** `:id` of a case and `:audioId` of one of its voice notes (a content hash). */
export const caseAudioParams = z.strictObject({
  id: z.string().min(1).max(100),
  audioId: z.string().regex(/^[0-9a-f]{64}$/),
});

/** The queue lists open cases; closed ones are reached by their id. */
export const queueQuery = z.strictObject({
  status: z.enum(OPEN_STATUSES).default('pending'),
  queue: z
    .enum(['region', 'national'])
    .default('region')
    .describe(
      'region: your region (all for an admin); national: the cases no region claims, for supervisors and admins to give a region',
    ),
});

/** An action without a body: none, or an empty object (anything else is refused). */
export const noBody = z.strictObject({}).nullish();

/** Request bodies: exactly the fields each action takes (anything else is refused). */
export const caseBodies = {
  message: z.strictObject({ text: officerText(1, 2000) }),
  note: z.strictObject({ text: officerText(1, 4000) }),
  patch: z.strictObject({ officialReportNumber: officerText(1, 60) }),
  confirm: z.strictObject({ checklist: confirmationChecklistSchema }),
  reject: z.strictObject({ reason: rejectReasonSchema }),
  resolve: z.strictObject({ reason: resolveReasonSchema }),
  reassign: z.strictObject({ username: usernameSchema }),
  region: z.strictObject({ region: regionIdSchema }),
};

const at = z.date();
const caseCore = {
  id: z.string(),
  reference: z.string(),
  status: z.enum(CASE_STATUSES),
  region: z.string().nullable(),
  createdAt: at,
  waitingSeconds: z.number().int().min(0),
  assignedTo: z.string().nullable(),
};

/** A queue line (the other fields are in docs/officerApi.md). */
export const caseSummaryView = z.looseObject(caseCore).meta({ id: 'CaseSummary' });
/** A whole case, as an authorized officer reads it (docs/officerApi.md). */
export const caseDetailView = z
  .looseObject({ ...caseCore, language: z.string(), messages: z.array(z.unknown()) })
  .meta({ id: 'CaseDetail' });

/** The answers of the case routes. */
export const caseAnswers = {
  queue: z.object({ cases: z.array(caseSummaryView) }),
  case: z.object({ case: caseDetailView }),
  message: z.object({
    message: z.object({
      id: z.string(),
      from: z.literal('officer'),
      text: z.string(),
      at,
      officer: z.string(),
    }),
    delivered: z.boolean().describe('false when the channel failed; the message is stored anyway'),
  }),
  note: z.object({
    note: z.object({ id: z.string(), text: z.string(), at, officer: z.string() }),
  }),
  audit: z.object({
    entries: z.array(
      z.object({
        _id: z.number().int().describe('Position in the chain'),
        at,
        actor: z.string(),
        action: z.string(),
        caseId: z.string(),
        details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
        prevHash: z.string(),
        hash: z.string().describe('sha256 of the entry and the previous hash'),
      }),
    ),
  }),
};
