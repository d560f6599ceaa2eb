import { detectLanguage } from './detectLanguage.js';
import { LANGUAGES, type Language } from './language.js';
import { normalizeDigits, stripInvisible } from './normalize.js';

/** The language menu's answer: its number (1 ar, 2 fr, 3 ary), in any digits. */
export function menuChoice(text: string): Language | undefined {
  const digit = normalizeDigits(stripInvisible(text)).trim();
  return /^[1-3]$/.test(digit) ? LANGUAGES[Number(digit) - 1] : undefined;
}

/** The language a message is written in, only when the detector is sure of it. */
export function confidentLanguage(text: string): Language | undefined {
  const guess = detectLanguage(text);
  return guess.confident ? guess.language : undefined;
}

/** The language to show the menu (or an apology) in when we cannot tell: the script decides. */
export function guessLanguage(text: string): Language {
  const guess = detectLanguage(text);
  if (guess.confident) return guess.language;
  return guess.guess === 'fr' ? 'fr' : 'ar';
}

/**
 * The language to answer a bare "STOP" in when the conversation has none:
 * it says little, so Latin letters are answered in French, Arabic in Arabic.
 */
export function stopLanguage(text: string): Language {
  const latin = /\p{Script=Latin}/u.test(text) && !/\p{Script=Arabic}/u.test(text);
  return latin ? 'fr' : guessLanguage(text);
}
