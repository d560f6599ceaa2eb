import { foldText, normalizeForMatching } from './normalize.js';

/**
 * One piece of a message, as the number, height and date parsers read it.
 * `number` covers digits in any script and number words in French, MSA,
 * Darija and Arabizi ("dix-sept", "سبعة عشر", "سطاش", "settach" → 17).
 */
export type Lexeme =
  | {
      kind: 'number';
      value: number;
      /** The digits as written, when written with digits ("05" keeps its zero). */
      digits?: string;
      /** An article as much as a number ("un", "une", Darija "واحد"): ignored next to a real one. */
      weak: boolean;
      /** Written with a decimal separator ("1,20", "1.5", "١٫٥"); see {@link withDecimals}. */
      decimal?: boolean;
    }
  | {
      kind: 'sep';
      char: string;
      /** Whitespace on either side: "1,20" is a decimal, "20, 25" a list. */
      spaced: boolean;
    }
  | { kind: 'word'; text: string };

/** What a quantity counts. */
export type Unit = 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'meter' | 'centimeter';

/** A unit word: plural ("ans"), singular ("عام", which alone means one) or dual ("عامين", two). */
export type UnitWord = { unit: Unit; form: 'plural' | 'singular' | 'dual' };

type Role = 'digit' | 'teenPrefix' | 'ten' | 'teen' | 'tens' | 'hundred' | 'zero';
type NumberWord = { value: number; role: Role };

/** Builds a lookup keyed by the folded spelling, refusing two meanings for one spelling. */
function table<T>(entries: ReadonlyArray<readonly [readonly string[], T]>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [words, meaning] of entries) {
    for (const word of words) {
      const key = normalizeForMatching(word);
      const existing = map.get(key);
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(meaning)) {
        throw new Error(`"${word}" is listed with two meanings`);
      }
      map.set(key, meaning);
    }
  }
  return map;
}

const digit = (value: number): NumberWord => ({ value, role: 'digit' });
const teen = (value: number): NumberWord => ({ value, role: 'teen' });
const tens = (value: number): NumberWord => ({ value, role: 'tens' });

/**
 * Number words. Darija counts like MSA up to ten but has its own 11–19
 * (حداش, طناش, تلطاش…) and Arabizi spellings of all of them; French has
 * compound forms handled in `readNumber` (dix-sept, soixante-dix, quatre-vingts).
 */
const NUMBER_WORDS = table<NumberWord>([
  [['zéro', 'zero', 'صفر', 'sifr'], { value: 0, role: 'zero' }],
  [
    ['un', 'une', 'واحد', 'واحدة', 'wahed', 'wa7ed', 'wahd', 'wa7d', 'wahda', 'wa7da', 'one'],
    digit(1),
  ],
  [
    [
      'deux',
      'اثنان',
      'اثنين',
      'اثنتان',
      'اثنتين',
      'جوج',
      'زوج',
      'jouj',
      'jooj',
      'juj',
      'joj',
      'zouj',
      'zoj',
      'zuj',
      'two',
    ],
    digit(2),
  ],
  [
    ['trois', 'ثلاث', 'ثلاثة', 'تلاتة', 'تلاثة', 'تلات', 'tlata', 'tleta', 'tlat', 'three'],
    digit(3),
  ],
  [['quatre', 'أربع', 'أربعة', 'ربعة', 'reb3a', 'rb3a', 'rba3a', 'arba3a', 'four'], digit(4)],
  [['cinq', 'خمس', 'خمسة', 'khamsa', 'khmsa', 'five'], digit(5)],
  [['six', 'ست', 'ستة', 'setta', 'sta', 'sitta'], digit(6)],
  [['sept', 'سبع', 'سبعة', 'seb3a', 'sb3a', 'sab3a', 'seven'], digit(7)],
  [
    [
      'huit',
      'ثمان',
      'ثماني',
      'ثمانية',
      'تمنية',
      'تمانية',
      'tmnya',
      'tmenya',
      'tmanya',
      'tmania',
      'tmnia',
      'eight',
    ],
    digit(8),
  ],
  [
    [
      'neuf',
      'تسع',
      'تسعة',
      'تسعود',
      'tes3a',
      'ts3a',
      'tis3a',
      'tes3oud',
      'tsa3oud',
      'ts3oud',
      'nine',
    ],
    digit(9),
  ],
  // Also the ordinals of clock hours: "الساعة الحادية عشرة", "الثانية عشرة".
  [['أحد', 'إحدى', 'الحادي', 'الحادية'], { value: 1, role: 'teenPrefix' }],
  [['اثنا', 'اثني', 'اثنتا', 'اثنتي', 'الثاني', 'الثانية'], { value: 2, role: 'teenPrefix' }],
  [['dix', 'عشر', 'عشرة', '3achra', '3ashra', '3chra', 'ten'], { value: 10, role: 'ten' }],
  [['onze', 'حداش', 'احداش', 'hdach', '7dach', 'hadach', 'eleven'], teen(11)],
  [['douze', 'طناش', 'اطناش', 'تناش', 'tnach', 'atnach', 'twelve'], teen(12)],
  [['treize', 'تلطاش', 'تلتاش', 'tlettach', 'tltach', 'tlatach'], teen(13)],
  [['quatorze', 'ربعطاش', 'ربعتاش', 'rb3tach', 'reb3tach', 'rba3tach'], teen(14)],
  [['quinze', 'خمسطاش', 'خمستاش', 'khmstach', 'khamstach', 'khmestach'], teen(15)],
  [['seize', 'سطاش', 'ستاش', 'settach', 'sttach', 'stach'], teen(16)],
  [['سبعطاش', 'سبعتاش', 'sb3tach', 'seb3tach'], teen(17)],
  [['تمنطاش', 'تمنتاش', 'tmntach', 'tmentach', 'tmantach'], teen(18)],
  [['تسعطاش', 'تسعتاش', 'ts3tach', 'tes3tach'], teen(19)],
  [['vingt', 'vingts', 'عشرون', 'عشرين', '3ichrin', '3echrin', '3chrin', 'twenty'], tens(20)],
  [['trente', 'ثلاثون', 'ثلاثين', 'تلاتين', 'tlatin', 'tletin', 'thirty'], tens(30)],
  [['quarante', 'أربعون', 'أربعين', 'ربعين', 'rb3in', 'reb3in', 'arb3in', 'forty'], tens(40)],
  [['cinquante', 'خمسون', 'خمسين', 'khamsin', 'khmsin', 'fifty'], tens(50)],
  [['soixante', 'ستون', 'ستين', 'settin', 'sttin', 'sixty'], tens(60)],
  [['septante', 'سبعون', 'سبعين', 'sb3in', 'seb3in', 'seventy'], tens(70)],
  [['huitante', 'octante', 'ثمانون', 'ثمانين', 'تمانين', 'tmanin', 'tmenin', 'eighty'], tens(80)],
  [['nonante', 'تسعون', 'تسعين', 'ts3in', 'tes3in', 'ninety'], tens(90)],
  [
    ['cent', 'مائة', 'مئة', 'مية', 'ميا', 'mya', 'miya', 'hundred'],
    { value: 100, role: 'hundred' },
  ],
]);

/** "un", "une", Darija "واحد": an article as often as a number. */
const WEAK_WORDS = new Set(
  ['un', 'une', 'واحد', 'واحدة', 'wahed', 'wa7ed', 'wahd', 'wa7d', 'wahda', 'wa7da', 'one'].map(
    normalizeForMatching,
  ),
);

/** Words joining the parts of a compound number: "vingt et un", "خمسة و عشرين", "khamsa w 3ichrin". */
const CONNECTORS = new Set(['et', 'و', 'w', 'o', 'and'].map(normalizeForMatching));

const UNITS = table<UnitWord>([
  [['an', 'année', 'سنة', 'عام', 'sna', 'sana', '3am', 'year'], { unit: 'year', form: 'singular' }],
  [
    [
      'ans',
      'années',
      'سنوات',
      'سنين',
      'أعوام',
      'snin',
      'snine',
      'sanawat',
      'a3wam',
      'years',
      'yo',
      'y',
    ],
    { unit: 'year', form: 'plural' },
  ],
  [
    ['سنتين', 'عامين', 'sntin', 'sntine', '3amin', '3amayn', '3amine'],
    { unit: 'year', form: 'dual' },
  ],
  [['mois', 'شهر', 'chhar', 'chher', 'chhr', 'month'], { unit: 'month', form: 'singular' }],
  [['شهور', 'أشهر', 'chhour', 'chhor', 'shhour', 'months'], { unit: 'month', form: 'plural' }],
  [['شهرين', 'chhrin', 'chehrin', 'chahrin'], { unit: 'month', form: 'dual' }],
  [['semaine', 'أسبوع', 'سيمانة', 'simana', 'week', 'sem'], { unit: 'week', form: 'singular' }],
  [['semaines', 'أسابيع', 'سيمانات', 'simanat', 'weeks'], { unit: 'week', form: 'plural' }],
  [['أسبوعين', 'سيمانتين', 'simantin', 'simanatin'], { unit: 'week', form: 'dual' }],
  [['jour', 'يوم', 'نهار', 'nhar', 'youm', 'yom', 'day', 'j'], { unit: 'day', form: 'singular' }],
  [
    ['jours', 'أيام', 'ايام', 'يام', 'iyam', 'ayam', 'yam', 'days'],
    { unit: 'day', form: 'plural' },
  ],
  [
    ['يومين', 'yumayn', 'youmayn', 'yomayn', 'yumin', 'youmin', 'nharayn'],
    { unit: 'day', form: 'dual' },
  ],
  [['heure', 'h', 'hr', 'ساعة', 'sa3a', 'hour'], { unit: 'hour', form: 'singular' }],
  [
    ['heures', 'hrs', 'ساعات', 'سوايع', 'sa3at', 'swaya3', 'hours'],
    { unit: 'hour', form: 'plural' },
  ],
  [['ساعتين', 'sa3tin', 'sa3tayn', 'sa3atin'], { unit: 'hour', form: 'dual' }],
  [
    ['minute', 'min', 'mn', 'دقيقة', 'دقيقه', 'd9i9a', 'dqiqa', 'dkika'],
    { unit: 'minute', form: 'singular' },
  ],
  [
    ['minutes', 'mins', 'دقائق', 'دقايق', 'd9aye9', 'dqayeq', 'd9ay9'],
    { unit: 'minute', form: 'plural' },
  ],
  [['دقيقتين', 'd9i9tin', 'dqiqtin'], { unit: 'minute', form: 'dual' }],
  [
    ['m', 'mètre', 'mètres', 'metre', 'meter', 'meters', 'mtr', 'متر', 'mitra', 'mitro', 'mter'],
    { unit: 'meter', form: 'singular' },
  ],
  [['مترين', 'mitrayn', 'mtrayn'], { unit: 'meter', form: 'dual' }],
  [
    ['cm', 'centimètre', 'centimètres', 'سم', 'سنتيم', 'سنتيمتر', 'سانتي', 'santi', 'santim'],
    { unit: 'centimeter', form: 'plural' },
  ],
]);

/** "demi", "نص", "nos": a half of the unit just named ("un an et demi", "عام ونص"). */
const HALVES = new Set(
  ['demi', 'demie', 'نص', 'نصف', 'النص', 'nos', 'ness', 'nss', 'half'].map(normalizeForMatching),
);
/** "quart", "ربع", "rob3": a quarter. */
const QUARTERS = new Set(
  ['quart', 'ربع', 'rob3', 'rb3', 'rbe3', 'quarter'].map(normalizeForMatching),
);

/**
 * Suffixes that, glued to digits, make a number with a unit ("7ans",
 * "15h30", "120cm", "1er"), as opposed to Arabizi, where a digit glued to
 * letters is a letter ("3la", "9bel").
 */
const DIGIT_SUFFIXES = new Set(
  // Not "am": glued to a digit it is Arabizi عام ("3am"), far more often than 3 a.m.
  [...UNITS.keys(), ...['er', 'ere', 'eme', 'em', 'e', 'kg', 'km', 'dh', 'dhs', 'x']].map(
    normalizeForMatching,
  ),
);

/** The unit a word names, if any, allowing the Arabic conjunction و glued in front. */
export function unitOf(word: string): UnitWord | undefined {
  return (
    UNITS.get(word) ??
    (word.length > 2 && word.startsWith('و') ? UNITS.get(word.slice(1)) : undefined)
  );
}

/** Whether a word means a half ("demi", "نص", also "ونص"). */
export function isHalf(word: string): boolean {
  return HALVES.has(word) || (word.startsWith('و') && HALVES.has(word.slice(1)));
}

/** Whether a word means a quarter ("quart", "ربع", also "وربع"). */
export function isQuarter(word: string): boolean {
  return QUARTERS.has(word) || (word.startsWith('و') && QUARTERS.has(word.slice(1)));
}

/** Whether a word only joins two parts ("et", "و", "w"). */
export function isConnector(word: string): boolean {
  return CONNECTORS.has(word);
}

/**
 * Splits a message into words, digit runs and separators (`: / - . , +`),
 * after `foldText` (so ٧ is 7 and letters are folded). Words are in
 * `normalizeForMatching` form.
 */
export function tokenize(text: string): Lexeme[] {
  const lexemes: Lexeme[] = [];
  const folded = foldText(text);
  for (const match of folded.matchAll(/[\p{L}\d]+|[:/\-.,+]/gu)) {
    const raw = match[0];
    if (/^[:/\-.,+]$/.test(raw)) {
      const around = `${folded[match.index - 1] ?? ''}${folded[match.index + 1] ?? ''}`;
      lexemes.push({ kind: 'sep', char: raw, spaced: /\s/.test(around) });
    } else {
      lexemes.push(...splitRun(raw));
    }
  }
  return lexemes;
}

const word = (text: string): Lexeme => ({ kind: 'word', text: normalizeForMatching(text) });
const digitRun = (text: string): Lexeme => ({
  kind: 'number',
  value: Number(text),
  digits: text,
  weak: false,
});

/** Separates digits from letters where they are a number and its unit, not Arabizi. */
function splitRun(run: string): Lexeme[] {
  if (/^\d+$/.test(run)) return [digitRun(run)];
  // Arabic script never uses digits as letters: "7سنوات" is 7 + سنوات.
  if (/\p{Script=Arabic}/u.test(run)) {
    return [...run.matchAll(/\d+|\D+/gu)].map((m) =>
      /^\d/.test(m[0]) ? digitRun(m[0]) : word(m[0]),
    );
  }
  const clock = /^(\d+)(h|m|mn|min|cm)(\d+)$/.exec(run);
  if (clock?.[1] && clock[2] && clock[3])
    return [digitRun(clock[1]), word(clock[2]), digitRun(clock[3])];
  const withSuffix = /^(\d+)(\p{L}[\p{L}\d]*)$/u.exec(run);
  if (withSuffix?.[1] && withSuffix[2]) {
    const suffix = normalizeForMatching(withSuffix[2]);
    // "12ans", "28nov": Arabizi letters are single digits, so two digits are a number.
    const plainLetters = /^\p{L}+$/u.test(suffix);
    if (DIGIT_SUFFIXES.has(suffix) || (withSuffix[1].length >= 2 && plainLetters)) {
      return [digitRun(withSuffix[1]), word(suffix)];
    }
  }
  return [word(run)];
}

type NumberWordAt = { entry: NumberWord; conjunction: boolean };

/** A number word at a position, also when the conjunction و / w is glued to it ("وعشرين"). */
function numberWordAt(lexemes: readonly Lexeme[], index: number): NumberWordAt | undefined {
  const lexeme = lexemes[index];
  if (lexeme?.kind !== 'word') return undefined;
  const entry = NUMBER_WORDS.get(lexeme.text);
  if (entry) return { entry, conjunction: false };
  const glued = /^(و|w)(.{3,})$/u.exec(lexeme.text);
  const rest = glued?.[2] ? NUMBER_WORDS.get(glued[2]) : undefined;
  return rest ? { entry: rest, conjunction: true } : undefined;
}

type Read = { value: number; end: number };

/**
 * Reads the compound number starting at `index` (exclusive `end`), or
 * nothing. Handles "vingt et un", "dix sept", "soixante dix", "quatre vingt
 * douze", "خمسة وعشرين", "اثنا عشر", "ثلاثة عشر", "cent vingt", "مية و عشرين".
 */
function readNumber(lexemes: readonly Lexeme[], index: number): Read | undefined {
  const first = numberWordAt(lexemes, index);
  if (!first) return undefined;
  const { value, role } = first.entry;

  // The next number word, skipping one separate connector; `joined` tells
  // whether a connector (separate or glued) was there.
  const next = (at: number): { word: NumberWord; at: number; joined: boolean } | undefined => {
    const direct = numberWordAt(lexemes, at);
    if (direct) return { word: direct.entry, at, joined: direct.conjunction };
    const lexeme = lexemes[at];
    if (lexeme?.kind === 'word' && CONNECTORS.has(lexeme.text)) {
      const after = numberWordAt(lexemes, at + 1);
      if (after && !after.conjunction) return { word: after.entry, at: at + 1, joined: true };
    }
    return undefined;
  };
  const below20 = (at: number): Read | undefined => {
    const read = readNumber(lexemes, at);
    return read && read.value > 0 && read.value < 20 ? read : undefined;
  };

  switch (role) {
    case 'zero':
    case 'teen':
      return { value, end: index + 1 };
    case 'teenPrefix':
    case 'digit': {
      const following = next(index + 1);
      // MSA teens: ثلاثة عشر, اثنا عشر.
      if (following?.word.role === 'ten' && !following.joined && isArabic(lexemes[following.at])) {
        return { value: 10 + value, end: following.at + 1 };
      }
      if (role === 'teenPrefix') return undefined;
      // French quatre-vingt(s), then 1–19: quatre-vingt-douze.
      if (
        value === 4 &&
        following?.word.role === 'tens' &&
        following.word.value === 20 &&
        !following.joined
      ) {
        const rest = below20(following.at + 1);
        return rest
          ? { value: 80 + rest.value, end: rest.end }
          : { value: 80, end: following.at + 1 };
      }
      // Arabic order, unit then tens: خمسة وعشرين, khamsa w 3ichrin.
      if (following?.word.role === 'tens' && following.joined) {
        return { value: value + following.word.value, end: following.at + 1 };
      }
      return { value, end: index + 1 };
    }
    case 'ten': {
      const following = next(index + 1);
      // French dix-sept, dix-huit, dix-neuf.
      if (following?.word.role === 'digit' && !following.joined && following.word.value >= 7) {
        return { value: 10 + following.word.value, end: following.at + 1 };
      }
      return { value, end: index + 1 };
    }
    case 'tens': {
      // French soixante-dix…soixante-dix-neuf, (quatre-)vingt-dix…
      if (value === 60 || value === 80) {
        const afterEt = isConnectorAt(lexemes, index + 1) ? index + 2 : index + 1;
        const rest = below20(afterEt);
        if (rest && rest.value >= 10) return { value: value + rest.value, end: rest.end };
      }
      const following = next(index + 1);
      if (following?.word.role === 'digit') {
        return { value: value + following.word.value, end: following.at + 1 };
      }
      return { value, end: index + 1 };
    }
    case 'hundred': {
      const afterAnd = isConnectorAt(lexemes, index + 1) ? index + 2 : index + 1;
      const rest = readNumber(lexemes, afterAnd);
      return rest && rest.value < 100
        ? { value: 100 + rest.value, end: rest.end }
        : { value: 100, end: index + 1 };
    }
    default: {
      const unreachable: never = role;
      return unreachable;
    }
  }
}

function isConnectorAt(lexemes: readonly Lexeme[], index: number): boolean {
  const lexeme = lexemes[index];
  return lexeme?.kind === 'word' && CONNECTORS.has(lexeme.text);
}

function isArabic(lexeme: Lexeme | undefined): boolean {
  return lexeme?.kind === 'word' && /\p{Script=Arabic}/u.test(lexeme.text);
}

/**
 * {@link tokenize}, then number words replaced by `number` lexemes, so that
 * "il a sept ans", "عندو سبع سنين" and "3ndo seb3a snin" all read like
 * "7 ans". A lone "un"/"une"/"واحد" is marked `weak`.
 */
export function lexNumbers(text: string): Lexeme[] {
  // A hyphen between two words is French compounding (dix-sept, vingt-et-un);
  // between digits it stays, as a date separator (28-11-2026).
  const tokens = tokenize(text).filter(
    (token, index, all) =>
      !(
        token.kind === 'sep' &&
        token.char === '-' &&
        all[index - 1]?.kind === 'word' &&
        all[index + 1]?.kind === 'word'
      ),
  );
  const lexemes: Lexeme[] = [];
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index];
    if (token === undefined) break;
    const read = readNumber(tokens, index);
    if (read) {
      const single = read.end === index + 1;
      const weak = single && token.kind === 'word' && WEAK_WORDS.has(token.text);
      lexemes.push({ kind: 'number', value: read.value, weak });
      index = read.end;
    } else {
      lexemes.push(token);
      index += 1;
    }
  }
  return lexemes;
}

/**
 * Joins "1" "," "20" into the decimal number 1.2 (comma or dot, as French and
 * Arabic keyboards write it). Only for parsers where a decimal makes sense:
 * in a date, "28.11" is not 28.11.
 */
export function withDecimals(lexemes: readonly Lexeme[]): Lexeme[] {
  const result: Lexeme[] = [];
  for (let index = 0; index < lexemes.length; index++) {
    const [whole, sep, fraction] = [lexemes[index], lexemes[index + 1], lexemes[index + 2]];
    if (
      whole?.kind === 'number' &&
      whole.digits !== undefined &&
      sep?.kind === 'sep' &&
      !sep.spaced &&
      (sep.char === '.' || sep.char === ',') &&
      fraction?.kind === 'number' &&
      fraction.digits !== undefined
    ) {
      const text = `${whole.digits}.${fraction.digits}`;
      result.push({
        kind: 'number',
        value: Number(text),
        digits: text,
        weak: false,
        decimal: true,
      });
      index += 2;
    } else if (whole !== undefined) {
      result.push(whole);
    }
  }
  return result;
}
