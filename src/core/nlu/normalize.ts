/**
 * Text normalisation for reading what people type on WhatsApp. These functions
 * never change what is stored or shown: they exist so that comparisons and
 * parsers see one spelling where people (and their keyboards) produce many.
 */

// Arabic-Indic (U+0660–0669, Arabic keyboards) and Extended Arabic-Indic /
// Persian (U+06F0–06F9, some Android keyboards) digits.
const ARABIC_INDIC_DIGIT = /[\u0660-\u0669]/g;
const PERSIAN_DIGIT = /[\u06F0-\u06F9]/g;
const ARABIC_DECIMAL_SEPARATOR = /\u066B/g;

// Bidi controls and zero-width characters that RTL keyboards and copy-paste
// insert invisibly (U+200B–U+200F, ALM U+061C, embeddings/overrides U+202A–U+202E,
// isolates U+2066–U+2069, word joiner U+2060, BOM U+FEFF), plus the Arabic
// tatweel U+0640, which only stretches a word visually ("بـــنتي").
const INVISIBLE = /[\u200B-\u200F\u061C\u202A-\u202E\u2060\u2066-\u2069\uFEFF\u0640]/g;

// Harakat, shadda, sukun and the other Arabic combining marks, plus the
// superscript alef: almost nobody types them, so a keyword list without them
// must still match the rare message that has them.
const ARABIC_DIACRITICS = /[\u064B-\u065F\u0670]/g;

/**
 * Converts Arabic-Indic (٠–٩) and Persian (۰–۹) digits to ASCII digits, and the
 * Arabic decimal separator (٫) to a dot. Everything else is left as it is.
 */
export function normalizeDigits(text: string): string {
  return text
    .replace(ARABIC_INDIC_DIGIT, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(PERSIAN_DIGIT, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(ARABIC_DECIMAL_SEPARATOR, '.');
}

/**
 * Removes bidirectional and zero-width format marks and the Arabic tatweel.
 * Safe to apply to text that will be stored: it removes nothing a reader sees.
 */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/**
 * Folds the spelling variants that carry no meaning for us, keeping
 * punctuation and letter repetitions: NFKC (Arabic presentation forms, full
 * width), invisible marks, digits, Arabic diacritics, hamza/alef variants,
 * alef maqsura, ta marbuta, Persian kaf/yeh, Latin case and accents.
 *
 * The parsers (numbers, dates, phones) use this because they need the
 * punctuation (`15:30`, `1,20`, `28/11`) that {@link normalizeForMatching} drops.
 */
export function foldText(text: string): string {
  const folded = normalizeDigits(stripInvisible(text.normalize('NFKC')))
    .replace(ARABIC_DIACRITICS, '')
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .replace(/ؤ/g, 'و')
    .replace(/ئ/g, 'ي')
    // Persian keyboards, common in the diaspora, have their own kaf and yeh.
    .replace(/ک/g, 'ك')
    .replace(/ی/g, 'ي')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss');
  // Decomposing then dropping marks turns é into e and ç into c; Arabic letters
  // that would decompose were already mapped above.
  return folded.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/**
 * Collapses letters typed several times for emphasis.
 *
 * Latin letters: any run becomes one letter ("ouiiii" → "oui", "nooon" →
 * "non", "lla" → "la", "bzzaf" → "bzaf"). Doubled consonants in French
 * ("annuler") and Arabizi carry no meaning for recognition, and people type
 * them inconsistently, so keyword lists are folded the same way.
 *
 * Arabic letters: only runs of three or more collapse ("لااااا" → "لا"),
 * because two identical letters are real spelling there (الله, الليل) and
 * gemination is written with a shadda; a doubled alef is never a spelling and
 * collapses too ("وااه" → "واه").
 */
function collapseRepeatedLetters(text: string): string {
  return text
    .replace(/(\p{Script=Latin})\1+/gu, '$1')
    .replace(/(\p{Script=Arabic})\1{2,}/gu, '$1')
    .replace(/اا+/g, 'ا');
}

/**
 * The form used to compare a message with recognition words. Not for storage
 * or display: it loses punctuation, case, accents and letter repetitions.
 *
 * {@link foldText}, then every character that is neither a letter, a digit nor
 * a space (Latin and Arabic punctuation ، ؟ ؛ « », apostrophes, emoji) becomes
 * a space, repeated letters collapse (see `collapseRepeatedLetters`), and
 * whitespace is collapsed and trimmed. Examples: "Oui !!" → "oui",
 * "إيييه" → "ايه", "C'est bon" → "c est bon", "١٥" → "15".
 */
export function normalizeForMatching(text: string): string {
  return collapseRepeatedLetters(foldText(text).replace(/[^\p{L}\p{N}\s]/gu, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Whether a message says anything at all: at least one letter or digit once
 * invisible marks are removed. Emoji-only, punctuation-only, whitespace-only
 * and RTL-mark-only messages are not meaningful.
 */
export function hasMeaningfulContent(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(stripInvisible(text));
}
