import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import { ageText, type CapOptions, capMessage } from '../../src/adapters/render/capMessage.js';
import { type Alert, publicProjection } from '../../src/core/alert/alert.js';
import { capDateTime } from '../../src/core/alert/capTime.js';
import { APPROVED_AT, sampleAlert, yassineContent } from '../fixtures/cap/sampleAlerts.js';
import { validateCap } from '../support/capSchema.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const translator = loadTranslator(join(root, 'locales'));
const SENDER = 'tifli@police.example.ma';
const BASE = 'http://localhost:3000';
const PHOTO = { mimeType: 'image/jpeg', size: 48_213 };

const options = (extra: Partial<CapOptions> = {}): CapOptions => ({
  baseUrl: BASE,
  sender: SENDER,
  translator,
  ...extra,
});

/** The latest message of an alert, as `GET /alerts/:id.cap` serves it. */
function latest(alert: Alert, extra: Partial<CapOptions> = {}): string {
  const record = alert.cap[alert.cap.length - 1];
  if (!record) throw new Error('the sample alert has no CAP record');
  return capMessage(alert, record, options(extra));
}

const unescapeXml = (text: string): string =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The texts of every `<name>` element (the documents here have no attributes on them). */
function texts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) =>
    unescapeXml(m[1] ?? ''),
  );
}

/** The `info` blocks by language code. */
function infos(xml: string): Map<string, string> {
  const blocks = [...xml.matchAll(/<info>([\s\S]*?)<\/info>/g)].map((m) => m[1] ?? '');
  return new Map(blocks.map((block) => [texts(block, 'language')[0] ?? '', block]));
}

function info(xml: string, language: string): string {
  const block = infos(xml).get(language);
  if (block === undefined) throw new Error(`no info block for ${language}`);
  return block;
}

const DATE_ELEMENTS = ['sent', 'effective', 'onset', 'expires'];

describe('capMessage', () => {
  it('produces schema-valid CAP for Alert, Update and Cancel, with or without abduction and photo', async () => {
    const produced: string[] = [];
    for (const published of [1, 2, 3] as const) {
      for (const abductionSuspected of [false, true]) {
        for (const photo of [PHOTO, undefined]) {
          const alert = sampleAlert(published, { abductionSuspected });
          for (const record of alert.cap) {
            produced.push(capMessage(alert, record, options(photo ? { photo } : {})));
          }
        }
      }
    }
    expect(produced).toHaveLength(2 * 2 * (1 + 2 + 3));
    for (const xml of produced) {
      const check = await validateCap(xml);
      expect(check.errors).toEqual([]);
      expect(check.valid).toBe(true);
    }
  });

  it('writes the Alert: header, three languages, offset times, circle of the first stage, photo', () => {
    const alert = sampleAlert(1);
    const xml = latest(alert, { photo: PHOTO });

    expect(xml).toContain('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">');
    expect(texts(xml, 'identifier')).toEqual([`${alert._id}-1`]);
    expect(texts(xml, 'sender')).toEqual([SENDER]);
    expect(texts(xml, 'sent')).toEqual(['2026-11-28T17:00:00+01:00']);
    expect(texts(xml, 'status')).toEqual(['Actual']);
    expect(texts(xml, 'msgType')).toEqual(['Alert']);
    expect(texts(xml, 'scope')).toEqual(['Public']);
    expect(texts(xml, 'references')).toEqual([]);

    expect([...infos(xml).keys()]).toEqual(['ar-MA', 'fr-MA', 'ary-MA']);
    for (const name of DATE_ELEMENTS) {
      for (const value of texts(xml, name)) expect(value).toMatch(/[+-]\d\d:\d\d$/);
    }
    expect(xml).not.toMatch(/\d\dZ</);
    expect(texts(xml, 'effective')).toEqual(Array(3).fill('2026-11-28T17:00:00+01:00'));
    expect(texts(xml, 'expires')).toEqual(Array(3).fill('2026-11-28T23:00:00+01:00'));

    const fr = info(xml, 'fr-MA');
    expect(texts(fr, 'category')).toEqual(['Rescue']);
    expect(texts(fr, 'event')).toEqual(["Disparition d'enfant"]);
    expect(texts(fr, 'responseType')).toEqual(['Monitor']);
    expect(texts(fr, 'urgency')).toEqual(['Immediate']);
    expect(texts(fr, 'severity')).toEqual(['Severe']);
    expect(texts(fr, 'certainty')).toEqual(['Observed']);
    expect(texts(fr, 'value')).toEqual(['MEP']);
    expect(texts(fr, 'headline')).toEqual(['Enfant disparu : Yassine, 7 ans']);
    expect(texts(fr, 'web')).toEqual([`${BASE}/alerts/${alert._id}.cap`]);
    expect(texts(fr, 'contact')).toEqual(['19']);
    expect(texts(fr, 'instruction')[0]).toContain('19');
    // The place last seen is published to about 1 km, not to the family's door.
    expect(texts(fr, 'circle')).toEqual(['33.57,-7.59 20']);
    expect(texts(fr, 'areaDesc')).toEqual([
      'Dans un rayon de 20 km autour de : Derb Sultan, près du marché, Casablanca',
    ]);
    expect(texts(fr, 'mimeType')).toEqual(['image/jpeg']);
    expect(texts(fr, 'size')).toEqual(['48213']);
    expect(texts(fr, 'uri')).toEqual([`${BASE}/alerts/${alert._id}/photo`]);
    expect(texts(fr, 'resourceDesc')).toEqual(["Photo de l'enfant"]);

    const ary = info(xml, 'ary-MA');
    expect(texts(ary, 'headline')).toEqual(['دري تلف: Yassine، 7 سنين']);
    expect(texts(ary, 'instruction')[0]).toContain('ماتتدخلش');
    expect(texts(info(xml, 'ar-MA'), 'headline')).toEqual(['طفل مفقود: Yassine، 7 سنوات']);
  });

  it('takes each description from the officer-edited texts of its language', () => {
    const alert = sampleAlert(2);
    const xml = latest(alert);
    expect(texts(info(xml, 'ar-MA'), 'description')).toEqual([alert.texts.ar]);
    expect(texts(info(xml, 'fr-MA'), 'description')).toEqual([alert.texts.fr]);
    expect(texts(info(xml, 'ary-MA'), 'description')).toEqual([alert.texts.ary]);
  });

  it('makes an Update reference the Alert and announce the wider stage', () => {
    const alert = sampleAlert(2);
    const xml = latest(alert, { photo: PHOTO });
    expect(texts(xml, 'msgType')).toEqual(['Update']);
    expect(texts(xml, 'sent')).toEqual(['2026-11-28T19:00:00+01:00']);
    expect(texts(xml, 'references')).toEqual([
      `${SENDER},${alert._id}-1,2026-11-28T17:00:00+01:00`,
    ]);
    expect(texts(xml, 'circle')).toEqual(Array(3).fill('33.57,-7.59 80'));
    expect(texts(xml, 'uri')).toHaveLength(3);
  });

  it('makes a Cancel reference the whole chain, say the alert ended, and drop the photo', () => {
    const alert = sampleAlert(3);
    const xml = latest(alert, { photo: PHOTO });
    expect(texts(xml, 'msgType')).toEqual(['Cancel']);
    expect(texts(xml, 'references')).toEqual([
      `${SENDER},${alert._id}-1,2026-11-28T17:00:00+01:00 ${SENDER},${alert._id}-2,2026-11-28T19:00:00+01:00`,
    ]);
    expect(texts(xml, 'responseType')).toEqual(Array(3).fill('AllClear'));
    expect(texts(xml, 'urgency')).toEqual(Array(3).fill('Past'));
    expect(texts(xml, 'expires')).toEqual(Array(3).fill('2026-11-28T20:00:00+01:00'));
    expect(xml).not.toContain('<resource>');
    expect(xml).not.toContain('/photo');
    const fr = info(xml, 'fr-MA');
    expect(texts(fr, 'headline')).toEqual(["Fin de l'alerte pour Yassine"]);
    expect(texts(fr, 'description')[0]).toContain('terminée');
    // The alert text asked people to look for the child; it must not survive the end.
    expect(xml).not.toContain(alert.texts.fr);
    // Nor where the child was last seen.
    expect(xml).not.toContain('Derb Sultan');
  });

  it('thanks people when the child was found', () => {
    const alert = sampleAlert(3, { endReason: 'resolved' });
    const xml = latest(alert, { photo: PHOTO });
    expect(texts(info(xml, 'fr-MA'), 'headline')).toEqual(['Yassine a été retrouvé — merci']);
    expect(texts(info(xml, 'fr-MA'), 'description')[0]).toContain('retrouvé');
    expect(texts(info(xml, 'ary-MA'), 'headline')).toEqual(['Yassine تلقى — شكرا بزاف']);
    expect(xml).not.toContain('<resource>');
  });

  it('marks a suspected abduction Likely with the SAME CAE code', () => {
    const alert = sampleAlert(1, { abductionSuspected: true });
    const xml = latest(alert);
    expect(texts(xml, 'certainty')).toEqual(Array(3).fill('Likely'));
    expect(texts(xml, 'valueName')).toEqual(Array(3).fill('SAME'));
    expect(texts(xml, 'value')).toEqual(Array(3).fill('CAE'));
    expect(texts(info(xml, 'fr-MA'), 'event')).toEqual(["Enlèvement d'enfant"]);
    expect(texts(info(xml, 'fr-MA'), 'headline')).toEqual(['Alerte enlèvement : Yassine, 7 ans']);
    // Without the suspicion, the CAE code must not appear.
    expect(latest(sampleAlert(1))).not.toContain('CAE');
  });

  it('omits the photo resource when the photo is unknown or the alert has none', () => {
    expect(latest(sampleAlert(1))).not.toContain('<resource>');
    expect(latest(sampleAlert(1, { photoId: null }), { photo: PHOTO })).not.toContain('<resource>');
  });

  it('escapes names and texts that look like markup, and stays valid', async () => {
    const hostile = 'Lina <b>&"\'';
    const alert = sampleAlert(1, {
      _id: 'alert&<1>',
      content: { ...yassineContent(), firstName: hostile, sex: 'girl' },
      texts: {
        ar: 'لينا </description><script>alert(1)</script>',
        fr: 'Lina ]]> <![CDATA[ x ]]> & {{name}} $t(cap:resource.photo) \u0007bell',
        ary: 'لينا \'quote\' "double" <i>',
      },
    });
    const xml = latest(alert, { photo: PHOTO });
    const check = await validateCap(xml);
    expect(check.errors).toEqual([]);

    expect(xml).not.toContain('<b>');
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('<i>');
    expect(xml).not.toContain('\u0007');
    expect(xml).toContain('Lina &lt;b&gt;&amp;&quot;&apos;');
    const fr = info(xml, 'fr-MA');
    expect(texts(fr, 'headline')).toEqual([`Enfant disparue : ${hostile}, 7 ans`]);
    // Interpolation markers in a value are not expanded by the translator.
    expect(texts(fr, 'description')).toEqual([
      'Lina ]]> <![CDATA[ x ]]> & {{name}} $t(cap:resource.photo) bell',
    ]);
    expect(texts(fr, 'web')).toEqual([`${BASE}/alerts/alert%26%3C1%3E.cap`]);
  });

  it('publishes only the public projection: nothing else about the case reaches the XML', () => {
    // A case as the family reported it, with what must never be public.
    const reported = {
      child: {
        fullName: 'Yassine Benkirane',
        sex: 'boy' as const,
        age: { years: 7 },
        photoId: 'photo-yassine',
        heightCm: 120,
        build: null,
        hair: null,
        marks: null,
        clothing: 'survêtement bleu',
        hobbies: 'football au stade Père Jégo',
        health: 'asthme, ventoline',
      },
      lastSeen: {
        at: '2026-11-28T14:30:00Z',
        place: { kind: 'description' as const, text: 'Derb Sultan' },
        city: 'Casablanca',
      },
      problems: 'dispute avec son beau-père',
      reporterPhone: '+212612345678',
    };
    const alert = sampleAlert(1, { content: publicProjection(reported) });
    const xml = latest(alert, { photo: PHOTO });
    for (const secret of ['Benkirane', 'football', 'Jégo', 'asthme', 'beau-père', '612345678']) {
      expect(xml).not.toContain(secret);
    }
    expect(xml).toContain('Yassine');
  });

  it('refuses a record that is not part of the alert chain', () => {
    const alert = sampleAlert(1);
    expect(() =>
      capMessage(
        alert,
        { identifier: 'elsewhere', msgType: 'Update', sent: APPROVED_AT.toISOString(), stage: 0 },
        options(),
      ),
    ).toThrow(/chain/);
  });
});

describe('validateCap', () => {
  it('rejects a message whose time is written with Z', async () => {
    const xml = latest(sampleAlert(1)).replace(
      '<sent>2026-11-28T17:00:00+01:00</sent>',
      '<sent>2026-11-28T16:00:00Z</sent>',
    );
    expect(xml).toContain('16:00:00Z');
    const check = await validateCap(xml);
    expect(check.valid).toBe(false);
    expect(check.errors.join('\n')).toMatch(/sent/);
  });

  it('rejects an unknown msgType and a message that is not XML', async () => {
    const bogus = latest(sampleAlert(1)).replace(
      '<msgType>Alert</msgType>',
      '<msgType>Panic</msgType>',
    );
    expect((await validateCap(bogus)).valid).toBe(false);
    expect((await validateCap('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">')).valid).toBe(
      false,
    );
  });
});

describe('capDateTime', () => {
  it('writes Casablanca time with its offset, and -00:00 when the offset is zero', () => {
    expect(capDateTime('2026-11-28T16:00:00.789Z')).toBe('2026-11-28T17:00:00+01:00');
    expect(capDateTime(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01T00:30:00+01:00');
    // Morocco returns to UTC during Ramadan (2026: mid-February to late March).
    expect(capDateTime('2026-03-01T12:00:00Z')).toBe('2026-03-01T12:00:00-00:00');
    expect(capDateTime('2026-11-28T16:00:00Z', 'Asia/Kolkata')).toBe('2026-11-28T21:30:00+05:30');
  });
});

describe('ageText', () => {
  it('uses the right plural forms', () => {
    expect(ageText(translator, 'fr', { years: 1 })).toBe('1 an');
    expect(ageText(translator, 'fr', { years: 7 })).toBe('7 ans');
    expect(ageText(translator, 'ar', { years: 1 })).toBe('سنة واحدة');
    expect(ageText(translator, 'ar', { years: 2 })).toBe('سنتان');
    expect(ageText(translator, 'ar', { years: 12 })).toBe('12 سنة');
    expect(ageText(translator, 'ary', { years: 2 })).toBe('عامين');
    expect(ageText(translator, 'fr', { years: 0, months: 5 })).toBe('5 mois');
    expect(ageText(translator, 'fr', { years: 2, months: 6 })).toBe('2 ans et 6 mois');
    expect(ageText(translator, 'ary', { years: 0 })).toBe('قل من عام');
  });
});
