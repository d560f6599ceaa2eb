import { describe, expect, it } from 'vitest';
import {
  alertStagesSchema,
  containsPhoneNumber,
  DEFAULT_ALERT_STAGES,
  insideStage,
  type ProjectableCase,
  publicProjection,
  stageAt,
} from '../../src/core/alert/alert.js';
import { haversineKm } from '../../src/core/place/gazetteer.js';
import {
  encodeGeohash,
  geohashCentre,
  isGeohash,
  SUBSCRIPTION_CELL_PRECISION,
} from '../../src/core/place/geohash.js';

describe('alert stages', () => {
  it('accepts the defaults and stages that start at once and widen over time', () => {
    expect(alertStagesSchema.safeParse(DEFAULT_ALERT_STAGES).success).toBe(true);
    expect(alertStagesSchema.safeParse([{ afterMinutes: 0, radiusKm: 5 }]).success).toBe(true);
  });

  it('refuses a late start, a shrinking or simultaneous stage, and empty or unknown shapes', () => {
    const refused = [
      [{ afterMinutes: 10, radiusKm: 20 }],
      [
        { afterMinutes: 0, radiusKm: 80 },
        { afterMinutes: 60, radiusKm: 20 },
      ],
      [
        { afterMinutes: 0, radiusKm: 20 },
        { afterMinutes: 0, radiusKm: 80 },
      ],
      [],
      [{ afterMinutes: 0, radiusKm: 20, extra: true }],
      [{ afterMinutes: 0, radiusKm: 0 }],
    ];
    for (const stages of refused) {
      expect(alertStagesSchema.safeParse(stages).success, JSON.stringify(stages)).toBe(false);
    }
  });

  it('finds the stage in force: -1 before approval, then each one when its time comes', () => {
    const approvedAt = new Date('2025-11-28T15:00:00.000Z');
    const at = (minutes: number) => new Date(approvedAt.getTime() + minutes * 60_000);
    const alert = { stages: [...DEFAULT_ALERT_STAGES], approvedAt };
    expect(stageAt({ ...alert, approvedAt: null }, at(500))).toBe(-1);
    expect(stageAt(alert, at(0))).toBe(0);
    expect(stageAt(alert, at(119))).toBe(0);
    expect(stageAt(alert, at(120))).toBe(1);
    expect(stageAt(alert, at(359))).toBe(1);
    expect(stageAt(alert, at(360))).toBe(2);
    expect(stageAt(alert, at(5000))).toBe(2);
  });

  it('puts a point inside a stage by great-circle distance', () => {
    const casablanca = { lat: 33.5731, lon: -7.5898 };
    const mohammedia = { lat: 33.6866, lon: -7.3829 };
    const rabat = { lat: 34.0209, lon: -6.8416 };
    expect(insideStage(casablanca, { afterMinutes: 0, radiusKm: 30 }, mohammedia)).toBe(true);
    expect(insideStage(casablanca, { afterMinutes: 0, radiusKm: 20 }, rabat)).toBe(false);
    expect(insideStage(casablanca, { afterMinutes: 0, radiusKm: 100 }, rabat)).toBe(true);
  });
});

/** A case as stored holds far more than the projection may read. */
interface StoredCase extends ProjectableCase {
  child: ProjectableCase['child'] & { phone: string; hobbies: string; health: string };
  reporter: { name: string; address: string };
}

describe('publicProjection', () => {
  const source: StoredCase = {
    child: {
      fullName: '  Salma   Bennani El Idrissi ',
      sex: 'girl',
      age: { years: 7 },
      photoId: 'photo-1',
      heightCm: 120,
      build: null,
      hair: 'noirs',
      marks: null,
      clothing: 'robe jaune',
      phone: '0612345678',
      hobbies: 'football',
      health: 'asthme',
    },
    lastSeen: {
      at: new Date('2025-11-28T14:00:00.000Z'),
      place: { kind: 'pin', latitude: 33.58, longitude: -7.6, name: 'Marché Hay Mohammadi' },
      city: 'Casablanca',
    },
    reporter: { name: 'Khadija Alaoui', address: '+212600000001' },
  };

  it('keeps the first name and public facts, and nothing else of the case', () => {
    const projection = publicProjection(source);
    expect(projection).toEqual({
      firstName: 'Salma',
      age: { years: 7 },
      sex: 'girl',
      heightCm: 120,
      build: null,
      hair: 'noirs',
      marks: null,
      clothing: 'robe jaune',
      lastSeen: {
        at: '2025-11-28T14:00:00.000Z',
        place: 'Marché Hay Mohammadi',
        city: 'Casablanca',
      },
      hasPhoto: true,
    });
    const json = JSON.stringify(projection);
    for (const secret of ['Bennani', 'Idrissi', '0612345678', 'football', 'asthme', 'Khadija']) {
      expect(json).not.toContain(secret);
    }
    expect(json).not.toContain('33.58');
  });

  it('cuts a phone number the family wrote into a description out of the public text', () => {
    const projection = publicProjection({
      ...source,
      child: {
        ...source.child,
        clothing: 'robe jaune, appelez le 06 12 34 56 78',
        marks: '٠٦١٢٣٤٥٦٧٨',
      },
    });
    expect(projection.clothing).toBe('robe jaune, appelez le …');
    expect(projection.marks).toBeNull();
    expect(JSON.stringify(projection)).not.toMatch(/\d{2} \d{2} \d{2}/);
  });

  it('describes a pin without a name as no place, and keeps a baby’s months', () => {
    const projection = publicProjection({
      child: { ...source.child, age: { years: 0, months: 8 }, photoId: null },
      lastSeen: {
        at: '2025-11-28T14:00:00Z',
        place: { kind: 'pin', latitude: 33.58, longitude: -7.6 },
        city: null,
      },
    });
    expect(projection.lastSeen.place).toBeNull();
    expect(projection.age).toEqual({ years: 0, months: 8 });
    expect(projection.hasPhoto).toBe(false);
    const described = publicProjection({
      ...source,
      lastSeen: { ...source.lastSeen, place: { kind: 'description', text: 'devant l’école' } },
    });
    expect(described.lastSeen.place).toBe('devant l’école');
  });
});

describe('containsPhoneNumber', () => {
  it('finds Moroccan and international numbers however they are written', () => {
    for (const text of [
      'appelez le 0612345678',
      'appelez le 06 12 34 56 78',
      'tel 06.12.34.56.78',
      'tel 06-12-34-56-78',
      'اتصل ب +212 6 12 34 56 78',
      '00212612345678',
      'اتصل ب ٠٦١٢٣٤٥٦٧٨',
      'عيط ل ۰۶۱۲۳۴۵۶۷۸',
      'fixe 0522 12 34 56',
      'TF-2026-000123 0612345678',
    ]) {
      expect(containsPhoneNumber(text), text).toBe(true);
    }
  });

  it('lets the police numbers, ages, heights and times through', () => {
    for (const text of [
      'Appelez le *19*.',
      'عيّط ل 19 ولا 15',
      'Salma, 7 ans, 120 cm, vue le vendredi 28 novembre vers 15h00.',
      'شوهدت آخر مرة يوم الجمعة 28 نونبر حوالي الساعة 15:00.',
      'Référence : TF-2026-000123',
      'رقم الملف: TF-2026-000123',
    ]) {
      expect(containsPhoneNumber(text), text).toBe(false);
    }
  });
});

describe('geohash cells', () => {
  // Tangier, Casablanca, Marrakech, Laayoune, Dakhla, Figuig.
  const points = [
    { lat: 35.7595, lon: -5.834 },
    { lat: 33.5731, lon: -7.5898 },
    { lat: 31.6295, lon: -7.9811 },
    { lat: 27.1536, lon: -13.2033 },
    { lat: 23.6848, lon: -15.958 },
    { lat: 32.1092, lon: -1.2286 },
  ];

  it('matches the reference encoding', () => {
    // The classic example from geohash.org.
    expect(encodeGeohash(57.64911, 10.40744, 11)).toBe('u4pruydqqvj');
    expect(encodeGeohash(33.5731, -7.5898, 5)).toBe('evfwg');
  });

  it('round-trips Moroccan points: the centre is near and encodes to the same cell', () => {
    for (const point of points) {
      const hash = encodeGeohash(point.lat, point.lon, SUBSCRIPTION_CELL_PRECISION);
      expect(isGeohash(hash, SUBSCRIPTION_CELL_PRECISION)).toBe(true);
      const centre = geohashCentre(hash);
      // A precision-5 cell is about 4.9 km × 4.9 km: no point is farther than its half-diagonal.
      expect(haversineKm(point, centre)).toBeLessThan(3.5);
      expect(encodeGeohash(centre.lat, centre.lon, SUBSCRIPTION_CELL_PRECISION)).toBe(hash);
      expect(hash.startsWith(encodeGeohash(point.lat, point.lon, 3))).toBe(true);
    }
  });

  it('refuses what is not a geohash', () => {
    expect(isGeohash('evfwg', 5)).toBe(true);
    expect(isGeohash('evfw', 5)).toBe(false);
    expect(isGeohash('evfwa', 5)).toBe(false);
    expect(() => geohashCentre('evfwa')).toThrow(RangeError);
  });
});
