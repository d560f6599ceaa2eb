/** Morocco's legal time zone; its offset drops to 0 during Ramadan, which Intl knows. */
const MOROCCO_TIME_ZONE = 'Africa/Casablanca';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building them is the slow part of Intl. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * A CAP 1.2 date-time (§3.3.2): local wall-clock time in `timeZone` with a
 * numeric offset, whole seconds, e.g. `2026-11-28T17:00:00+01:00`.
 *
 * CAP forbids `Z` and the schema's pattern rejects it; an offset of zero is
 * written `-00:00`, as the standard asks for UTC. Throws on an invalid date,
 * which only a programming error can produce (stored dates are validated).
 */
export function capDateTime(at: Date | string, timeZone = MOROCCO_TIME_ZONE): string {
  const instant = new Date(at);
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('capDateTime: invalid date');
  // CAP has no fractions of a second; truncating keeps the offset arithmetic exact.
  const seconds = new Date(ms - (((ms % 1000) + 1000) % 1000));
  const parts = formatterFor(timeZone).formatToParts(seconds);
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  const year = part('year');
  const month = part('month');
  const day = part('day');
  // Some engines write midnight as 24 even with h23.
  const hour = part('hour') % 24;
  const minute = part('minute');
  const second = part('second');
  const offsetMinutes = Math.round(
    (Date.UTC(year, month - 1, day, hour, minute, second) - seconds.getTime()) / 60_000,
  );
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
