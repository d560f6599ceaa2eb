import type { Language } from './language.js';
import {
  isConnector,
  isHalf,
  isQuarter,
  type Lexeme,
  lexNumbers,
  type UnitWord,
  unitOf,
} from './lexNumbers.js';
import { normalizeForMatching } from './normalize.js';

/**
 * When the child was last seen. `approximate` is true when only a day or a
 * part of the day was given ("ce matin", "hier"), so the time is our estimate.
 */
export type LastSeenParse =
  | { ok: true; at: Date; approximate: boolean }
  | { ok: false; reason: 'unrecognized' | 'future' };

/** Morocco's legal time zone. Its offset changes for Ramadan; Intl knows when. */
const DEFAULT_TIME_ZONE = 'Africa/Casablanca';

/** Clocks and typing take time: "15:05" written at 15:02 is not the future. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** A date without a year in the future is last year's only if that is this recent ("30/12" on 2 January). */
const LAST_YEAR_WINDOW_DAYS = 62;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

// ───────────────────────── Time zone arithmetic ─────────────────────────

type LocalDate = { year: number; month: number; day: number };
type LocalDateTime = LocalDate & { hour: number; minute: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building them is the slow part of Intl. */
function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
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

/** The wall-clock date and time in a zone at an instant (CAP's timestamps use it too). */
export function wallClock(at: Date, timeZone: string): LocalDateTime & { second: number } {
  const parts = wallClockFormatter(timeZone).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    // Some engines write midnight as 24 even with h23.
    hour: part('hour') % 24,
    minute: part('minute'),
    second: part('second'),
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (Casablanca: +1 h, 0 in Ramadan). */
function offsetAt(at: Date, timeZone: string): number {
  const local = wallClock(at, timeZone);
  const asUtc = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
    local.second,
  );
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant a wall-clock time in a zone denotes. The offset is looked up
 * twice because the first guess may sit on the other side of a change.
 */
function toInstant(local: LocalDateTime, timeZone: string): Date {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const first = naive - offsetAt(new Date(naive), timeZone);
  return new Date(naive - offsetAt(new Date(first), timeZone));
}

function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** Days from `a` to `b` (positive when `b` is later). */
function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS,
  );
}

function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

function isRealDate(date: LocalDate): boolean {
  const check = addDays(date, 0);
  return check.year === date.year && check.month === date.month && check.day === date.day;
}

// ───────────────────────── Vocabulary ─────────────────────────

type Part = 'morning' | 'noon' | 'afternoon' | 'evening' | 'night';

/** Where a part of the day starts, and the time we assume when only the part is given. */
const PARTS: Record<Part, { starts: number; assumed: number }> = {
  morning: { starts: 5, assumed: 9 },
  noon: { starts: 12, assumed: 13 },
  afternoon: { starts: 13, assumed: 15 },
  evening: { starts: 18, assumed: 21 },
  night: { starts: 21, assumed: 23 },
};

type Concept =
  | { c: 'day'; daysAgo: number }
  | { c: 'part'; part: Part }
  | { c: 'lastNight' }
  | { c: 'ago'; since: boolean }
  | { c: 'at' }
  | { c: 'this' }
  | { c: 'last' }
  | { c: 'minus' }
  | { c: 'clock'; hour: number; minute: number }
  | { c: 'month'; month: number }
  | { c: 'weekday'; weekday: number }
  | { c: 'hourWord'; hour: number }
  | { c: 'now' }
  | { c: 'filler' };

const day = (daysAgo: number): Concept => ({ c: 'day', daysAgo });
const part = (p: Part): Concept => ({ c: 'part', part: p });

/**
 * Words and phrases for times, in French, MSA, Darija and Arabizi. Phrases
 * are matched longest first, so "avant hier" wins over "hier" and "بعد
 * الظهر" (afternoon) over "الظهر" (noon).
 */
const PHRASES: ReadonlyArray<readonly [readonly string[], Concept]> = [
  [
    [
      'aujourd’hui',
      'aujourdhui',
      'auj',
      'ajd',
      'today',
      'ce jour',
      'اليوم',
      'ليوم',
      'هذا اليوم',
      'هاد النهار',
      'lyoum',
      'lyum',
      'lyouma',
      'lyoma',
      'ليوما',
      'had nhar',
      'hed nhar',
    ],
    day(0),
  ],
  [
    [
      'hier',
      'yesterday',
      'أمس',
      'يوم أمس',
      'البارح',
      'البارحة',
      'لبارح',
      'nhar lbare7',
      'lbare7',
      'lbareh',
      'lbar7',
      'lbarh',
      'lbarah',
      'lbara7',
      'bare7',
      'lbarha',
    ],
    day(1),
  ],
  // Tomorrow is understood only to answer that it has not happened yet.
  [
    ['demain', 'tomorrow', 'غدا', 'غداً', 'غدوة', 'غدّا', 'ghedda', 'ghda', 'ghadda', 'ghdda'],
    day(-1),
  ],
  [['après demain', 'apres demain', 'après-demain', 'بعد غد', 'بعد غدا', 'من بعد غدا'], day(-2)],
  [
    [
      'avant hier',
      'avant-hier',
      'قبل أمس',
      'أول أمس',
      'قبل البارح',
      'قبل البارحة',
      '9bel lbare7',
      'qbel lbare7',
      'kbel lbare7',
      '9bel lbareh',
      'qbel lbareh',
    ],
    day(2),
  ],
  [
    [
      'matin',
      'matinée',
      'morning',
      'الصباح',
      'صباح',
      'صباحا',
      'الصبح',
      'صبح',
      'sba7',
      'sbah',
      'sbe7',
      'ssba7',
      'lsba7',
      'lsbah',
    ],
    part('morning'),
  ],
  [
    [
      'الظهر',
      'ظهر',
      'ظهرا',
      'الضهر',
      'ضهر',
      'الزوال',
      'زوال',
      'وقت الغدا',
      'dhor',
      'ddhor',
      'dohr',
      'ddohr',
      'dhhor',
      'lghda',
      'noon',
    ],
    part('noon'),
  ],
  [
    [
      'après midi',
      'apres midi',
      'aprèm',
      'aprem',
      'afternoon',
      'بعد الظهر',
      'بعد الزوال',
      'العشية',
      'عشية',
      'لعشية',
      'العصر',
      'عصر',
      'l3chiya',
      'l3chia',
      'l3echiya',
      '3chiya',
      'l3achiya',
      'la3chiya',
      'l3chiya',
      'l3asr',
      '3asr',
      'l3sr',
      'ba3d dhor',
      'ba3d dohr',
    ],
    part('afternoon'),
  ],
  [
    [
      'soir',
      'soirée',
      'evening',
      'المساء',
      'مساء',
      'مساءا',
      'المغرب',
      'لمغرب',
      'lmghrib',
      'lmaghrib',
      'lma8rib',
    ],
    part('evening'),
  ],
  [['nuit', 'night', 'الليل', 'ليل', 'ليلا', 'الليلة', 'lil', 'lila', 'llil'], part('night')],
  [
    [
      'la nuit dernière',
      'nuit dernière',
      'cette nuit là',
      'last night',
      'الليلة الماضية',
      'ليلة أمس',
      'ليلة البارح',
      'lila dyal lbare7',
      'lilt lbare7',
    ],
    { c: 'lastNight' },
  ],
  [
    [
      'il y a',
      'y a',
      'ya',
      'ça fait',
      'ca fait',
      'cela fait',
      'منذ',
      'قبل',
      'هادي',
      'هاذي',
      'hadi',
      '9bel',
      'qbel',
      'kbel',
      'ago',
    ],
    { c: 'ago', since: false },
  ],
  [['depuis', 'من', 'mn', 'since'], { c: 'ago', since: true }],
  [
    [
      'maintenant',
      'à l’instant',
      'a l instant',
      'tout à l’heure',
      'just now',
      'now',
      'دابا',
      'غير دابا',
      'الآن',
      'حالا',
      'daba',
      'ghir daba',
      'db',
    ],
    { c: 'now' },
  ],
  // "à" is rewritten to "vers" before matching (see itemize): folded, it would be the verb "a".
  [
    [
      'vers',
      'aux alentours de',
      'environ',
      'around',
      'at',
      'الساعة',
      'على',
      'مع',
      'حوالي',
      'تقريبا',
      'في حدود',
      'm3a',
      '3la',
      'f',
      'ف',
      'في',
      'fi',
      'ta9riban',
    ],
    { c: 'at' },
  ],
  [['ce', 'cet', 'cette', 'this', 'هذا', 'هذه', 'هاد', 'had', 'hed'], { c: 'this' }],
  [
    [
      'dernier',
      'dernière',
      'passé',
      'passée',
      'الماضي',
      'الماضية',
      'اللي فات',
      'لي فات',
      'الفايت',
      'li fat',
      'lifat',
      'lfayt',
      'last',
    ],
    { c: 'last' },
  ],
  [['moins', 'إلا', 'غير', 'ghir', 'gher'], { c: 'minus' }],
  [
    ['midi', 'midday', 'منتصف النهار', 'نص النهار', 'ns nhar', 'nos nhar'],
    { c: 'clock', hour: 12, minute: 0 },
  ],
  [
    ['minuit', 'midnight', 'منتصف الليل', 'نص الليل', 'ns lil', 'nos lil', 'ness lil'],
    { c: 'clock', hour: 0, minute: 0 },
  ],
  [
    [
      'de',
      'du',
      'des',
      'd',
      'l',
      'le',
      'la',
      'les',
      'of',
      'the',
      'dyal',
      'dial',
      'ديال',
      'د',
      'ta3',
      'تاع',
      'chi',
      'شي',
      'vers les',
      'plus ou moins',
      'presque',
    ],
    { c: 'filler' },
  ],
  ...monthPhrases(),
  ...weekdayPhrases(),
  ...hourWordPhrases(),
];

function monthPhrases(): Array<readonly [readonly string[], Concept]> {
  const months: ReadonlyArray<readonly string[]> = [
    ['janvier', 'janv', 'january', 'يناير', 'جانفي', 'كانون الثاني'],
    ['février', 'fevrier', 'fév', 'fev', 'february', 'فبراير', 'فيفري'],
    ['mars', 'march', 'مارس'],
    ['avril', 'avr', 'april', 'أبريل', 'ابريل', 'أفريل'],
    ['mai', 'may', 'ماي', 'مايو'],
    ['juin', 'june', 'يونيو', 'يونيه', 'جوان'],
    ['juillet', 'juil', 'july', 'يوليوز', 'يوليو', 'جويلية'],
    ['août', 'aout', 'august', 'غشت', 'أغسطس', 'أوت'],
    ['septembre', 'september', 'شتنبر', 'سبتمبر'],
    ['octobre', 'oct', 'october', 'أكتوبر'],
    ['novembre', 'nov', 'november', 'نونبر', 'نوفمبر'],
    ['décembre', 'déc', 'december', 'دجنبر', 'ديسمبر'],
  ];
  return months.map((names, index) => [names, { c: 'month', month: index + 1 }]);
}

function weekdayPhrases(): Array<readonly [readonly string[], Concept]> {
  // Index = JavaScript weekday (0 = Sunday).
  const weekdays: ReadonlyArray<readonly string[]> = [
    ['dimanche', 'sunday', 'الأحد', 'الحد', 'لحد', 'l7ed', 'lhed', 'l7ad', 'el had'],
    [
      'lundi',
      'monday',
      'الاثنين',
      'الإثنين',
      'الاتنين',
      'التنين',
      'لتنين',
      'tnin',
      'letnin',
      'ltnin',
    ],
    // Not "tlat": that is the number three.
    ['mardi', 'tuesday', 'الثلاثاء', 'التلات', 'الثلاث', 'التلاتا', 'ltlat'],
    ['mercredi', 'wednesday', 'الأربعاء', 'لاربع', 'الاربع', 'larb3', 'larb3a', 'l2arb3a'],
    ['jeudi', 'thursday', 'الخميس', 'لخميس', 'lkhmis', 'lekhmis', 'khmis'],
    ['vendredi', 'friday', 'الجمعة', 'جمعة', 'لجمعة', 'ljem3a', 'jem3a', 'ljm3a', 'jm3a'],
    ['samedi', 'saturday', 'السبت', 'سبت', 'ssebt', 'sebt', 'ssbt', 'sbt', 'lsebt'],
  ];
  return weekdays.map((names, index) => [names, { c: 'weekday', weekday: index }]);
}

/**
 * Hours said as words with the article: MSA ordinals ("الساعة الثالثة") and
 * Darija cardinals ("مع الخمسة", "m3a ljouj", "f sta").
 */
function hourWordPhrases(): Array<readonly [readonly string[], Concept]> {
  // Bare number words ("khamsa", and "ttlata" once its letters are collapsed) are
  // already numbers by the time phrases are matched; so are "الحادية عشرة", "الثانية عشرة".
  const hours: ReadonlyArray<readonly string[]> = [
    ['الواحدة', 'الوحدة', 'lwe7da', 'lwahda', 'lwa7da'],
    ['الثانية', 'الجوج', 'ljouj', 'ljoj'],
    ['الثالثة', 'التلاتة', 'ltlata'],
    ['الرابعة', 'الربعة', 'lrb3a', 'lreb3a'],
    ['الخامسة', 'الخمسة', 'lkhamsa', 'lkhmsa'],
    ['السادسة', 'الستة', 'lsetta'],
    ['السابعة', 'السبعة', 'lseb3a'],
    ['الثامنة', 'التمنية', 'ltmnya', 'ltmenya'],
    ['التاسعة', 'التسعود', 'التسعة', 'ltes3oud'],
    ['العاشرة', 'العشرة', 'l3achra', 'l3ashra'],
    ['الحداش', 'l7dach', 'lhdach'],
    ['الطناش', 'ltnach'],
  ];
  return hours.map((names, index) => [names, { c: 'hourWord', hour: index + 1 }]);
}

type Phrase = { words: readonly string[]; concept: Concept };

/** Phrases folded and split into words, longest first. */
const PHRASE_LIST: readonly Phrase[] = PHRASES.flatMap(([texts, concept]) =>
  texts.map((text) => ({ words: normalizeForMatching(text).split(' '), concept })),
).sort((a, b) => b.words.length - a.words.length);

const SINGLE_WORDS = new Map<string, Concept>();
for (const phrase of PHRASE_LIST) {
  const [only] = phrase.words;
  if (phrase.words.length === 1 && only !== undefined && !SINGLE_WORDS.has(only)) {
    SINGLE_WORDS.set(only, phrase.concept);
  }
}

/**
 * A word with a preposition or conjunction glued on: Arabic و ف ب د ل
 * ("فالصباح", "دالعشية", "والبارح"), Arabizi f d b w ("fsba7", "dlil").
 */
function gluedConcept(word: string): Concept | undefined {
  for (const prefix of GLUED_PREFIXES) {
    const rest = word.slice(prefix.length);
    if (!word.startsWith(prefix) || [...rest].length < 3) continue;
    const concept = SINGLE_WORDS.get(rest);
    // Only words that are times by themselves: "f" + "ila" must not become anything.
    if (
      concept &&
      ['day', 'part', 'lastNight', 'weekday', 'hourWord', 'clock'].includes(concept.c)
    ) {
      return concept;
    }
  }
  return undefined;
}

const GLUED_PREFIXES = [
  'و',
  'ف',
  'ب',
  'د',
  'ل',
  'وف',
  'وب',
  'ود',
  'f',
  'd',
  'b',
  'w',
  'wf',
  'fl',
  'dl',
];

// ───────────────────────── Reading the message ─────────────────────────

type Item =
  | { k: 'number'; value: number; digits: string | undefined }
  | { k: 'sep'; char: string }
  | { k: 'unit'; unit: UnitWord; word: string }
  | { k: 'half' }
  | { k: 'quarter' }
  | { k: 'and' }
  | { k: 'concept'; concept: Concept }
  | { k: 'other' };

/** The message as a list of meaningful items; unknown words stay as `other` to keep adjacency honest. */
function itemize(text: string): Item[] {
  // "à" is the French "at"; without its accent it would be the verb "a" ("il a 7 ans").
  const lexemes = lexNumbers(text.replace(/(^|[\s(])à(?=[\s\d]|$)/giu, '$1vers'));
  const items: Item[] = [];
  let index = 0;
  while (index < lexemes.length) {
    const lexeme = lexemes[index];
    if (lexeme === undefined) break;
    if (lexeme.kind !== 'word') {
      items.push(
        lexeme.kind === 'number'
          ? { k: 'number', value: lexeme.value, digits: lexeme.digits }
          : { k: 'sep', char: lexeme.char },
      );
      index += 1;
      continue;
    }
    const phrase = matchPhrase(lexemes, index);
    if (phrase) {
      items.push({ k: 'concept', concept: phrase.concept });
      index += phrase.words.length;
      continue;
    }
    items.push(wordItem(lexeme.text));
    index += 1;
  }
  return items.filter((item) => !(item.k === 'concept' && item.concept.c === 'filler'));
}

function matchPhrase(lexemes: readonly Lexeme[], index: number): Phrase | undefined {
  return PHRASE_LIST.find((phrase) =>
    phrase.words.every((w, offset) => {
      const lexeme = lexemes[index + offset];
      return lexeme?.kind === 'word' && lexeme.text === w;
    }),
  );
}

function wordItem(word: string): Item {
  const unit = unitOf(word);
  if (unit) return { k: 'unit', unit, word };
  if (isHalf(word)) return { k: 'half' };
  if (isQuarter(word)) return { k: 'quarter' };
  if (isConnector(word)) return { k: 'and' };
  const concept = gluedConcept(word);
  return concept ? { k: 'concept', concept } : { k: 'other' };
}

/** What the message says, before it is placed on the calendar. */
type Reading = {
  day?:
    | { kind: 'relative'; daysAgo: number }
    | { kind: 'date'; year?: number; month: number; day: number }
    | { kind: 'weekday'; weekday: number; strictlyBefore: boolean };
  /** `twelveHour`: "الساعة 3" may be 03:00 or 15:00; "15h" and "03:00" may not. */
  time?: { hour: number; minute: number; twelveHour: boolean };
  part?: Part;
  /** "ce matin", "هاد العشية": today, explicitly. */
  partIsToday?: boolean;
  agoMinutes?: number;
  agoDays?: number;
  /** "maintenant", "دابا": used only when nothing more precise was said. */
  now?: boolean;
};

const conceptAt = (items: readonly Item[], index: number): Concept | undefined => {
  const item = items[index];
  return item?.k === 'concept' ? item.concept : undefined;
};

/** Reads "2 heures", "ساعتين ونص", "nos sa3a", "une demi-heure", "3 jours", "2h30" after "il y a". */
function readDuration(
  items: readonly Item[],
  start: number,
  since: boolean,
): { minutes?: number; days?: number; end: number } | undefined {
  let index = start;
  while (conceptAt(items, index)?.c === 'at') index += 1; // "il y a environ 2 heures"
  const first = items[index];
  let amount: number | undefined;
  let unitItem: UnitWord | undefined;
  let end = index;
  if (first?.k === 'number') {
    const next = items[index + 1];
    if (next?.k === 'half' && items[index + 2]?.k === 'unit') {
      // "une demi-heure"
      const after = items[index + 2];
      if (after?.k === 'unit') [amount, unitItem, end] = [first.value * 0.5, after.unit, index + 3];
    } else if (next?.k === 'unit' && next.unit.form !== 'dual') {
      // "Depuis 2 heures" is a duration, "depuis 15h" or "depuis 9h" a clock time;
      // "depuis 2h" is said for "for two hours" far more than for 2 a.m.
      if (since && next.unit.unit === 'hour' && next.word === 'h' && first.value > 5)
        return undefined;
      [amount, unitItem, end] = [first.value, next.unit, index + 2];
    }
  } else if (first?.k === 'unit') {
    // "منذ ساعة", "hadi sa3tin"
    if (first.unit.form === 'plural') return undefined;
    [amount, unitItem, end] = [first.unit.form === 'dual' ? 2 : 1, first.unit, index + 1];
  } else if ((first?.k === 'half' || first?.k === 'quarter') && items[index + 1]?.k === 'unit') {
    const after = items[index + 1];
    if (after?.k === 'unit')
      [amount, unitItem, end] = [first.k === 'half' ? 0.5 : 0.25, after.unit, index + 2];
  }
  if (amount === undefined || unitItem === undefined) return undefined;

  // "et demie", "ونص", "et quart"; after hours also minutes: "2h30", "ساعتين و 10 دقايق"
  const afterAnd = items[end]?.k === 'and' ? end + 1 : end;
  const extra = items[afterAnd];
  let extraMinutes = 0;
  if (extra?.k === 'half') [amount, end] = [amount + 0.5, afterAnd + 1];
  else if (extra?.k === 'quarter') [amount, end] = [amount + 0.25, afterAnd + 1];
  else if (unitItem.unit === 'hour' && extra?.k === 'number' && extra.value < 60) {
    const minuteUnit = items[afterAnd + 1];
    const isMinutes = minuteUnit?.k !== 'unit' || minuteUnit.unit.unit === 'minute';
    if (isMinutes) {
      extraMinutes = extra.value;
      end = minuteUnit?.k === 'unit' ? afterAnd + 2 : afterAnd + 1;
    }
  }

  switch (unitItem.unit) {
    case 'minute':
      return { minutes: amount, end };
    case 'hour':
      return { minutes: amount * 60 + extraMinutes, end };
    case 'day':
      return { days: amount, end };
    case 'week':
      return { days: amount * 7, end };
    default:
      return undefined;
  }
}

/** Turns the items into a reading, or nothing if no part of a date or time was found. */
function read(text: string): Reading | undefined {
  const items = itemize(text);
  const reading: Reading = {};
  let found = false;
  let index = 0;
  while (index < items.length) {
    const item = items[index];
    if (item === undefined) break;
    const previous = conceptAt(items, index - 1);

    if (item.k === 'number') {
      const consumed = readNumberAt(items, index, reading, previous);
      if (consumed > 0) {
        found = true;
        index += consumed;
        continue;
      }
    } else if (item.k === 'concept') {
      const concept = item.concept;
      switch (concept.c) {
        case 'ago': {
          const duration = readDuration(items, index + 1, concept.since);
          if (duration) {
            if (duration.minutes !== undefined) reading.agoMinutes = duration.minutes;
            if (duration.days !== undefined) reading.agoDays = duration.days;
            found = true;
            index = duration.end;
            continue;
          }
          break;
        }
        case 'day':
          reading.day = { kind: 'relative', daysAgo: concept.daysAgo };
          found = true;
          break;
        case 'part':
          reading.part = concept.part;
          if (previous?.c === 'this' && concept.part !== 'night') reading.partIsToday = true;
          // "la nuit dernière", "الليلة الماضية"
          if (conceptAt(items, index + 1)?.c === 'last' && !reading.day) {
            reading.day = { kind: 'relative', daysAgo: 1 };
          }
          found = true;
          break;
        case 'lastNight':
          reading.part = 'night';
          reading.day = { kind: 'relative', daysAgo: 1 };
          found = true;
          break;
        case 'weekday':
          reading.day = {
            kind: 'weekday',
            weekday: concept.weekday,
            strictlyBefore: conceptAt(items, index + 1)?.c === 'last',
          };
          found = true;
          break;
        case 'clock':
          reading.time = { hour: concept.hour, minute: concept.minute, twelveHour: false };
          found = true;
          break;
        case 'hourWord':
          if (previous?.c === 'at') {
            index += readHourAt(items, index, concept.hour, reading, 1, true);
            found = true;
            continue;
          }
          break;
        case 'now':
          reading.now = true;
          found = true;
          break;
        case 'at':
        case 'this':
        case 'last':
        case 'minus':
        case 'month':
        case 'filler':
          break;
        default: {
          const unreachable: never = concept;
          return unreachable;
        }
      }
    }
    index += 1;
  }
  return found ? reading : undefined;
}

/**
 * Reads what a number starts: a date (28/11, 28/11/2026, 27 novembre), a
 * clock time (15:30, 15h30, 18h, "à 3 heures"), or an hour after "vers",
 * "الساعة", "مع", "m3a". Returns how many items were used (0: none).
 */
function readNumberAt(
  items: readonly Item[],
  index: number,
  reading: Reading,
  previous: Concept | undefined,
): number {
  const first = items[index];
  if (first?.k !== 'number') return 0;
  const sep = items[index + 1];
  const second = items[index + 2];

  // 28/11, 28-11-2026, 28.11.2026
  if (sep?.k === 'sep' && ['/', '-', '.'].includes(sep.char) && second?.k === 'number') {
    const date = { day: first.value, month: second.value };
    if (isDayMonth(date) && !(sep.char === '.' && previous?.c === 'at')) {
      const yearSep = items[index + 3];
      const year = items[index + 4];
      if (
        yearSep?.k === 'sep' &&
        yearSep.char === sep.char &&
        year?.k === 'number' &&
        year.digits
      ) {
        const fullYear = year.digits.length === 2 ? 2000 + year.value : year.value;
        reading.day = { kind: 'date', year: fullYear, ...date };
        return 5;
      }
      reading.day = { kind: 'date', ...date };
      return 3;
    }
  }

  // 15:30, 15.30
  if (sep?.k === 'sep' && (sep.char === ':' || sep.char === '.') && second?.k === 'number') {
    if (second.digits?.length === 2 && first.value <= 24 && second.value < 60) {
      setTime(reading, first.value, second.value, twelveHourIf(first.digits));
      return 3;
    }
  }

  // 27 novembre [2026]
  const monthConcept = conceptAt(items, index + 1);
  if (monthConcept?.c === 'month') {
    const date = { day: first.value, month: monthConcept.month };
    if (!isDayMonth(date)) return 0;
    const year = items[index + 2];
    if (year?.k === 'number' && year.digits?.length === 4) {
      reading.day = { kind: 'date', year: year.value, ...date };
      return 3;
    }
    reading.day = { kind: 'date', ...date };
    return 2;
  }

  // 15h30, 18h, 3 heures, "3 ساعة" after "الساعة"
  if (sep?.k === 'unit' && sep.unit.unit === 'hour' && first.value <= 24) {
    const minutes = items[index + 2];
    if (minutes?.k === 'number' && minutes.value < 60) {
      setTime(reading, first.value, minutes.value, false);
      return items[index + 3]?.k === 'unit' ? 4 : 3; // "15h30 min"
    }
    // "18h" is a 24-hour reading; "3 heures" said aloud may be the afternoon.
    return readHourAt(
      items,
      index,
      first.value,
      reading,
      2,
      sep.word !== 'h' && twelveHourIf(first.digits),
    );
  }

  // "vers 18", "الساعة 3", "مع 6", "m3a 6", or "6 dal3chiya", "3 ونص دالعشية" —
  // but not "f 7 ans" or "2 jours".
  if (sep?.k === 'unit' || first.value > 24) return 0;
  let afterFraction = index + 1;
  while (['and', 'half', 'quarter'].includes(items[afterFraction]?.k ?? '')) afterFraction += 1;
  if (previous?.c === 'at' || conceptAt(items, afterFraction)?.c === 'part') {
    return readHourAt(items, index, first.value, reading, 1, twelveHourIf(first.digits));
  }
  return 0;
}

/** "03" (and anything from 13) is a 24-hour reading; "3" or "11" may be the afternoon or evening. */
function twelveHourIf(digits: string | undefined): boolean {
  return digits === undefined || !digits.startsWith('0');
}

/**
 * An hour already read (`used` items from `index`), followed perhaps by
 * "et demie", "ونص", "و ربع", "الا ربع", "moins le quart" or minutes.
 * Returns how many items it used.
 */
function readHourAt(
  items: readonly Item[],
  index: number,
  hour: number,
  reading: Reading,
  used: number,
  twelveHour: boolean,
): number {
  const end = index + used;
  const afterAnd = items[end]?.k === 'and' ? end + 1 : end;
  const extra = items[afterAnd];
  if (extra?.k === 'half') {
    setTime(reading, hour, 30, twelveHour);
    return afterAnd + 1 - index;
  }
  if (extra?.k === 'quarter') {
    setTime(reading, hour, 15, twelveHour);
    return afterAnd + 1 - index;
  }
  if (afterAnd > end && extra?.k === 'number' && extra.value < 60) {
    // "3 و 10", "3 et 10 minutes"
    setTime(reading, hour, extra.value, twelveHour);
    return (items[afterAnd + 1]?.k === 'unit' ? afterAnd + 2 : afterAnd + 1) - index;
  }
  if (conceptAt(items, end)?.c === 'minus' && items[end + 1]?.k === 'quarter') {
    setTime(reading, hour - 1, 45, twelveHour);
    return end + 2 - index;
  }
  setTime(reading, hour, 0, twelveHour);
  return used;
}

/** Records a clock reading; a part of the day said with it ("6 dal3chiya") settles am/pm later. */
function setTime(reading: Reading, hour: number, minute: number, twelveHour: boolean): void {
  const normalized = (hour + 24) % 24;
  reading.time = {
    hour: normalized,
    minute,
    twelveHour: twelveHour && normalized >= 1 && normalized <= 12,
  };
}

function isDayMonth(date: { day: number; month: number }): boolean {
  return date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= 31;
}

// ───────────────────────── Placing it on the calendar ─────────────────────────

/** The hour a clock reading means in a part of the day ("3 de l'après-midi" → 15). */
function hourInPart(hour: number, part: Part): number {
  switch (part) {
    case 'morning':
      return hour === 12 ? 0 : hour;
    case 'noon':
      return hour < 6 ? hour + 12 : hour;
    case 'afternoon':
      return hour < 12 ? hour + 12 : hour;
    case 'evening':
      return hour < 12 && hour >= 4 ? hour + 12 : hour;
    case 'night':
      // 9, 10, 11 at night are evening hours; 1–4 are after midnight.
      return hour >= 5 && hour < 12 ? hour + 12 : hour === 12 ? 0 : hour;
    default: {
      const unreachable: never = part;
      return unreachable;
    }
  }
}

/**
 * When the child was last seen, from what a parent writes: "aujourd'hui",
 * "hier soir", "ce matin", "cet après-midi", "la nuit dernière", "il y a 2
 * heures", "depuis 30 minutes", "15h30", "à 18h", "3h de l'après-midi",
 * "28/11", "28-11-2026 14:00", "le 27 novembre", "samedi"; "اليوم", "أمس",
 * "البارح فالليل", "منذ ساعتين", "قبل نصف ساعة", "الساعة 3", "على 6
 * دالعشية"; "lyoum", "lbare7 f lil", "hadi joj sa3at", "9bel sa3tin",
 * "m3a 6".
 *
 * Times are wall-clock times in `timeZone` (Morocco by default), with the
 * offset Intl gives for that date (UTC+1, UTC+0 during Ramadan). A time
 * alone is today, or yesterday if today's would be in the future ("22h"
 * written at 01:00); an hour that could be morning or afternoon ("الساعة 3")
 * is the latest of the two that has passed. A part of the day gives an
 * assumed time (morning 09:00, noon 13:00, afternoon 15:00, evening 21:00,
 * night 23:00; never later than now when the part is under way) and
 * `approximate: true`; so do "hier" alone (12:00) and "aujourd'hui" alone
 * (an hour ago, not before midnight).
 *
 * Anything after `now` plus 5 minutes is `{ ok: false, reason: 'future' }`.
 * Throws a `RangeError` for an unknown time zone (a configuration error).
 */
export function parseLastSeen(
  text: string,
  now: Date,
  timeZone = DEFAULT_TIME_ZONE,
): LastSeenParse {
  const reading = read(text);
  if (!reading) return { ok: false, reason: 'unrecognized' };
  const latestAllowed = now.getTime() + FUTURE_TOLERANCE_MS;
  const nowLocal = wallClock(now, timeZone);
  const today: LocalDate = { year: nowLocal.year, month: nowLocal.month, day: nowLocal.day };

  if (reading.agoMinutes !== undefined && reading.agoDays === undefined) {
    return {
      ok: true,
      at: new Date(now.getTime() - reading.agoMinutes * MINUTE_MS),
      approximate: false,
    };
  }
  if (
    reading.now &&
    !reading.day &&
    !reading.time &&
    !reading.part &&
    reading.agoDays === undefined
  ) {
    return { ok: true, at: now, approximate: false };
  }

  // Which days the message can mean.
  let days: LocalDate[];
  const dayReading = reading.day;
  if (reading.agoDays !== undefined) {
    days = [addDays(today, -Math.round(reading.agoDays))];
  } else if (dayReading?.kind === 'relative') {
    days = [addDays(today, -dayReading.daysAgo)];
  } else if (dayReading?.kind === 'date') {
    const resolved = resolveDate(dayReading, today);
    if (!resolved) return { ok: false, reason: 'unrecognized' };
    days = [resolved];
  } else if (dayReading?.kind === 'weekday') {
    const back = (weekdayOf(today) - dayReading.weekday + 7) % 7;
    days = [addDays(today, -(back === 0 && dayReading.strictlyBefore ? 7 : back))];
  } else if (reading.partIsToday) {
    days = [today];
  } else {
    // A time or part of day alone: today, or yesterday if today's is still to come.
    days = [today, addDays(today, -1)];
  }

  const candidates: Array<{ at: Date; approximate: boolean }> = [];
  for (const date of days) {
    for (const local of timesOn(date, reading, today, nowLocal)) {
      const at = toInstant(
        { ...addDays(date, local.nextDay ? 1 : 0), hour: local.hour, minute: local.minute },
        timeZone,
      );
      candidates.push({ at, approximate: local.approximate });
    }
  }
  const past = candidates
    .filter((c) => c.at.getTime() <= latestAllowed)
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  const [latest] = past;
  if (latest) return { ok: true, ...latest };
  return { ok: false, reason: 'future' };
}

/** A date without a year is this year's, or last year's when that is only weeks ago. */
function resolveDate(
  reading: { year?: number; month: number; day: number },
  today: LocalDate,
): LocalDate | undefined {
  const date = { year: reading.year ?? today.year, month: reading.month, day: reading.day };
  if (!isRealDate(date)) return undefined;
  if (reading.year === undefined && daysBetween(today, date) > 0) {
    const lastYear = { ...date, year: date.year - 1 };
    if (isRealDate(lastYear) && daysBetween(lastYear, today) <= LAST_YEAR_WINDOW_DAYS)
      return lastYear;
  }
  return date;
}

type TimeOfDay = { hour: number; minute: number; approximate: boolean; nextDay?: boolean };

/** The wall-clock times a reading can mean on one day. */
function timesOn(
  date: LocalDate,
  reading: Reading,
  today: LocalDate,
  nowLocal: LocalDateTime,
): TimeOfDay[] {
  const isToday = daysBetween(date, today) === 0;
  const { time, part } = reading;
  if (time) {
    if (part) {
      const hour = hourInPart(time.hour, part);
      // "البارح فالليل مع 2": two in the morning after that night.
      const nextDay = part === 'night' && hour < 5;
      return [{ hour, minute: time.minute, approximate: false, nextDay }];
    }
    const exact = { hour: time.hour, minute: time.minute, approximate: false };
    return time.twelveHour && time.hour < 12
      ? [exact, { ...exact, hour: time.hour + 12 }]
      : [exact];
  }
  if (part) {
    const { starts, assumed } = PARTS[part];
    if (isToday) {
      const nowMinutes = nowLocal.hour * 60 + nowLocal.minute;
      // The part is under way: the child was seen in it, so not later than now.
      if (nowMinutes >= starts * 60 && nowMinutes < assumed * 60) {
        const minutes = Math.max(starts * 60, nowMinutes - 60);
        return [{ hour: Math.floor(minutes / 60), minute: minutes % 60, approximate: true }];
      }
    }
    return [{ hour: assumed, minute: 0, approximate: true }];
  }
  if (reading.agoDays !== undefined) {
    return [{ hour: nowLocal.hour, minute: nowLocal.minute, approximate: true }];
  }
  if (isToday) {
    const minutes = Math.max(0, nowLocal.hour * 60 + nowLocal.minute - 60);
    return [{ hour: Math.floor(minutes / 60), minute: minutes % 60, approximate: true }];
  }
  return [{ hour: 12, minute: 0, approximate: true }];
}

// ───────────────────────── Display ─────────────────────────

const displayFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * A date and time as people in Morocco write it, "28/11/2026 15:30", in the
 * zone's wall-clock time. French uses fr-MA; Arabic and Darija use ar-MA
 * with Latin digits (as Moroccan forms and SMS do). The parts come from Intl
 * and are joined without the bidi marks ar-MA adds, so the text reads the
 * same inside an Arabic or a French sentence.
 */
export function formatLocalDateTime(
  at: Date,
  language: Language,
  timeZone = DEFAULT_TIME_ZONE,
): string {
  const locale = language === 'fr' ? 'fr-MA' : 'ar-MA-u-nu-latn';
  const key = `${locale} ${timeZone}`;
  let formatter = displayFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    displayFormatters.set(key, formatter);
  }
  const parts = formatter.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')}/${part('month')}/${part('year')} ${part('hour')}:${part('minute')}`;
}
