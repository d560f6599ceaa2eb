/** The lifecycle of a case (DESIGN.md "Case lifecycle"). */
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
