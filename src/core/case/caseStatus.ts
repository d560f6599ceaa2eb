/** The statuses of a case; the moves between them are in caseLifecycle.ts. */
export const CASE_STATUSES = [
  'pending',
  'in_review',
  'confirmed',
  'alert_active',
  'resolved',
  'rejected',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
