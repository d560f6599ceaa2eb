import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import { POSTER_SIZE, PosterRenderer } from '../../src/adapters/render/poster.js';
import { type PosterInput, posterHtml } from '../../src/adapters/render/posterHtml.js';
import { publicProjection } from '../../src/core/alert/alert.js';
import type { NewCase } from '../../src/core/case/report.js';
import { AppError } from '../../src/core/errors.js';

/**
 * The alert poster: the HTML it is drawn from (escaping, privacy, time zone)
 * and the PNG that real Chromium draws from it, French and Arabic together.
 * The posters are kept in artifacts/posters/ for a person to look at.
 */

const root = join(import.meta.dirname, '..', '..');
const posters = join(root, 'artifacts', 'posters');
const CHROMIUM = '/usr/bin/chromium';
const translator = loadTranslator(join(root, 'locales'));
const HOSTILE = '<img src=x onerror=alert(1)>';

/** What a family told about the child beyond the public projection: none of it may show. */
const PRIVATE = {
  hobbies: 'PRIVATE-HOBBY le football et les jeux vidéo',
  problems: 'PRIVATE-PROBLEM disputes à la maison',
  places: 'PRIVATE-PLACES chez son cousin à Hay Riad',
  friends: 'PRIVATE-FRIENDS Adam et Rayan',
  health: 'PRIVATE-HEALTH asthme, inhalateur',
  childPhone: '+212611223344',
  reporterName: 'PRIVATE-REPORTER Karima Bennani',
  reporterAddress: '+212600000777',
  circumstances: 'PRIVATE-CIRCUMSTANCES il jouait devant l’immeuble',
  abductionDetails: 'PRIVATE-ABDUCTION une voiture blanche',
};

/** A whole case as stored (an invented child), with every sensitive field filled. */
function fullCase(child: Partial<NewCase['child']> = {}, at = '2026-06-20T23:30:00Z'): NewCase {
  const now = new Date('2026-06-21T01:00:00Z');
  return {
    reference: 'TF-2026-0042',
    draftId: 'draft-poster-1',
    status: 'pending',
    priority: { level: 'critical', score: 100, reasons: ['child'] },
    language: 'fr',
    channel: 'dev',
    reporter: {
      address: PRIVATE.reporterAddress,
      name: PRIVATE.reporterName,
      relationship: 'parent',
    },
    child: {
      fullName: 'Yassine El Amrani',
      sex: 'boy',
      age: { years: 7 },
      photoId: 'photo-1',
      heightCm: 120,
      build: 'mince',
      hair: 'cheveux noirs courts',
      marks: 'petite cicatrice au menton',
      clothing: 't-shirt rouge, jean bleu, baskets blanches',
      phone: PRIVATE.childPhone,
      hobbies: PRIVATE.hobbies,
      problems: PRIVATE.problems,
      places: PRIVATE.places,
      friends: PRIVATE.friends,
      health: PRIVATE.health,
      previousDisappearances: false,
      ...child,
    },
    lastSeen: {
      at: new Date(at),
      place: { kind: 'pin', latitude: 33.5731, longitude: -7.5898, name: 'Place Mohammed V' },
      city: 'Casablanca',
    },
    circumstances: PRIVATE.circumstances,
    abduction: { suspected: 'no', details: PRIVATE.abductionDetails },
    consent: { given: true, at: now, noticeVersion: 1 },
    region: 'casablanca-settat',
    assignedTo: null,
    officialReportNumber: null,
    messages: [],
    notes: [],
    confirmation: null,
    closure: null,
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'pending', at: now, by: 'family' }],
  };
}

/** A minimal PNG encoder (8-bit RGB), so the test photo is a real picture made here. */
function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A child-like picture: a green background, a face and a red t-shirt. */
const PHOTO = encodePng(120, 150, (x, y) => {
  const face = (x - 60) ** 2 + (y - 50) ** 2 < 28 ** 2;
  if (face) return [224, 172, 105];
  if (y > 88 && x > 22 && x < 98) return [200, 16, 46];
  return [46, 160, 90];
});

interface DecodedPng {
  width: number;
  height: number;
  /** RGB of one pixel. */
  at(x: number, y: number): [number, number, number];
}

/** Decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes), to look at pixels. */
function decodePng(png: Buffer): DecodedPng {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const bitDepth = png[24];
  const colorType = png[25];
  expect(bitDepth).toBe(8);
  expect([2, 6]).toContain(colorType);
  const channels = colorType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('ascii');
    if (type === 'IDAT') idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const value = raw[y * (stride + 1) + 1 + i] ?? 0;
      const left = i >= channels ? (pixels[y * stride + i - channels] ?? 0) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + i] ?? 0) : 0;
      const upLeft = y > 0 && i >= channels ? (pixels[(y - 1) * stride + i - channels] ?? 0) : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = Math.floor((left + up) / 2);
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + i] = (value + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    at: (x, y) => {
      const i = y * stride + x * channels;
      return [pixels[i] ?? 0, pixels[i + 1] ?? 0, pixels[i + 2] ?? 0];
    },
  };
}

/**
 * Runs in the poster page (a string, since this project's types have no DOM):
 * widths of a word joined and with its letters kept apart by ZWNJ, inside the
 * Arabic block, and where that block's first label sits.
 */
const MEASURE_IN_PAGE = `(() => {
  const block = document.querySelector('.column[lang="ar"]');
  const french = document.querySelector('.column[lang="fr"]');
  const width = (text) => {
    const span = document.createElement('span');
    span.style.whiteSpace = 'nowrap';
    span.textContent = text;
    block.append(span);
    const result = span.getBoundingClientRect().width;
    span.remove();
    return result;
  };
  const range = document.createRange();
  range.selectNodeContents(block.querySelector('dt'));
  const label = range.getBoundingClientRect();
  const box = block.getBoundingClientRect();
  return {
    joined: width('\u0637\u0641\u0644\u064a'),
    separated: width('\u0637\u200c\u0641\u200c\u0644\u200c\u064a'),
    direction: getComputedStyle(block).direction,
    frenchDirection: getComputedStyle(french).direction,
    labelGapRight: box.right - label.right,
    labelGapLeft: label.left - box.left,
  };
})()`;

const measurementSchema = z.object({
  joined: z.number(),
  separated: z.number(),
  direction: z.string(),
  frenchDirection: z.string(),
  labelGapRight: z.number(),
  labelGapLeft: z.number(),
});

function yassine(overrides: Partial<PosterInput> = {}): PosterInput {
  return {
    content: publicProjection(fullCase()),
    caseReference: 'TF-2026-0042',
    abductionSuspected: false,
    photo: { mimeType: 'image/png', data: PHOTO },
    ...overrides,
  };
}

/** An Arabic-speaking family's report: the name typed in Arabic, a girl, abduction suspected, no photo. */
function salma(): PosterInput {
  return {
    content: publicProjection(
      fullCase(
        {
          fullName: 'سلمى بناني',
          sex: 'girl',
          age: { years: 4, months: 6 },
          photoId: null,
          heightCm: null,
          build: null,
          hair: 'شعر أسود طويل',
          marks: null,
          clothing: 'فستان أزرق وحذاء وردي',
        },
        '2026-03-01T17:45:00Z',
      ),
    ),
    caseReference: 'TF-2026-0043',
    abductionSuspected: true,
    photo: null,
  };
}

describe('posterHtml', () => {
  it('keeps every value from the case as text, and has no script', () => {
    const content = {
      ...publicProjection(fullCase({ clothing: `"><script>alert(2)</script>` })),
      firstName: HOSTILE,
    };
    const html = posterHtml(yassine({ content, caseReference: '<b>ref</b>' }), translator);
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).not.toContain('<b>ref</b>');
    // The one image is the photo, as a data: URL; nothing is fetched.
    expect(html.match(/<img /g)).toHaveLength(1);
    expect(html).toContain(`src="data:image/png;base64,${PHOTO.toString('base64')}"`);
    expect(html).not.toMatch(/(?:src|href)="(?!data:)/);
    expect(html).toContain("default-src 'none'");
  });

  it('shows nothing of the case outside the public projection', () => {
    const html = posterHtml(yassine(), translator);
    for (const secret of Object.values(PRIVATE)) expect(html).not.toContain(secret);
    expect(html).not.toContain('PRIVATE');
    expect(html).not.toContain('El Amrani');
    // What the projection holds is there, in both languages.
    expect(html).toContain('Yassine');
    expect(html).toContain('t-shirt rouge, jean bleu, baskets blanches');
    expect(html).toContain('Place Mohammed V');
    expect(html).toContain('Casablanca');
    expect(html).toContain('Garçon, 7 ans');
    expect(html).toContain('ذكر، العمر: 7 سنوات');
    expect(html).toContain('>19<');
  });

  it('says when in Morocco’s time, and the kind of alert in both languages', () => {
    // 23:30 UTC on 20 June is 00:30 on 21 June in Casablanca (UTC+1).
    const html = posterHtml(yassine(), translator);
    expect(html).toContain('dimanche 21 juin 2026');
    expect(html).toContain('00:30');
    expect(html).not.toContain('23:30');
    expect(html).toContain('Enfant disparu');
    expect(html).toContain('طفل مفقود');
    // During Ramadan Morocco is on UTC+0: 17:45 UTC on 1 March 2026 is 17:45 there.
    const abduction = posterHtml(salma(), translator);
    expect(abduction).toContain('17:45');
    expect(abduction).toContain('Enlèvement d&#39;enfant');
    expect(abduction).toContain('اختطاف طفل');
    expect(abduction).toContain('4 سنوات و6 أشهر');
    expect(abduction).toContain('Vue pour la dernière fois');
    expect(abduction).toContain('Photo non disponible');
  });
});

describe('PosterRenderer (real Chromium)', () => {
  const renderer = new PosterRenderer({ executablePath: CHROMIUM, translator });
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(posters, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await renderer.close();
    await browser?.close();
  });

  it('draws two posters at once as PNGs of the designed size', async () => {
    const [boy, girl] = await Promise.all([renderer.render(yassine()), renderer.render(salma())]);
    writeFileSync(join(posters, 'poster-yassine.png'), boy);
    writeFileSync(join(posters, 'poster-salma.png'), girl);
    for (const png of [boy, girl]) {
      const image = decodePng(png);
      expect({ width: image.width, height: image.height }).toEqual(POSTER_SIZE);
      // The red band across the top, the black call band with the red "19" box.
      expect(image.at(5, 5)).toEqual([193, 18, 31]);
      expect(image.at(5, 1200)).toEqual([17, 17, 17]);
    }
    // Yassine's photo is drawn (its green background and red t-shirt), Salma has none.
    const withPhoto = decodePng(boy);
    const [r, g, b] = withPhoto.at(80, 200);
    expect(g).toBeGreaterThan(r + 60);
    expect(g).toBeGreaterThan(b + 30);
    const without = decodePng(girl);
    expect(without.at(80, 200)).toEqual([238, 238, 238]);
  });

  it('shapes Arabic and lays it out right to left', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { ...POSTER_SIZE } });
    try {
      await page.setContent(posterHtml(yassine(), translator));
      const measured = measurementSchema.parse(await page.evaluate(MEASURE_IN_PAGE));
      // Joined letters take their connected forms, narrower than the isolated
      // forms a ZWNJ forces; without shaping both would be the same width.
      expect(measured.separated).toBeGreaterThan(0);
      expect(measured.joined).toBeLessThan(measured.separated * 0.9);
      expect(measured.direction).toBe('rtl');
      expect(measured.frenchDirection).toBe('ltr');
      expect(measured.labelGapRight).toBeLessThan(2);
      expect(measured.labelGapLeft).toBeGreaterThan(100);

      // The Arabic is drawn with a font that has Arabic (no missing-glyph boxes).
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root: documentNode } = await cdp.send('DOM.getDocument');
      const { nodeId } = await cdp.send('DOM.querySelector', {
        nodeId: documentNode.nodeId,
        selector: '.who[lang="ar"]',
      });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const families = fonts.map((font) => font.familyName);
      expect(families.some((family) => /Noto (Naskh|Sans) Arabic|DejaVu Sans/.test(family))).toBe(
        true,
      );
    } finally {
      await page.close();
    }
  });

  it('tells the operator when Chromium cannot start', async () => {
    const broken = new PosterRenderer({ executablePath: '/nonexistent/chromium', translator });
    const failure = await broken.render(yassine()).then(
      () => null,
      (error: unknown) => error,
    );
    if (!(failure instanceof AppError)) throw new Error(`expected an AppError, got ${failure}`);
    expect(failure.code).toBe('internal');
    expect(failure.message).toContain('/nonexistent/chromium');
    expect(failure.message).toContain('CHROMIUM_PATH');
    await broken.close();
  });
});
