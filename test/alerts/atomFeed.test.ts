import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import { atomFeed } from '../../src/adapters/render/atomFeed.js';
import { APPROVED_AT, sampleAlert, yassineContent } from '../fixtures/cap/sampleAlerts.js';
import { checkWellFormed } from '../support/capSchema.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const translator = loadTranslator(join(root, 'locales'));
const BASE = 'http://localhost:3000';
/** An hour after approval: the sample alerts run until six hours after it. */
const NOW = new Date(APPROVED_AT.getTime() + 3_600_000);

const unescapeXml = (text: string): string =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function entries(xml: string): string[] {
  return [...xml.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => m[1] ?? '');
}

function text(xml: string, name: string): string | undefined {
  const match = xml.match(new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`));
  return match?.[1] === undefined ? undefined : unescapeXml(match[1]);
}

function alternates(xml: string): string[] {
  return [
    ...xml.matchAll(/<link rel="alternate" type="application\/cap\+xml" href="([^"]*)"\/>/g),
  ].map((m) => unescapeXml(m[1] ?? ''));
}

const yassine = sampleAlert(2);
const lina = sampleAlert(1, {
  _id: 'alert-lina',
  approvedAt: new Date(APPROVED_AT.getTime() + 10 * 60_000),
  content: {
    ...yassineContent(),
    firstName: 'Lina <b>&"\'',
    sex: 'girl',
    clothing: 'robe <rouge>',
  },
});
const cancelled = sampleAlert(3, { _id: 'alert-cancelled' });
const proposed = sampleAlert(1, {
  _id: 'alert-proposed',
  state: 'proposed',
  approvedAt: null,
  approvedBy: null,
  expiresAt: null,
  cap: [],
});
const lapsed = sampleAlert(1, {
  _id: 'alert-lapsed',
  expiresAt: new Date(NOW.getTime() - 60_000),
});

describe('atomFeed', () => {
  const xml = atomFeed([yassine, cancelled, lina, proposed, lapsed], {
    baseUrl: `${BASE}/`,
    translator,
    updated: NOW,
  });

  it('is well-formed Atom with an id, a title, an offset time and a self link', async () => {
    const check = await checkWellFormed(xml);
    expect(check.errors).toEqual([]);
    expect(check.valid).toBe(true);
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(text(xml, 'id')).toBe(`${BASE}/alerts/feed.xml`);
    expect(text(xml, 'updated')).toBe('2026-11-28T18:00:00+01:00');
    expect(xml).toContain(
      `<link rel="self" type="application/atom+xml" href="${BASE}/alerts/feed.xml"/>`,
    );
    expect(text(xml, 'title')).toContain('Tifli');
  });

  it('has one entry per active alert, newest first, each linking its CAP document', () => {
    expect(entries(xml)).toHaveLength(2);
    expect(alternates(xml)).toEqual([
      `${BASE}/alerts/alert-lina.cap`,
      `${BASE}/alerts/${yassine._id}.cap`,
    ]);
    for (const gone of ['alert-cancelled', 'alert-proposed', 'alert-lapsed']) {
      expect(xml).not.toContain(gone);
    }
  });

  it('identifies, dates and titles each entry in French and Arabic', () => {
    const [linaEntry, yassineEntry] = entries(xml);
    expect(text(yassineEntry ?? '', 'id')).toBe(`urn:uuid:${yassine._id}`);
    expect(text(linaEntry ?? '', 'id')).toBe(`${BASE}/alerts/alert-lina.cap`);
    // The entry changes when the alert widens: its time is the latest CAP message's.
    expect(text(yassineEntry ?? '', 'updated')).toBe('2026-11-28T19:00:00+01:00');
    expect(text(yassineEntry ?? '', 'published')).toBe('2026-11-28T17:00:00+01:00');
    expect(text(yassineEntry ?? '', 'title')).toBe(
      'Enfant disparu : Yassine, 7 ans · طفل مفقود: Yassine، 7 سنوات',
    );
    expect(text(linaEntry ?? '', 'title')).toContain('Enfant disparue : Lina <b>&"\', 7 ans');
  });

  it('summarises from the public projection and escapes it', () => {
    const [linaEntry, yassineEntry] = entries(xml);
    const summary = text(yassineEntry ?? '', 'summary') ?? '';
    expect(summary).toContain('Yassine, garçon, 7 ans');
    expect(summary).toContain('Taille : 120 cm');
    expect(summary).toContain('Vêtements : survêtement bleu, baskets blanches');
    expect(summary).toContain('Vu pour la dernière fois le 28/11/2026 15:30');
    expect(summary).toContain('Derb Sultan, près du marché, Casablanca');
    expect(summary).toContain('شوهد آخر مرة');
    expect(summary).not.toContain('Benkirane');
    expect(linaEntry).not.toContain('<b>');
    expect(linaEntry).not.toContain('<rouge>');
    expect(text(linaEntry ?? '', 'summary')).toContain('Vêtements : robe <rouge>');
  });

  it('is an empty but valid feed when nothing is active', async () => {
    const empty = atomFeed([cancelled], { baseUrl: BASE, translator, updated: NOW });
    expect(entries(empty)).toEqual([]);
    expect((await checkWellFormed(empty)).valid).toBe(true);
  });
});

describe('checkWellFormed', () => {
  it('rejects a document that is not well-formed', async () => {
    const check = await checkWellFormed('<feed><entry></feed>');
    expect(check.valid).toBe(false);
    expect(check.errors.length).toBeGreaterThan(0);
  });
});
