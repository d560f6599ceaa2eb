import { describe, expect, it } from 'vitest';
import { parseAge, parseHeightCm, parseInteger } from '../../src/core/nlu/parseNumber.js';

describe('parseInteger', () => {
  it.each([
    // digits, any script, with noise around
    ['7', 7],
    ['  12 ', 12],
    ['٧', 7],
    ['۱۲', 12],
    ['il a 7 ans', 7],
    ['7ans', 7],
    ['12ans', 12],
    ['عندو 7 سنين', 7],
    ['٧ سنوات', 7],
    ['3ndo 7 snin', 7],
    ['\u200f١٠ سنوات\u200f', 10],
    ['une fille de 7 ans', 7],
    ['Il a 7 ans et demi', 7],
    ['7 ans 7', 7],
    // French words
    ['sept', 7],
    ['Sept ans', 7],
    ['douze', 12],
    ['dix-sept', 17],
    ['dix sept', 17],
    ['vingt et un', 21],
    ['vingt-deux', 22],
    ['soixante-dix-sept', 77],
    ['soixante et onze', 71],
    ['quatre-vingts', 80],
    ['quatre-vingt-douze', 92],
    ['un', 1],
    // MSA
    ['سبعة', 7],
    ['سبع سنوات', 7],
    ['اثنا عشر', 12],
    ['اثني عشر عاما', 12],
    ['ثلاثة عشر', 13],
    ['خمس عشرة', 15],
    ['إحدى عشرة', 11],
    ['عشرون', 20],
    ['واحد وعشرون', 21],
    ['عمره ثماني سنوات', 8],
    // Darija, Arabic script
    ['جوج', 2],
    ['زوج', 2],
    ['تلاتة', 3],
    ['ربعة', 4],
    ['خمسة', 5],
    ['ستة', 6],
    ['تمنية', 8],
    ['تسعود', 9],
    ['حداش', 11],
    ['طناش', 12],
    ['تلتاش', 13],
    ['ربعطاش', 14],
    ['خمستاش', 15],
    ['سطاش', 16],
    ['سبعطاش', 17],
    ['تمنطاش', 18],
    ['تسعطاش', 19],
    ['عشرين', 20],
    ['خمسة و عشرين', 25],
    ['عندو عامين', 2],
    // Arabizi
    ['jouj', 2],
    ['zouj', 2],
    ['tlata', 3],
    ['reb3a', 4],
    ['khamsa', 5],
    ['setta', 6],
    ['seb3a', 7],
    ['tmnya', 8],
    ['tes3oud', 9],
    ['3achra', 10],
    ['hdach', 11],
    ['tnach', 12],
    ['tlettach', 13],
    ['rb3tach', 14],
    ['khmstach', 15],
    ['settach', 16],
    ['sb3tach', 17],
    ['tmntach', 18],
    ['ts3tach', 19],
    ['3ichrin', 20],
    ['khamsa w 3ichrin', 25],
    ['3ndo seb3a snin', 7],
    ['SETTACH', 16],
  ])('%j → %i', (text, expected) => {
    expect(parseInteger(text)).toBe(expected);
  });

  it.each([
    [''],
    ['Yassine'],
    ['ma3rftch'],
    ['3la wldi'], // Arabizi letters, not numbers
    ['7 ou 8'],
    ['entre 7 et 9 ans'],
    ['sept ou huit'],
    ['1.5'],
    ['٧٫٥'],
    ['15:30'],
    ['👍'],
  ])('%j → null', (text) => {
    expect(parseInteger(text)).toBeNull();
  });
});

describe('parseAge', () => {
  it.each([
    ['7', { years: 7 }],
    ['7 ans', { years: 7 }],
    ['7ans', { years: 7 }],
    ['il a 7 ans', { years: 7 }],
    ['sept ans', { years: 7 }],
    ['عمرو 7 سنين', { years: 7 }],
    ['عمره سبع سنوات', { years: 7 }],
    ['٧ سنوات', { years: 7 }],
    ['3ndo seb3a snin', { years: 7 }],
    ['3ndha 5 snin', { years: 5 }],
    ['عندو عامين', { years: 2 }],
    ['un an', { years: 1 }],
    ['عندو عام', { years: 1 }],
    ['une fille de 7 ans', { years: 7 }],
    // babies
    ['8 mois', { years: 0, months: 8 }],
    ['8 أشهر', { years: 0, months: 8 }],
    ['8 شهور', { years: 0, months: 8 }],
    ['8 chhour', { years: 0, months: 8 }],
    ['ثمانية أشهر', { years: 0, months: 8 }],
    ['tmnya chhour', { years: 0, months: 8 }],
    ['شهرين', { years: 0, months: 2 }],
    ['18 mois', { years: 1, months: 6 }],
    ['3 semaines', { years: 0, months: 0 }],
    // halves and mixed units
    ['1 an et demi', { years: 1, months: 6 }],
    ['un an et demi', { years: 1, months: 6 }],
    ['عام ونص', { years: 1, months: 6 }],
    ['سنتين و نص', { years: 2, months: 6 }],
    ['sntin w nos', { years: 2, months: 6 }],
    ['3 ans et 4 mois', { years: 3, months: 4 }],
    ['1,5 an', { years: 1, months: 6 }],
    ['10 ans et demi', { years: 10, months: 6 }],
    ['2.5', { years: 2, months: 6 }],
  ])('%j → %o', (text, expected) => {
    expect(parseAge(text)).toEqual({ ok: true, ...expected });
  });

  it.each([[''], ['rien'], ['ma3rftch'], ['7 ans ou 8 ans'], ['7 ou 8'], ['🙏']])(
    '%j is not an age',
    (text) => {
      expect(parseAge(text)).toEqual({ ok: false, reason: 'not_a_number' });
    },
  );
});

describe('parseHeightCm', () => {
  it.each([
    ['120', 120],
    ['120 cm', 120],
    ['120cm', 120],
    ['1m20', 120],
    ['1m 20', 120],
    ['1 m 20', 120],
    ['1 m 20 cm', 120],
    ['1,20', 120],
    ['1.20 m', 120],
    ['1,20m', 120],
    ['1.2', 120],
    ['1m05', 105],
    ['1m5', 150],
    ['1m', 100],
    ['١٢٠', 120],
    ['١٫٢٠', 120],
    ['۱۲۰ سم', 120],
    ['taille 1m20 environ', 120],
    ['1m20, 25kg', 120],
    ['طولو 1.35', 135],
    ['متر و عشرين', 120],
    ['متر ونص', 150],
    ['مترين', 200],
    ['mitra w 3ichrin', 120],
    ['un mètre vingt', 120],
    ['1 mètre 30', 130],
    ['95', 95],
  ])('%j → %i', (text, expected) => {
    expect(parseHeightCm(text)).toBe(expected);
  });

  it.each([[''], ['grand'], ['300'], ['12'], ['3 m'], ['130 ou 140'], ['0,2']])(
    '%j → null',
    (text) => {
      expect(parseHeightCm(text)).toBeNull();
    },
  );
});
