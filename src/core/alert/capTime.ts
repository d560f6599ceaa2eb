import { wallClock } from '../nlu/parseDateTime.js';

/** Morocco's legal time zone; its offset drops to 0 during Ramadan, which Intl knows. */
const MOROCCO_TIME_ZONE = 'Africa/Casablanca';

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
  const { year, month, day, hour, minute, second } = wallClock(seconds, timeZone);
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
