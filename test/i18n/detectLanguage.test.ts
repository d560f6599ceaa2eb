import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/core/nlu/detectLanguage.js';
import { languageTable } from './languageTable.js';

describe('detectLanguage', () => {
  it('has a realistic table of every kind of message', () => {
    const count = (expected: string) => languageTable.filter((c) => c.expected === expected).length;
    expect(languageTable.length).toBeGreaterThanOrEqual(75);
    expect(count('ar')).toBeGreaterThanOrEqual(20);
    expect(count('fr')).toBeGreaterThanOrEqual(20);
    expect(count('ary')).toBeGreaterThanOrEqual(20);
    expect(count('unsure')).toBeGreaterThanOrEqual(8);
    const arabicScriptDarija = languageTable.filter(
      (c) => c.expected === 'ary' && /\p{Script=Arabic}/u.test(c.text),
    );
    const latinDarija = languageTable.filter(
      (c) => c.expected === 'ary' && !/\p{Script=Arabic}/u.test(c.text),
    );
    expect(arabicScriptDarija.length).toBeGreaterThanOrEqual(10);
    expect(latinDarija.length).toBeGreaterThanOrEqual(10);
  });

  it.each(languageTable)('$text → $expected', ({ text, expected, guess }) => {
    const result = detectLanguage(text);
    if (expected === 'unsure') {
      expect(result.confident).toBe(false);
      if (guess !== undefined && !result.confident) {
        expect(result.guess ?? null).toBe(guess);
      }
    } else {
      expect(result).toEqual({ confident: true, language: expected });
    }
  });

  it('gives no confident answer for an empty message', () => {
    expect(detectLanguage('')).toEqual({ confident: false });
    expect(detectLanguage('   ')).toEqual({ confident: false });
  });
});
