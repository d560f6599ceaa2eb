import { describe, expect, it } from 'vitest';
import {
  foldText,
  hasMeaningfulContent,
  normalizeDigits,
  normalizeForMatching,
  stripInvisible,
} from '../../src/core/nlu/normalize.js';

describe('normalizeDigits', () => {
  it.each([
    ['٠١٢٣٤٥٦٧٨٩', '0123456789'],
    ['۰۱۲۳۴۵۶۷۸۹', '0123456789'],
    ['عندو ٧ سنين', 'عندو 7 سنين'],
    ['١٫٢٠', '1.20'],
    ['06 ۱۲ 34', '06 12 34'],
    ['rien à changer', 'rien à changer'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeDigits(input)).toBe(expected);
  });
});

describe('stripInvisible', () => {
  it('removes bidi marks, zero-width characters, the BOM and tatweel', () => {
    const marks =
      '\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff';
    expect(stripInvisible(`${marks}نعم${marks}`)).toBe('نعم');
    expect(stripInvisible('بـــنتي')).toBe('بنتي');
  });

  it('keeps everything visible', () => {
    expect(stripInvisible('Oui, ça va ! 👍 إيه')).toBe('Oui, ça va ! 👍 إيه');
  });
});

describe('normalizeForMatching', () => {
  it.each([
    ['Oui !', 'oui'],
    ['  OUI   merci  ', 'oui merci'],
    ['Français', 'francais'],
    ['garçon', 'garcon'],
    ['sœur', 'soeur'],
    ["C'est bon", 'c est bon'],
    ['c’est bon', 'c est bon'],
    ['إِيهْ', 'ايه'],
    ['أإآٱ', 'ا'],
    ['مستشفى', 'مستشفي'],
    ['بنت صغيرة', 'بنت صغيره'],
    ['مسؤول', 'مسوول'],
    ['طائرة', 'طايره'],
    ['\u200fنعم\u200f', 'نعم'],
    ['نعم؟', 'نعم'],
    ['«لا»، شكرا؛', 'لا شكرا'],
    ['ﻻ', 'لا'],
    ['ma3rftch', 'ma3rftch'],
    ['١٥ سنة', '15 سنه'],
    ['ok 👍🏽', 'ok'],
    ['ＯＫ', 'ok'],
    ['/skip', 'skip'],
    ['یک', 'يك'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeForMatching(input)).toBe(expected);
  });

  it('collapses any run of a repeated Latin letter to one, on both sides of a comparison', () => {
    expect(normalizeForMatching('ouiiii')).toBe('oui');
    expect(normalizeForMatching('Nooon')).toBe('non');
    expect(normalizeForMatching('lla')).toBe('la');
    expect(normalizeForMatching('bzzaf')).toBe(normalizeForMatching('bzaf'));
    expect(normalizeForMatching('annuler')).toBe(normalizeForMatching('anuler'));
    // Which is also why "mm" reads as "m".
    expect(normalizeForMatching('mm')).toBe('m');
  });

  it('collapses Arabic letters only from three repetitions, and a doubled alef', () => {
    expect(normalizeForMatching('لاااااا')).toBe('لا');
    expect(normalizeForMatching('وااه')).toBe('واه');
    expect(normalizeForMatching('نعممم')).toBe('نعم');
    // Two identical letters are real spelling in Arabic.
    expect(normalizeForMatching('الليل')).toBe('الليل');
    expect(normalizeForMatching('للا')).toBe('للا');
  });

  it('keeps digits as they are, even repeated', () => {
    expect(normalizeForMatching('100')).toBe('100');
    expect(normalizeForMatching('١١١')).toBe('111');
  });

  it('returns an empty string for messages without letters or digits', () => {
    expect(normalizeForMatching('?!')).toBe('');
    expect(normalizeForMatching('🙏🙏')).toBe('');
    expect(normalizeForMatching('\u200f\u200e')).toBe('');
  });
});

describe('foldText', () => {
  it('keeps the punctuation parsers need', () => {
    expect(foldText('١٥:٣٠')).toBe('15:30');
    expect(foldText('1,20 M')).toBe('1,20 m');
    expect(foldText('٢٨/١١/٢٠٢٦')).toBe('28/11/2026');
  });
});

describe('hasMeaningfulContent', () => {
  it.each([
    ['Yassine', true],
    ['ياسين', true],
    ['7', true],
    ['٧', true],
    ['ok 👍', true],
    ['', false],
    ['   ', false],
    ['👍', false],
    ['😭😭😭', false],
    ['\u200f\u200e\u200f', false],
    ['?!...', false],
    ['ـــ', false],
  ])('%j → %s', (input, expected) => {
    expect(hasMeaningfulContent(input)).toBe(expected);
  });
});
