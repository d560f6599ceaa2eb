import { describe, expect, it } from 'vitest';
import { formatLocalDateTime, parseLastSeen } from '../../src/core/nlu/parseDateTime.js';

/** Saturday 28 November 2026, 15:00 in Casablanca (UTC+1 outside Ramadan). */
const NOW = new Date('2026-11-28T14:00:00Z');

/** The result as Casablanca wall-clock text, "~" marking an approximate time. */
function seen(text: string, now = NOW): string {
  const result = parseLastSeen(text, now);
  if (!result.ok) return result.reason;
  return `${formatLocalDateTime(result.at, 'fr')}${result.approximate ? ' ~' : ''}`;
}

describe('parseLastSeen — French', () => {
  it.each([
    ["aujourd'hui", '28/11/2026 14:00 ~'],
    ['aujourdhui', '28/11/2026 14:00 ~'],
    ['hier', '27/11/2026 12:00 ~'],
    ['avant-hier', '26/11/2026 12:00 ~'],
    ['ce matin', '28/11/2026 09:00 ~'],
    ['depuis ce matin', '28/11/2026 09:00 ~'],
    ['cet après-midi', '28/11/2026 15:00 ~'],
    ['cet apres midi', '28/11/2026 15:00 ~'],
    ['hier soir', '27/11/2026 21:00 ~'],
    ['la nuit dernière', '27/11/2026 23:00 ~'],
    ['cette nuit', '27/11/2026 23:00 ~'],
    ['hier matin', '27/11/2026 09:00 ~'],
    ['il y a 2 heures', '28/11/2026 13:00'],
    ['il y a deux heures', '28/11/2026 13:00'],
    ['il y a 2h30', '28/11/2026 12:30'],
    ['il y a une heure et demie', '28/11/2026 13:30'],
    ['il y a 30 minutes', '28/11/2026 14:30'],
    ['il y a une demi-heure', '28/11/2026 14:30'],
    ['ça fait 3h', '28/11/2026 12:00'],
    ['depuis 2 heures', '28/11/2026 13:00'],
    ['depuis 9h', '28/11/2026 09:00'],
    ['il y a 2 jours', '26/11/2026 15:00 ~'],
    ['15h30', '27/11/2026 15:30'], // today's 15:30 is still to come
    ['14h30', '28/11/2026 14:30'],
    ['14:30', '28/11/2026 14:30'],
    ['à 10h', '28/11/2026 10:00'],
    ['vers 9h du matin', '28/11/2026 09:00'],
    ["3h de l'après-midi", '28/11/2026 15:00'],
    ['à 18h', '27/11/2026 18:00'],
    ['hier à 22h', '27/11/2026 22:00'],
    ['hier soir vers 20h30', '27/11/2026 20:30'],
    ['à midi', '28/11/2026 12:00'],
    ['vers 14h moins le quart', '28/11/2026 13:45'],
    ['28/11', '28/11/2026 14:00 ~'],
    ['27/11/2026', '27/11/2026 12:00 ~'],
    ['27/11/26', '27/11/2026 12:00 ~'],
    ['27-11-2026 14:00', '27/11/2026 14:00'],
    ['le 27/11 à 17h15', '27/11/2026 17:15'],
    ['le 27 novembre', '27/11/2026 12:00 ~'],
    ['27 novembre 2026 vers 17h', '27/11/2026 17:00'],
    ['vendredi', '27/11/2026 12:00 ~'],
    ['jeudi soir', '26/11/2026 21:00 ~'],
    ['samedi dernier', '21/11/2026 12:00 ~'],
    ['Il a disparu ce matin vers 10h, il a 7 ans', '28/11/2026 10:00'],
    ['IL Y A 2 HEURES !!', '28/11/2026 13:00'],
  ])('%j → %s', (text, expected) => {
    expect(seen(text)).toBe(expected);
  });
});

describe('parseLastSeen — Modern Standard Arabic', () => {
  it.each([
    ['اليوم', '28/11/2026 14:00 ~'],
    ['أمس', '27/11/2026 12:00 ~'],
    ['قبل أمس', '26/11/2026 12:00 ~'],
    ['هذا الصباح', '28/11/2026 09:00 ~'],
    ['صباح اليوم', '28/11/2026 09:00 ~'],
    ['بعد الظهر', '28/11/2026 15:00 ~'],
    ['هذا المساء', 'future'],
    ['مساء أمس', '27/11/2026 21:00 ~'],
    ['الليلة الماضية', '27/11/2026 23:00 ~'],
    ['منذ ساعتين', '28/11/2026 13:00'],
    ['قبل ساعتين', '28/11/2026 13:00'],
    ['منذ ساعة', '28/11/2026 14:00'],
    ['منذ ساعة ونصف', '28/11/2026 13:30'],
    ['منذ نصف ساعة', '28/11/2026 14:30'],
    ['منذ ٣ ساعات', '28/11/2026 12:00'],
    ['منذ يومين', '26/11/2026 15:00 ~'],
    ['الساعة 3', '28/11/2026 15:00'],
    ['الساعة الثالثة', '28/11/2026 15:00'],
    ['الساعة ١١ صباحا', '28/11/2026 11:00'],
    ['أمس على الساعة 8 مساء', '27/11/2026 20:00'],
    ['٢٧/١١/٢٠٢٦', '27/11/2026 12:00 ~'],
    ['27 نوفمبر', '27/11/2026 12:00 ~'],
    ['يوم الجمعة', '27/11/2026 12:00 ~'],
    ['\u200fأمس\u200f', '27/11/2026 12:00 ~'],
  ])('%j → %s', (text, expected) => {
    expect(seen(text)).toBe(expected);
  });
});

describe('parseLastSeen — Darija (Arabic script)', () => {
  it.each([
    ['ليوم', '28/11/2026 14:00 ~'],
    ['البارح', '27/11/2026 12:00 ~'],
    ['البارحة', '27/11/2026 12:00 ~'],
    ['قبل البارح', '26/11/2026 12:00 ~'],
    ['هاد الصباح', '28/11/2026 09:00 ~'],
    ['فالصباح', '28/11/2026 09:00 ~'],
    ['فالعشية', '28/11/2026 15:00 ~'],
    ['هاد العشية', '28/11/2026 15:00 ~'],
    ['ليوم فالليل', 'future'],
    ['البارح فالليل', '27/11/2026 23:00 ~'],
    ['البارح فالعشية', '27/11/2026 15:00 ~'],
    ['هادي ساعتين', '28/11/2026 13:00'],
    ['هادي شي ساعة', '28/11/2026 14:00'],
    ['على 6 دالعشية', '27/11/2026 18:00'],
    ['البارح مع 6 دالعشية', '27/11/2026 18:00'],
    ['مع 2 دالليل', '28/11/2026 02:00'],
    ['البارح فالليل مع 1', '28/11/2026 01:00'],
    ['مع الخمسة', '28/11/2026 05:00'],
    ['الساعة 2 ونص', '28/11/2026 14:30'],
    ['نهار السبت', '28/11/2026 14:00 ~'],
    ['دابا', '28/11/2026 15:00'],
  ])('%j → %s', (text, expected) => {
    expect(seen(text)).toBe(expected);
  });
});

describe('parseLastSeen — Darija (Arabizi)', () => {
  it.each([
    ['lyoum', '28/11/2026 14:00 ~'],
    ['lyum', '28/11/2026 14:00 ~'],
    ['lbare7', '27/11/2026 12:00 ~'],
    ['lbareh', '27/11/2026 12:00 ~'],
    ['had sba7', '28/11/2026 09:00 ~'],
    ['lyoum f sbah', '28/11/2026 09:00 ~'],
    ['f l3chiya', '28/11/2026 15:00 ~'],
    ['lbare7 f lil', '27/11/2026 23:00 ~'],
    ['lbare7 f l3chiya', '27/11/2026 15:00 ~'],
    ['hadi joj sa3at', '28/11/2026 13:00'],
    ['9bel sa3tin', '28/11/2026 13:00'],
    ['hadi nos sa3a', '28/11/2026 14:30'],
    ['hadi sa3a w nos', '28/11/2026 13:30'],
    ['m3a 2', '28/11/2026 14:00'],
    ['m3a 6', '28/11/2026 06:00'],
    ['m3a 6 dl3chiya', '27/11/2026 18:00'],
    ['lbare7 m3a 10 dlil', '27/11/2026 22:00'],
    ['hadi 3 iyam', '25/11/2026 15:00 ~'],
    ['wldi tlef lyoum m3a 2 w nos', '28/11/2026 14:30'],
  ])('%j → %s', (text, expected) => {
    expect(seen(text)).toBe(expected);
  });
});

describe('parseLastSeen — resolving a time alone', () => {
  /** 01:00 in Casablanca, just after midnight. */
  const justAfterMidnight = new Date('2026-11-28T00:00:00Z');

  it('reads a time still to come today as yesterday', () => {
    expect(seen('22h', justAfterMidnight)).toBe('27/11/2026 22:00');
    expect(seen('23:30', justAfterMidnight)).toBe('27/11/2026 23:30');
  });

  it('takes the latest past reading of an hour that may be am or pm', () => {
    expect(seen('الساعة 11', justAfterMidnight)).toBe('27/11/2026 23:00');
    expect(seen('الساعة 3')).toBe('28/11/2026 15:00');
    // A leading zero or 24-hour notation is not ambiguous.
    expect(seen('vers 03:00')).toBe('28/11/2026 03:00');
  });

  it('keeps a part of the day under way no later than now', () => {
    const earlyMorning = new Date('2026-11-28T07:00:00Z'); // 08:00 local
    expect(seen('ce matin', earlyMorning)).toBe('28/11/2026 07:00 ~');
    expect(seen("aujourd'hui", justAfterMidnight)).toBe('28/11/2026 00:00 ~');
  });

  it('accepts a few minutes of clock difference', () => {
    expect(seen('15:04')).toBe('28/11/2026 15:04');
    expect(seen('hier à 15h')).toBe('27/11/2026 15:00');
  });
});

describe('parseLastSeen — failures', () => {
  it.each([
    ['', 'unrecognized'],
    ['Yassine', 'unrecognized'],
    ['il a 7 ans', 'unrecognized'],
    ['je ne sais pas', 'unrecognized'],
    ['31/02', 'unrecognized'],
    ['👍', 'unrecognized'],
    ['ce soir', 'future'],
    ['ce soir à 20h', 'future'],
    ['29/11', 'future'],
    ['29/11/2026 10:00', 'future'],
    ['15/12', 'future'],
    ['hier à 15h', '27/11/2026 15:00'],
  ])('%j → %s', (text, expected) => {
    expect(seen(text)).toBe(expected);
  });

  it('reads a recent date without a year as last year, early in January', () => {
    expect(seen('30/12', new Date('2027-01-02T10:00:00Z'))).toBe('30/12/2026 12:00 ~');
  });
});

describe('parseLastSeen — time zone', () => {
  it('finds Casablanca on UTC+1 in November and UTC+0 in Ramadan (from Intl)', () => {
    const offset = (at: Date) =>
      new Intl.DateTimeFormat('en-US', {
        timeZone: 'Africa/Casablanca',
        timeZoneName: 'shortOffset',
      })
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')?.value;
    expect(offset(NOW)).toBe('GMT+1');
    // ICU writes a zero offset "GMT" or "GMT+0" depending on its version.
    expect(offset(new Date('2026-02-25T14:00:00Z'))).toMatch(/^GMT(\+0)?$/);
  });

  it('turns a wall-clock time into the right instant in each season', () => {
    const november = parseLastSeen('10h', NOW);
    expect(november.ok && november.at.toISOString()).toBe('2026-11-28T09:00:00.000Z');

    const ramadanNow = new Date('2026-02-25T14:00:00Z'); // 14:00 local, UTC+0
    const ramadan = parseLastSeen('10h', ramadanNow);
    expect(ramadan.ok && ramadan.at.toISOString()).toBe('2026-02-25T10:00:00.000Z');
    const morning = parseLastSeen('ce matin', ramadanNow);
    expect(morning).toEqual({
      ok: true,
      at: new Date('2026-02-25T09:00:00.000Z'),
      approximate: true,
    });
  });

  it('uses the offset of the day meant, not of today, across the Ramadan change', () => {
    // The clocks went back at 03:00 on 15 February 2026; the evening before was still UTC+1.
    const result = parseLastSeen('hier à 22h', new Date('2026-02-15T12:00:00Z'));
    expect(result.ok && result.at.toISOString()).toBe('2026-02-14T21:00:00.000Z');
  });

  it('works in another zone', () => {
    const result = parseLastSeen('10h', NOW, 'Europe/Paris');
    expect(result.ok && result.at.toISOString()).toBe('2026-11-28T09:00:00.000Z');
    const utc = parseLastSeen('10h', NOW, 'UTC');
    expect(utc.ok && utc.at.toISOString()).toBe('2026-11-28T10:00:00.000Z');
  });
});

describe('formatLocalDateTime', () => {
  const at = new Date('2026-11-28T14:30:00Z');

  it.each(['fr', 'ar', 'ary'] as const)(
    'writes %s as day/month/year hours:minutes in Latin digits',
    (language) => {
      expect(formatLocalDateTime(at, language)).toBe('28/11/2026 15:30');
    },
  );

  it('uses the Ramadan offset when it applies', () => {
    expect(formatLocalDateTime(new Date('2026-02-25T14:30:00Z'), 'fr')).toBe('25/02/2026 14:30');
  });

  it('pads and uses the 24-hour clock', () => {
    expect(formatLocalDateTime(new Date('2026-01-05T08:05:00Z'), 'ar')).toBe('05/01/2026 09:05');
    expect(formatLocalDateTime(new Date('2026-01-05T23:05:00Z'), 'fr')).toBe('06/01/2026 00:05');
  });

  it('takes another zone', () => {
    expect(formatLocalDateTime(at, 'fr', 'UTC')).toBe('28/11/2026 14:30');
  });
});

describe('tomorrow is never a last-seen time', () => {
  const now = new Date('2026-11-28T14:00:00Z');
  it.each(['demain 10h', 'demain', 'غدا على الساعة 10', 'ghda m3a 10', 'après-demain'])(
    '%s → future',
    (text) => {
      expect(parseLastSeen(text, now)).toEqual({ ok: false, reason: 'future' });
    },
  );
});
