import { normalizeDigits, stripInvisible } from './normalize.js';

/** A phone number in E.164 ("+212612345678"), or not a phone number. */
export type PhoneParse = { ok: true; e164: string } | { ok: false };

// Moroccan numbers are 9 digits after the 0 trunk prefix or the 212 country
// code: 6/7 for mobiles, 5 for fixed lines.
const MOROCCAN_NATIONAL = /^0([567]\d{8})$/;
const MOROCCAN_INTERNATIONAL = /^(?:\+|00)?212\(?0?\)?([567]\d{8})$/;
// E.164: a country code (never starting with 0) and at most 15 digits in all.
const OTHER_INTERNATIONAL = /^(?:\+|00)([1-9]\d{7,14})$/;

/** Candidate numbers in a message: digits with the separators people type between them. */
const CANDIDATE = /(?:\+|\b00|\b)\d[\d\s().\-/]{6,}\d/g;

/**
 * A phone number from what people type: "0612345678", "06 12 34 56 78",
 * "06-12-34-56-78", "+212612345678", "+212 (0)6 12 34 56 78", "00212612345678",
 * "212612345678", "٠٦١٢٣٤٥٦٧٨", also inside a sentence ("mon numéro est
 * 06 12 34 56 78"). Moroccan mobiles (06, 07) and fixed lines (05) without a
 * country code; any other country's number with a + or 00 prefix and 8–15
 * digits. Two different numbers in one message are not an answer.
 */
export function parseMoroccanPhone(text: string): PhoneParse {
  const cleaned = normalizeDigits(stripInvisible(text.normalize('NFKC')));
  const found = new Set<string>();
  for (const match of cleaned.matchAll(CANDIDATE)) {
    const e164 = toE164(match[0]);
    if (e164) found.add(e164);
  }
  const [only] = found;
  return found.size === 1 && only !== undefined ? { ok: true, e164: only } : { ok: false };
}

function toE164(candidate: string): string | undefined {
  // Keep "(0)" visible to the Moroccan pattern; drop every other separator.
  const compact = candidate.replace(/[\s.\-/]/g, '').replace(/\((?!0\))|(?<!\(0)\)/g, '');
  const national =
    MOROCCAN_NATIONAL.exec(compact)?.[1] ?? MOROCCAN_INTERNATIONAL.exec(compact)?.[1];
  if (national) return `+212${national}`;
  const other = OTHER_INTERNATIONAL.exec(compact)?.[1];
  // A number with Morocco's code that failed the Moroccan pattern is a typo, not a foreign number.
  if (other && !other.startsWith('212')) return `+${other}`;
  return undefined;
}
