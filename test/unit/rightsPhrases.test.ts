import { describe, expect, it } from 'vitest';
import { recognizeRightsAsk } from '../../src/core/nlu/rightsPhrases.js';

describe('requests about one’s data', () => {
  it.each([
    ['mes données', 'menu', 'fr'],
    ['Mes données ?', 'menu', 'fr'],
    ['salam, les données dyali 3afak', 'menu', 'ary'],
    ['المعطيات ديالي', 'menu', 'ary'],
    ['بياناتي الشخصية', 'menu', 'ar'],
    ['Je veux voir mes données', 'access', 'fr'],
    ['أريد الاطلاع على معطياتي', 'access', 'ar'],
    ['بغيت نشوف المعطيات ديالي', 'access', 'ary'],
    ['bghit nchouf les données dyali', 'access', 'ary'],
    ['BGHIT NCHOUF LES DONNEES DYALI', 'access', 'ary'],
    ['corriger mes données svp', 'rectify', 'fr'],
    ['أريد تصحيح معطياتي', 'rectify', 'ar'],
    ['bghit nsa7a7 les données dyali', 'rectify', 'ary'],
    ['supprimer mes données', 'erase', 'fr'],
    ['مسحو المعطيات ديالي', 'erase', 'ary'],
    ['حذف بياناتي', 'erase', 'ar'],
    ['delete my data', 'erase', null],
  ])('"%s" is %s in %s', (text, ask, language) => {
    expect(recognizeRightsAsk(text)).toEqual({ ask, language });
  });

  it.each([
    'données',
    'mes',
    'Il a donné ses données à son ami',
    'je veux voir mon fils',
    'mes données sont fausses, il a 8 ans et pas 7',
    'bghit nchouf wldi',
    'شفت الطفل',
    'Salma',
    '1',
    '',
  ])('"%s" is not a request', (text) => {
    expect(recognizeRightsAsk(text)).toBeNull();
  });
});
