import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import {
  containsPhoneNumber,
  type PublicProjection,
  publicProjection,
} from '../../src/core/alert/alert.js';
import {
  ALERT_BODY_BUDGET,
  alertMessage,
  closingMessage,
  composeAlertTexts,
  FAMILY_ALERT_KEYS,
  familyAlertNotice,
  PHONE_IN_TEXT_ERROR_KEY,
} from '../../src/core/alert/composeAlert.js';
import { caseFromReport, type ReportAnswers } from '../../src/core/case/report.js';
import { LANGUAGES } from '../../src/core/nlu/language.js';

const root = join(import.meta.dirname, '..', '..');
const translator = loadTranslator(join(root, 'locales'));

/** What a citizen may never read: everything the family told the police only. */
const PRIVATE = {
  familyName: 'Bennani',
  reporterName: 'Khadija Alaoui',
  childPhone: '0612345678',
  hobbies: 'football',
  problems: 'harcèlement au collège',
  places: 'cybercafé Atlas',
  friends: 'Karim et Mehdi',
  health: 'asthme',
  circumstances: 'partie après une dispute',
  abductionDetails: 'homme en moto rouge',
};

function answers(overrides: Partial<ReportAnswers> = {}): ReportAnswers {
  return {
    'consent.given': true,
    'reporter.relationship': 'parent',
    'reporter.name': PRIVATE.reporterName,
    'child.fullName': `Salma ${PRIVATE.familyName}`,
    'child.sex': 'girl',
    'child.age': { years: 7 },
    'child.photo': { photoId: 'photo-1', mimeType: 'image/jpeg' },
    'child.heightCm': 120,
    'child.build': 'mince',
    'child.hair': 'longs, noirs, en tresse',
    'child.marks': 'petite cicatrice au menton',
    'child.clothing': 'robe jaune, sandales blanches',
    // 15:00 in Casablanca (UTC+1 outside Ramadan).
    'lastSeen.at': '2025-11-28T14:00:00.000Z',
    'lastSeen.place': { kind: 'description', text: 'près du marché de Hay Mohammadi' },
    'lastSeen.city': 'Casablanca',
    circumstances: PRIVATE.circumstances,
    'abduction.suspected': 'yes',
    'abduction.details': PRIVATE.abductionDetails,
    'child.phone': PRIVATE.childPhone,
    'child.hobbies': PRIVATE.hobbies,
    'child.problems': PRIVATE.problems,
    'child.places': PRIVATE.places,
    'child.friends': PRIVATE.friends,
    'child.health': PRIVATE.health,
    'child.previousDisappearances': false,
    ...overrides,
  };
}

/** The projection of a case built the way a submitted report builds it. */
function projectionOf(overrides: Partial<ReportAnswers> = {}): PublicProjection {
  const created = caseFromReport(answers(overrides), {
    draftId: 'draft-1',
    reference: 'TF-2025-000042',
    language: 'fr',
    channel: 'dev',
    reporterAddress: '+212600000001',
    now: new Date('2025-11-28T16:00:00.000Z'),
    consentNoticeVersion: 1,
    region: 'casablanca-settat',
  });
  return publicProjection(created);
}

/** A locale key that was not found comes back as the key itself. */
const UNRESOLVED_KEY = /\b(?:alert:)?(?:age|body|message|closing|family|errors)\.[a-z_.]+/;

describe('composeAlertTexts', () => {
  const content = projectionOf();
  const texts = composeAlertTexts(content, { translator, abductionSuspected: true });

  it('says the public facts in each language and nothing the family told the police only', () => {
    expect(JSON.stringify(content)).not.toContain(PRIVATE.familyName);
    for (const language of LANGUAGES) {
      const text = texts[language];
      expect(text, language).toContain('Salma');
      expect(text, language).toContain('robe jaune, sandales blanches');
      expect(text, language).toContain('Hay Mohammadi');
      expect(text, language).toContain('120');
      expect(text, language).toContain('19');
      expect(text, language).not.toMatch(UNRESOLVED_KEY);
      expect(containsPhoneNumber(text), language).toBe(false);
      const message = alertMessage(texts, language, {
        translator,
        abductionSuspected: true,
        reference: 'TF-2025-000042',
        stage: 1,
      });
      for (const [what, value] of Object.entries(PRIVATE)) {
        expect(text, `${language} ${what}`).not.toContain(value);
        expect(message, `${language} ${what}`).not.toContain(value);
      }
    }
  });

  it('agrees with the child: a girl is "disparue", a boy "disparu", in every language', () => {
    const boy = composeAlertTexts(
      projectionOf({ 'child.sex': 'boy', 'child.fullName': 'Yassine Bennani' }),
      { translator, abductionSuspected: false },
    );
    expect(texts.fr).toContain('portée disparue');
    expect(texts.fr).toContain('Elle portait');
    expect(boy.fr).toContain('porté disparu.');
    expect(boy.fr).not.toContain('disparue');
    expect(boy.fr).toContain('Il portait');
    expect(texts.ar).toContain('الطفلة Salma');
    expect(texts.ar).toContain('كانت ترتدي');
    expect(boy.ar).toContain('الطفل Yassine');
    expect(boy.ar).not.toContain('الطفلة');
    expect(texts.ary).toContain('هاد البنت');
    expect(texts.ary).toContain('كانت لابسة');
    expect(boy.ary).toContain('هاد الدري');
    expect(boy.ary).not.toContain('البنت');
  });

  it('reads as Darija in ary and asks people not to intervene', () => {
    expect(texts.ary).toContain('إلا شفتي هاد البنت، جاوب على هاد الميساج ولا عيّط ل *19*');
    expect(texts.ary).toContain('ماتتدخلش بوحدك');
    expect(texts.ar).toContain('لا تتدخل بنفسك');
    expect(texts.fr).toContain("N'intervenez pas");
  });

  it('mentions a suspected abduction only when there is one', () => {
    const plain = composeAlertTexts(content, { translator, abductionSuspected: false });
    expect(texts.fr).toContain('enlevée');
    expect(plain.fr).not.toContain('enlev');
    expect(texts.ary).toContain('داها');
    expect(plain.ary).not.toContain('داها');
  });

  it('leaves absent details out: no "null", no "undefined", no empty label', () => {
    const bare = projectionOf({
      'child.heightCm': null,
      'child.build': null,
      'child.hair': undefined,
      'child.marks': null,
      'child.clothing': null,
      'lastSeen.place': { kind: 'pin', latitude: 33.58, longitude: -7.6 },
      'lastSeen.city': null,
    });
    const bareTexts = composeAlertTexts(bare, { translator, abductionSuspected: false });
    for (const language of LANGUAGES) {
      const text = bareTexts[language];
      expect(text).not.toMatch(/null|undefined|NaN/);
      expect(text).not.toMatch(UNRESOLVED_KEY);
      for (const label of ['body.place', 'body.build', 'body.hair', 'body.marks']) {
        const prefix = translator.t(language, `alert:${label}`, { place: '', value: '' }).trim();
        expect(text, `${language} ${label}`).not.toContain(prefix);
      }
      expect(text).not.toContain(
        translator.t(language, 'alert:body.clothing.girl', { value: '' }).trim(),
      );
      expect(text).not.toContain(
        translator.t(language, 'alert:body.height', { cm: '' }).split(' ')[0],
      );
      for (const line of text.split('\n')) expect(line).not.toMatch(/[:：]\s*$/);
      expect(text).toContain('Salma');
      expect(text).toContain('19');
    }
  });

  it('does not repeat a city the place already names', () => {
    const named = composeAlertTexts(
      projectionOf({ 'lastSeen.place': { kind: 'description', text: 'gare de Casablanca' } }),
      { translator, abductionSuspected: false },
    );
    for (const language of LANGUAGES) {
      expect(named[language].split('Casablanca')).toHaveLength(2);
    }
  });

  it('shows the time on the Casablanca wall clock, Ramadan included', () => {
    expect(texts.fr).toContain('le vendredi 28 novembre vers 15h00');
    expect(texts.ar).toContain('يوم الجمعة 28 نونبر حوالي الساعة 15:00');
    expect(texts.ary).toContain('نهار الجمعة 28 نونبر مع 15:00');
    // Morocco is on UTC+0 during Ramadan (27 February 2026 falls in it).
    const ramadan = composeAlertTexts(projectionOf({ 'lastSeen.at': '2026-02-27T14:00:00.000Z' }), {
      translator,
      abductionSuspected: false,
    });
    expect(ramadan.fr).toContain('le vendredi 27 février vers 14h00');
    expect(ramadan.ary).toContain('مع 14:00');
  });

  it('tells a baby’s age in months and counts years the Arabic way', () => {
    const ageOf = (age: { years: number; months?: number }) =>
      composeAlertTexts(projectionOf({ 'child.age': age, 'child.sex': 'boy' }), {
        translator,
        abductionSuspected: false,
      });
    const baby = ageOf({ years: 0, months: 8 });
    expect(baby.fr).toContain('garçon de 8 mois');
    expect(baby.ar).toContain('8 أشهر');
    expect(baby.ary).toContain('8 شهور');
    expect(ageOf({ years: 1, months: 6 }).fr).toContain('18 mois');
    const two = ageOf({ years: 2 });
    expect(two.fr).toContain('2 ans');
    expect(two.ar).toContain('سنتين');
    expect(two.ary).toContain('عامين');
    const twelve = ageOf({ years: 12 });
    expect(twelve.ar).toContain('12 سنة');
    expect(twelve.ary).toContain('12 عام');
    expect(texts.ar).toContain('7 سنوات');
    expect(texts.ary).toContain('7 سنين');
    for (let years = 0; years <= 17; years++) {
      const text = ageOf({ years, months: years === 0 ? 0 : undefined });
      for (const language of LANGUAGES) expect(text[language]).not.toMatch(UNRESOLVED_KEY);
    }
  });

  it('fits a WhatsApp message, even when the family wrote at length', () => {
    for (const language of LANGUAGES) {
      expect(texts[language].length).toBeLessThan(ALERT_BODY_BUDGET);
      const message = alertMessage(texts, language, {
        translator,
        abductionSuspected: true,
        reference: 'TF-2025-000042',
        stage: 2,
      });
      expect(message.length, language).toBeLessThan(700);
    }
    const long = (word: string, length: number) =>
      `${`${word} `.repeat(Math.ceil(length / (word.length + 1)))}`.slice(0, length).trim();
    const wordy = composeAlertTexts(
      projectionOf({
        'child.build': long('plutôt', 200),
        'child.hair': long('bouclés', 200),
        'child.marks': long('grain', 500),
        'child.clothing': long('survêtement', 500),
        'lastSeen.place': { kind: 'description', text: long('derrière', 300) },
        'lastSeen.city': long('Casablanca', 100),
      }),
      { translator, abductionSuspected: true },
    );
    for (const language of LANGUAGES) {
      const text = wordy[language];
      expect(text.length, language).toBeLessThanOrEqual(ALERT_BODY_BUDGET);
      expect(text).toContain('…');
      expect(text).toContain('survêtement');
      expect(text.trimEnd().split('\n').at(-1)).toContain('19');
    }
  });
});

describe('alertMessage', () => {
  const texts = composeAlertTexts(projectionOf(), { translator, abductionSuspected: false });

  it('frames the text with a header and the STOP instruction, in each language', () => {
    const footers = {
      fr: 'Pour ne plus recevoir d',
      ar: 'لإيقاف استقبال التنبيهات',
      ary: 'باش ماتبقاش توصلك التنبيهات، كتب STOP',
    };
    for (const language of LANGUAGES) {
      const message = alertMessage(texts, language, { translator, abductionSuspected: false });
      expect(message).toContain('STOP');
      expect(message).toContain(footers[language]);
      expect(message.startsWith('🚨')).toBe(true);
      expect(message).toContain(texts[language]);
    }
  });

  it('says abduction in the header only when the flag says so', () => {
    const abduction = alertMessage(texts, 'fr', { translator, abductionSuspected: true });
    const missing = alertMessage(texts, 'fr', { translator, abductionSuspected: false });
    expect(abduction.split('\n')[0]).toContain('ENLÈVEMENT');
    expect(missing.split('\n')[0]).toContain('DISPARU');
    expect(missing).not.toContain('ENLÈVEMENT');
    expect(alertMessage(texts, 'ar', { translator, abductionSuspected: true })).toContain('اختطاف');
  });

  it('sends the officer’s edited text, the reference, and says when the area widened', () => {
    const edited = { ...texts, ary: 'البنت سلمى تلفات فالمعاريف. إلا شفتيها عيّط ل 19.' };
    const first = alertMessage(edited, 'ary', {
      translator,
      abductionSuspected: false,
      reference: 'TF-2025-000042',
      stage: 0,
    });
    expect(first).toContain(edited.ary);
    expect(first).toContain('TF-2025-000042');
    const widened = translator.t('ary', 'alert:message.widened');
    expect(first).not.toContain(widened);
    const later = alertMessage(edited, 'ary', { translator, abductionSuspected: false, stage: 1 });
    expect(later).toContain(widened);
    expect(later).not.toContain('TF-2025-000042');
  });
});

describe('closingMessage', () => {
  const content = projectionOf();

  it('says the child was found and thanks people, without saying where', () => {
    for (const language of LANGUAGES) {
      const resolved = closingMessage(content, 'resolved', language, translator);
      const expired = closingMessage(content, 'expired', language, translator);
      expect(resolved).not.toBe(expired);
      expect(resolved).toContain('Salma');
      expect(expired).toContain('Salma');
      expect(resolved).not.toContain('Hay Mohammadi');
      expect(resolved).not.toContain('Casablanca');
      expect(closingMessage(content, 'cancelled', language, translator)).toBe(expired);
      expect(resolved).not.toMatch(UNRESOLVED_KEY);
    }
    expect(closingMessage(content, 'resolved', 'fr', translator)).toContain('retrouvée');
    expect(closingMessage(content, 'resolved', 'fr', translator)).toContain('Merci');
    expect(closingMessage(content, 'resolved', 'ary', translator)).toContain('تلقات');
    expect(closingMessage(content, 'expired', 'fr', translator)).toContain('terminée');
    expect(closingMessage(content, 'expired', 'ary', translator)).toContain('ماتبقاوش تبارطاجيو');
  });

  it('stays neutral with only a first name', () => {
    const neutral = closingMessage('Salma', 'resolved', 'ar', translator);
    expect(neutral).toContain('Salma');
    expect(neutral).not.toContain('الطفلة');
    expect(closingMessage('Salma', 'expired', 'fr', translator)).toBe(
      closingMessage(content, 'expired', 'fr', translator),
    );
  });
});

describe('family notices and the phone error', () => {
  it('tells the family the alert is live, then ended, with their reference', () => {
    for (const language of LANGUAGES) {
      const live = familyAlertNotice('live', 'TF-2025-000042', language, translator);
      const ended = familyAlertNotice('ended', 'TF-2025-000042', language, translator);
      expect(live).toContain('TF-2025-000042');
      expect(ended).toContain('TF-2025-000042');
      expect(live).not.toBe(ended);
      expect(translator.has(language, FAMILY_ALERT_KEYS.live)).toBe(true);
      expect(translator.has(language, FAMILY_ALERT_KEYS.ended)).toBe(true);
    }
  });

  it('has the phone-number error in every language, mentioning 19', () => {
    for (const language of LANGUAGES) {
      expect(translator.has(language, PHONE_IN_TEXT_ERROR_KEY)).toBe(true);
      const sentence = translator.t(language, PHONE_IN_TEXT_ERROR_KEY);
      expect(sentence).toContain('19');
      expect(containsPhoneNumber(sentence)).toBe(false);
    }
  });
});
