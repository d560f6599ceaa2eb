import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/core/nlu/language.js';

const root = join(import.meta.dirname, '..', '..', 'locales');

/** Every key path of a nested object of sentences, with its value. */
function sentences(value: unknown, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  if (typeof value === 'string') found.set(prefix, value);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value))
      for (const [path, text] of sentences(inner, prefix ? `${prefix}.${key}` : key))
        found.set(path, text);
  }
  return found;
}

describe('the login, accounts and national-queue texts', () => {
  for (const file of ['officers.json', 'console-officers.json']) {
    it(`${file} says the same things in ar, fr and ary, with the same parameters`, () => {
      const [first, ...others] = LANGUAGES.map((language) => ({
        language,
        texts: sentences(JSON.parse(readFileSync(join(root, language, file), 'utf8'))),
      }));
      if (!first) throw new Error('no language');
      const params = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      for (const other of others) {
        expect([...other.texts.keys()].sort(), other.language).toEqual(
          [...first.texts.keys()].sort(),
        );
        for (const [path, text] of first.texts) {
          expect(params(other.texts.get(path) ?? ''), `${other.language} ${path}`).toEqual(
            params(text),
          );
          expect((other.texts.get(path) ?? '').trim(), `${other.language} ${path}`).not.toBe('');
        }
      }
    });
  }
});
