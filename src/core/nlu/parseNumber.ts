import {
  isConnector,
  isHalf,
  isQuarter,
  type Lexeme,
  lexNumbers,
  type Unit,
  unitOf,
  withDecimals,
} from './lexNumbers.js';

type NumberLexeme = Extract<Lexeme, { kind: 'number' }>;

/** Numbers longer than this are phone or case numbers, not quantities. */
const MAX_DIGITS = 15;

/**
 * The one whole number a message gives, written with digits (any script) or
 * in words up to 199 in French, MSA, Darija or Arabizi, with any words around
 * it: "il a 7 ans", "عندو 7 سنين", "3ndo seb3a snin", "٧ سنوات", "7ans",
 * "dix-sept", "اثنا عشر", "سطاش", "settach", "عامين" (two years) → the number.
 *
 * `null` when there is no number, a decimal one, or two different ones
 * ("7 ou 8") — asking again is better than guessing. "un"/"une"/"واحد" next
 * to another number are articles: "une fille de 7 ans" is 7.
 */
export function parseInteger(text: string): number | null {
  const lexemes = withDecimals(lexNumbers(text));
  const numbers = lexemes.filter((lexeme): lexeme is NumberLexeme => lexeme.kind === 'number');
  if (numbers.some((n) => n.decimal || (n.digits?.length ?? 0) > MAX_DIGITS)) return null;
  // A dual ("عامين", "sa3tin") says "two" by itself.
  const duals = lexemes
    .filter((l) => l.kind === 'word' && unitOf(l.text)?.form === 'dual')
    .map(() => 2);
  const strong = [...numbers.filter((n) => !n.weak).map((n) => n.value), ...duals];
  const candidates = strong.length > 0 ? strong : numbers.map((n) => n.value);
  const distinct = new Set(candidates);
  const [only] = distinct;
  return distinct.size === 1 && only !== undefined ? only : null;
}

/** The result of {@link parseAge}. `months` is there for babies and "an et demi". */
export type AgeParse =
  | { ok: true; years: number; months?: number }
  | { ok: false; reason: 'not_a_number' };

type Quantity = { value: number; unit: Unit | undefined; weak: boolean };

/**
 * Reads a quantity (number + unit) at `index`, returning it and where reading
 * stopped. A half after it ("un an et demi", "عام ونص") is added.
 */
function quantityAt(
  lexemes: readonly Lexeme[],
  index: number,
): { quantity: Quantity; end: number } | undefined {
  const lexeme = lexemes[index];
  if (!lexeme) return undefined;
  let quantity: Quantity | undefined;
  let end = index + 1;
  if (lexeme.kind === 'number') {
    const next = lexemes[index + 1];
    const unit = next?.kind === 'word' ? unitOf(next.text) : undefined;
    if (unit && unit.form !== 'dual') {
      quantity = { value: lexeme.value, unit: unit.unit, weak: false };
      end = index + 2;
    } else {
      quantity = { value: lexeme.value, unit: undefined, weak: lexeme.weak };
    }
  } else if (lexeme.kind === 'word') {
    const unit = unitOf(lexeme.text);
    if (unit?.form === 'dual') quantity = { value: 2, unit: unit.unit, weak: false };
    // "عام" or "شهر" alone is one year or month ("عام ونص"); short forms like "an", "h" are not.
    else if (unit?.form === 'singular' && lexeme.text.length >= 3) {
      quantity = { value: 1, unit: unit.unit, weak: true };
    } else if (isHalf(lexeme.text)) {
      // "نص عام", "nos 3am": half a year.
      const next = lexemes[index + 1];
      const unit = next?.kind === 'word' ? unitOf(next.text) : undefined;
      if (unit?.form === 'singular') {
        quantity = { value: 0.5, unit: unit.unit, weak: false };
        end = index + 2;
      }
    }
  }
  if (!quantity) return undefined;
  // "et demi", "ونص", "w nos"
  const afterConnector =
    lexemes[end]?.kind === 'word' && isConnectorWord(lexemes[end]) ? end + 1 : end;
  const maybeHalf = lexemes[afterConnector];
  if (quantity.unit !== undefined && maybeHalf?.kind === 'word' && isHalf(maybeHalf.text)) {
    quantity = { ...quantity, value: quantity.value + 0.5 };
    end = afterConnector + 1;
  }
  return { quantity, end };
}

function isConnectorWord(lexeme: Lexeme | undefined): boolean {
  return lexeme?.kind === 'word' && isConnector(lexeme.text);
}

const MONTHS_PER_UNIT: Partial<Record<Unit, number>> = {
  year: 12,
  month: 1,
  week: 12 / 52,
  day: 12 / 365,
};

/**
 * A child's age: "7", "7 ans", "عمرو 7 سنين", "3ndo seb3a snin", "٧ سنوات";
 * babies in months: "8 mois", "8 أشهر", "8 شهور", "8 chhour", "ثمانية أشهر"
 * → `{ years: 0, months: 8 }`; also "1 an et demi", "عام ونص", "sntin w nos",
 * "3 ans et 4 mois", "18 mois" (→ 1 year 6 months), "1,5 an".
 *
 * A bare number is years. Weeks and days count as whole months (rounded down).
 * Range checks (a child, not an adult) are the caller's.
 */
export function parseAge(text: string): AgeParse {
  const lexemes = withDecimals(lexNumbers(text));
  const quantities: Quantity[] = [];
  let index = 0;
  while (index < lexemes.length) {
    const read = quantityAt(lexemes, index);
    if (read) {
      quantities.push(read.quantity);
      index = read.end;
    } else {
      index += 1;
    }
  }

  const withUnit = quantities.filter(
    (q) => q.unit !== undefined && MONTHS_PER_UNIT[q.unit] !== undefined,
  );
  const failed: AgeParse = { ok: false, reason: 'not_a_number' };
  let totalMonths: number;
  let subYear = false;
  if (withUnit.length > 0) {
    // An implicit "one" (a lone "عام") only counts when nothing else was said.
    const strong = withUnit.filter((q) => !q.weak);
    const used = strong.length > 0 ? strong : withUnit;
    const units = used.map((q) => q.unit);
    if (new Set(units).size !== units.length) return failed; // "7 ans … 8 ans"
    totalMonths = 0;
    for (const q of used) {
      const factor = q.unit === undefined ? undefined : MONTHS_PER_UNIT[q.unit];
      if (factor === undefined) return failed;
      totalMonths += q.value * factor;
      if (q.unit !== 'year' || !Number.isInteger(q.value)) subYear = true;
    }
    totalMonths = Math.floor(totalMonths + 1e-9);
  } else {
    const bare = quantities.filter((q) => q.unit === undefined);
    const strong = bare.filter((q) => !q.weak);
    const values = new Set((strong.length > 0 ? strong : bare).map((q) => q.value));
    const [only] = values;
    if (values.size !== 1 || only === undefined) return failed;
    totalMonths = Math.round(only * 12);
    subYear = !Number.isInteger(only);
  }
  if (!Number.isFinite(totalMonths) || totalMonths < 0) return failed;
  const years = Math.floor(totalMonths / 12);
  const months = totalMonths % 12;
  return subYear && (months > 0 || years === 0) ? { ok: true, years, months } : { ok: true, years };
}

/** Heights outside this range are typos or not a child's height. */
const MIN_HEIGHT_CM = 40;
const MAX_HEIGHT_CM = 220;

/**
 * A height in centimetres: "120", "120 cm", "1m20", "1m 20", "1,20", "1.20 m",
 * "١٢٠", "1m5" (150), "un mètre vingt", "متر و عشرين", "متر ونص", "mitra w
 * 3ichrin". `null` unless the result is a plausible 40–220 cm.
 */
export function parseHeightCm(text: string): number | null {
  const lexemes = withDecimals(lexNumbers(text));
  const meterAt = lexemes.findIndex((l) => l.kind === 'word' && unitOf(l.text)?.unit === 'meter');
  const centimetres = meterAt >= 0 ? withMeters(lexemes, meterAt) : withoutMeters(lexemes);
  if (centimetres === null) return null;
  const rounded = Math.round(centimetres);
  return rounded >= MIN_HEIGHT_CM && rounded <= MAX_HEIGHT_CM ? rounded : null;
}

/** "1m20", "1.20 m", "متر و عشرين": metres before the unit, centimetres after it. */
function withMeters(lexemes: readonly Lexeme[], meterAt: number): number | null {
  const unitLexeme = lexemes[meterAt];
  const unit = unitLexeme?.kind === 'word' ? unitOf(unitLexeme.text) : undefined;
  const before = lexemes[meterAt - 1];
  let meters: number;
  if (before?.kind === 'number') {
    if (before.decimal) return before.value * 100;
    meters = before.value;
  } else if (unit?.form === 'dual') {
    meters = 2;
  } else if (unitLexeme?.kind === 'word' && unitLexeme.text.length >= 3) {
    meters = 1; // "متر و عشرين", "mètre vingt"
  } else {
    return null;
  }
  const afterAt = isConnectorWord(lexemes[meterAt + 1]) ? meterAt + 2 : meterAt + 1;
  const after = lexemes[afterAt];
  let extra = 0;
  if (after?.kind === 'number' && !after.decimal) {
    // "1m5" is 1.5 m, "1m05" 1.05 m: a single digit after the metre is tenths.
    extra = after.digits?.length === 1 ? after.value * 10 : after.value;
    if (extra >= 100) return null;
  } else if (after?.kind === 'word' && isHalf(after.text)) {
    extra = 50;
  } else if (after?.kind === 'word' && isQuarter(after.text)) {
    extra = 25;
  }
  return meters * 100 + extra;
}

/** "120", "120 cm", "1,20": one number, in metres when it is a decimal below 3. */
function withoutMeters(lexemes: readonly Lexeme[]): number | null {
  const numbers = lexemes.filter((l): l is NumberLexeme => l.kind === 'number');
  const strong = numbers.filter((n) => !n.weak);
  const values = new Set((strong.length > 0 ? strong : numbers).map((n) => n.value));
  const [only] = values;
  if (values.size !== 1 || only === undefined) return null;
  return !Number.isInteger(only) && only < 3 ? only * 100 : only;
}
