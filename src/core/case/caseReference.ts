/**
 * The reference a family and an officer read to each other on the phone:
 * prefix, year, and a six-digit sequence number, e.g. `TF-2026-000123`.
 */
export function formatCaseReference(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

/** The calendar year in Morocco, which names the reference's counter. */
export function referenceYear(now: Date, timeZone = 'Africa/Casablanca'): number {
  let format = yearFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' });
    yearFormats.set(timeZone, format);
  }
  return Number(format.format(now));
}

// Building an Intl formatter costs far more than using one.
const yearFormats = new Map<string, Intl.DateTimeFormat>();
