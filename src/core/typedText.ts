/**
 * What people type, cleaned where it enters (a family's or a citizen's
 * message, an officer's public text) so that invisible characters never
 * reach a stored answer, a case, an alert text or a CAP document.
 *
 * Removed:
 * - C0 and C1 control characters and DEL, except newline and tab (a
 *   carriage return becomes a newline; so do the Unicode line and paragraph
 *   separators U+2028/U+2029);
 * - bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 *   U+2066–U+2069), which can make an alert read in another order than it
 *   was written, and the invisible direction marks LRM, RLM and ALM
 *   (U+200E, U+200F, U+061C): the renderers set each language's direction
 *   themselves;
 * - zero-width characters nothing needs: the zero-width space U+200B, the
 *   word joiner U+2060, U+FEFF, the Mongolian vowel separator U+180E, the
 *   interlinear annotation marks U+FFF9–U+FFFB, the noncharacters
 *   U+FFFE/U+FFFF, and the tag characters U+E0000–U+E007F (invisible text
 *   can be hidden in them) except inside a flag's tag sequence;
 * - a lone surrogate becomes U+FFFD (MongoDB stores UTF-8 only).
 *
 * Kept on purpose: ZWNJ (U+200C) and ZWJ (U+200D). They cannot reorder
 * text; ZWJ joins the emoji sequences people type (👨‍👩‍👧) and both choose
 * the joining form of Arabic-script letters in names spelled that way, so
 * removing them would change what the family wrote. The Arabic tatweel is
 * kept too: it is visible.
 */
export function cleanTypedText(text: string): string {
  return text
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(CONTROLS_AND_MARKS, '')
    .replace(TAGS, (_match, flag: string | undefined) => flag ?? '');
}

// C0 except tab (U+0009) and newline (U+000A), DEL and C1; the bidi and
// zero-width characters listed above; noncharacters.
const CONTROLS_AND_MARKS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF\uFFF9-\uFFFB\uFFFE\uFFFF]/g;

// A subdivision flag (🏴 then lowercase tag letters or digits then CANCEL TAG) is kept whole.
const TAGS =
  /(\u{1F3F4}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{1,7}\u{E007F})|[\u{E0000}-\u{E007F}]/gu;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
