import { z } from 'zod';

/**
 * The languages Tifli speaks: Modern Standard Arabic, French and Moroccan
 * Darija (ISO 639-3 `ary`). Darija written in Latin letters ("Arabizi") is
 * still `ary`: the language is what is said, not the script.
 */
export const LANGUAGES = ['ar', 'fr', 'ary'] as const;

/** One of {@link LANGUAGES}. */
export type Language = (typeof LANGUAGES)[number];

/** Validates a stored or configured language code. */
export const languageSchema = z.enum(LANGUAGES);
