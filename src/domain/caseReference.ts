/**
 * The reference a family and an officer read to each other on the phone:
 * prefix, year, and a six-digit sequence number, e.g. `TF-2026-000123`.
 */
export function formatCaseReference(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

/** The calendar year in Morocco, which names the reference's counter. */
export function referenceYear(now: Date, timeZone = 'Africa/Casablanca'): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' }).format(now));
}
