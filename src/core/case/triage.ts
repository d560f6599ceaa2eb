/** Why a case was put higher in the officers' queue. */
export const PRIORITY_REASONS = [
  'young_child',
  'child',
  'health_needs',
  'suspected_abduction',
  'possible_abduction',
  'very_recent',
  'recent',
] as const;
export type PriorityReason = (typeof PRIORITY_REASONS)[number];

export interface Priority {
  level: 'critical' | 'high' | 'normal';
  /** Higher first in the queue; ties go to the case that has waited longest. */
  score: number;
  reasons: PriorityReason[];
}

export interface TriageFacts {
  ageYears: number;
  hasHealthNeeds: boolean;
  abduction: 'yes' | 'no' | 'unknown';
  lastSeenAt: Date;
  now: Date;
}

const HOUR = 3_600_000;

/**
 * Orders the queue so the most endangered children are looked at first:
 * very young age, health needs, a suspected abduction and a recent
 * disappearance each raise the score. Nothing lowers it: a child who ran away
 * before is not a lesser case.
 */
export function triage(facts: TriageFacts): Priority {
  const reasons: PriorityReason[] = [];
  let score = 0;
  if (facts.ageYears < 6) {
    score += 3;
    reasons.push('young_child');
  } else if (facts.ageYears < 12) {
    score += 2;
    reasons.push('child');
  }
  if (facts.hasHealthNeeds) {
    score += 2;
    reasons.push('health_needs');
  }
  if (facts.abduction === 'yes') {
    score += 3;
    reasons.push('suspected_abduction');
  } else if (facts.abduction === 'unknown') {
    score += 1;
    reasons.push('possible_abduction');
  }
  const elapsed = facts.now.getTime() - facts.lastSeenAt.getTime();
  if (elapsed < 6 * HOUR) {
    score += 2;
    reasons.push('very_recent');
  } else if (elapsed < 48 * HOUR) {
    score += 1;
    reasons.push('recent');
  }
  const level = score >= 6 ? 'critical' : score >= 3 ? 'high' : 'normal';
  return { level, score, reasons };
}
