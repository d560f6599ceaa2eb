import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  createTranslator,
  type LocaleResources,
  type Resource,
  resourceSchema,
  type Translator,
} from '../../core/i18n/translator.js';
import { LANGUAGES } from '../../core/nlu/language.js';

/**
 * Reads `locales/{ar,fr,ary}/*.json` (one namespace per file) once, at
 * start-up, validating each file; throws naming the file when one is malformed.
 */
export function readLocales(localesDir: string): LocaleResources {
  const resources: Partial<LocaleResources> = {};
  for (const language of LANGUAGES) {
    const dir = join(localesDir, language);
    const byNamespace: Record<string, Resource> = {};
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      const parsed = resourceSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      if (!parsed.success) {
        throw new Error(
          `locales/${language}/${file} is invalid: ${parsed.error.issues[0]?.message}`,
        );
      }
      byNamespace[basename(file, '.json')] = parsed.data;
    }
    resources[language] = byNamespace;
  }
  const { ar, fr, ary } = resources;
  if (!ar || !fr || !ary) throw new Error('a language of locales/ is missing');
  return { ar, fr, ary };
}

/** The translator of the locale files in `localesDir`. */
export function loadTranslator(localesDir: string): Translator {
  return createTranslator(readLocales(localesDir));
}
