import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GAZETTEER_FILE, loadGazetteer } from '../../src/adapters/files/loadGazetteer.js';
import {
  haversineKm,
  parseGazetteer,
  REGION_IDS,
  type RegionId,
} from '../../src/core/place/gazetteer.js';

const gazetteer = loadGazetteer();
const rawData: unknown = JSON.parse(readFileSync(GAZETTEER_FILE, 'utf8'));

describe('the gazetteer data file', () => {
  it('parses, has a notice, and is loaded once', () => {
    expect(() => parseGazetteer(rawData)).not.toThrow();
    expect(JSON.stringify(rawData)).toContain('"notice"');
    expect(loadGazetteer()).toBe(gazetteer);
  });

  it('has the twelve regions of the 2015 division, each with provinces and cities', () => {
    expect(gazetteer.regions.map((region) => region.id)).toEqual([...REGION_IDS]);
    for (const region of gazetteer.regions) {
      expect(region.ar).toMatch(/\p{Script=Arabic}/u);
      expect(region.fr).toMatch(/[A-Za-z]/);
      expect(region.provinces.length).toBeGreaterThan(0);
      expect(gazetteer.cities.some((city) => city.region === region.id)).toBe(true);
    }
    const provinces = gazetteer.regions.flatMap((region) => region.provinces);
    expect(provinces).toHaveLength(75);
    expect(provinces.filter((province) => province.kind === 'prefecture')).toHaveLength(13);
  });

  it('has unique ids and consistent references', () => {
    const cityIds = gazetteer.cities.map((city) => city.id);
    expect(new Set(cityIds).size).toBe(cityIds.length);
    const provinces = gazetteer.regions.flatMap((region) =>
      region.provinces.map((province) => ({ ...province, region: region.id })),
    );
    expect(new Set(provinces.map((province) => province.id)).size).toBe(provinces.length);
    for (const city of gazetteer.cities) {
      expect(REGION_IDS).toContain(city.region);
      expect(provinces.find((province) => province.id === city.province)?.region).toBe(city.region);
    }
    for (const province of provinces) {
      const seat = gazetteer.cities.find((city) => city.id === province.seat);
      expect(seat?.province, province.id).toBe(province.id);
    }
  });

  it('has at least 80 cities, all inside Morocco', () => {
    expect(gazetteer.cities.length).toBeGreaterThanOrEqual(80);
    for (const place of [...gazetteer.cities, ...gazetteer.regions.flatMap((r) => r.provinces)]) {
      expect(place.lat, place.id).toBeGreaterThanOrEqual(20.7);
      expect(place.lat, place.id).toBeLessThanOrEqual(35.95);
      expect(place.lon, place.id).toBeGreaterThanOrEqual(-17.1);
      expect(place.lon, place.id).toBeLessThanOrEqual(-0.95);
    }
  });

  it('rejects inconsistent data with a message naming the problem', () => {
    const text = JSON.stringify(rawData);
    const withUnknownRegion = JSON.parse(
      text.replace('"region":"oriental"', '"region":"atlantis"'),
    );
    expect(() => parseGazetteer(withUnknownRegion)).toThrow(/region/);
    const withSharedAlias = JSON.parse(text.replace('"aliases":["Wjda"', '"aliases":["Casa"'));
    expect(() => parseGazetteer(withSharedAlias)).toThrow(/"casa" names both oujda and casablanca/);
    const withFarSeat = JSON.parse(
      text.replace('"lat":35.7673,"lon":-5.7998', '"lat":34,"lon":-6'),
    );
    expect(() => parseGazetteer(withFarSeat)).toThrow(/far from the seat tanger/);
    expect(() => parseGazetteer({ notice: 'x', regions: [], cities: [] })).toThrow();
  });
});

describe('regionOf a typed place', () => {
  const places: [text: string, region: RegionId, city: string][] = [
    // French
    ['Derb Sultan, Casablanca', 'casablanca-settat', 'casablanca'],
    ['Hay Riad Rabat', 'rabat-sale-kenitra', 'rabat'],
    ['Médina de Tétouan', 'tanger-tetouan-al-hoceima', 'tetouan'],
    ['Ville nouvelle, Meknès', 'fes-meknes', 'meknes'],
    ['Oujda, quartier Lazaret', 'oriental', 'oujda'],
    ['plage de Mohammédia', 'casablanca-settat', 'mohammedia'],
    ['El Jadida plage', 'casablanca-settat', 'el-jadida'],
    ['Souk El Arbaa du Gharb', 'rabat-sale-kenitra', 'souk-el-arbaa'],
    ['à Laâyoune', 'laayoune-sakia-el-hamra', 'laayoune'],
    ['Ksar El Kébir', 'tanger-tetouan-al-hoceima', 'ksar-el-kebir'],
    ['Sidi Slimane', 'rabat-sale-kenitra', 'sidi-slimane'],
    ['Tan-Tan', 'guelmim-oued-noun', 'tan-tan'],
    ['gare routière de Béni Mellal', 'beni-mellal-khenifra', 'beni-mellal'],
    // Arabic
    ['حي السلام، سلا', 'rabat-sale-kenitra', 'sale'],
    ['مراكش', 'marrakech-safi', 'marrakech'],
    ['العيون', 'laayoune-sakia-el-hamra', 'laayoune'],
    ['الناظور', 'oriental', 'nador'],
    ['خريبكة', 'beni-mellal-khenifra', 'khouribga'],
    ['ورزازات', 'draa-tafilalet', 'ouarzazate'],
    ['أكادير', 'souss-massa', 'agadir'],
    ['كلميم', 'guelmim-oued-noun', 'guelmim'],
    ['الداخلة', 'dakhla-oued-ed-dahab', 'dakhla'],
    ['قرب محطة القطار بالدار البيضاء', 'casablanca-settat', 'casablanca'],
    ['٣ زنقة ١٢، حي النهضة، الرباط', 'rabat-sale-kenitra', 'rabat'],
    ['المدينة الجديدة، فاس', 'fes-meknes', 'fes'],
    ['الحسيمة', 'tanger-tetouan-al-hoceima', 'al-hoceima'],
    // Darija in Arabic script
    ['فكازا', 'casablanca-settat', 'casablanca'],
    ['حدا السوق فالقنيطرة', 'rabat-sale-kenitra', 'kenitra'],
    ['ف طنجة البالية', 'tanger-tetouan-al-hoceima', 'tanger'],
    ['ضاع ليا ولدي فتمارة', 'rabat-sale-kenitra', 'temara'],
    ['ڭلميم', 'guelmim-oued-noun', 'guelmim'],
    // Arabizi and Latin Darija
    ['fes jdid', 'fes-meknes', 'fes'],
    ['tanja', 'tanger-tetouan-al-hoceima', 'tanger'],
    ['agadir', 'souss-massa', 'agadir'],
    ['f casa', 'casablanca-settat', 'casablanca'],
    ['dar lbida', 'casablanca-settat', 'casablanca'],
    ['mraksh jam3 lfna', 'marrakech-safi', 'marrakech'],
    ['sla jdida', 'rabat-sale-kenitra', 'sale'],
    ['tmara', 'rabat-sale-kenitra', 'temara'],
    ['frbat', 'rabat-sale-kenitra', 'rabat'],
    ['l7ocima', 'tanger-tetouan-al-hoceima', 'al-hoceima'],
    ['ksar lkbir', 'tanger-tetouan-al-hoceima', 'ksar-el-kebir'],
    ['wjda', 'oriental', 'oujda'],
    ['mknas', 'fes-meknes', 'meknes'],
    ['asfi', 'marrakech-safi', 'safi'],
    ['f safi', 'marrakech-safi', 'safi'],
    ['errachidia', 'draa-tafilalet', 'errachidia'],
    ['Inzegane souk', 'souss-massa', 'inezgane'],
    ['khribga', 'beni-mellal-khenifra', 'khouribga'],
  ];

  it.each(places)('%s → %s', (text, region, city) => {
    expect(gazetteer.regionOf({ text })).toBe(region);
    expect(gazetteer.findCity(text)?.id).toBe(city);
  });

  it.each([
    "devant l'école",
    'Paris',
    'Madrid, Espagne',
    '',
    'fe',
    'sa',
    'safi merci',
    'chez sa tata',
    'قرب المسجد',
  ])('%j → null', (text) => {
    expect(gazetteer.findCity(text)).toBeNull();
    expect(gazetteer.regionOf({ text })).toBeNull();
  });
});

describe('regionOf a pin', () => {
  it.each([
    [33.5731, -7.5898, 'casablanca-settat'],
    [34.0209, -6.8416, 'rabat-sale-kenitra'],
    [30.4278, -9.5981, 'souss-massa'],
    [35.7595, -5.834, 'tanger-tetouan-al-hoceima'],
    [27.1536, -13.2033, 'laayoune-sakia-el-hamra'],
    [23.7, -15.93, 'dakhla-oued-ed-dahab'],
  ] satisfies [number, number, RegionId][])('%f,%f → %s', (latitude, longitude, region) => {
    expect(gazetteer.regionOf({ latitude, longitude })).toBe(region);
  });

  it('gives no region to a point in the Atlantic 1000 km from the coast', () => {
    const atlantic = { lat: 33.57, lon: -18.3 };
    expect(haversineKm(atlantic, { lat: 33.5731, lon: -7.5898 })).toBeGreaterThan(950);
    expect(gazetteer.regionOf({ latitude: atlantic.lat, longitude: atlantic.lon })).toBeNull();
  });

  it('finds the nearest city and its distance', () => {
    const { city, distanceKm } = gazetteer.nearestCity(34.03, -6.82);
    expect(city.id).toBe('rabat');
    expect(distanceKm).toBeLessThan(3);
  });
});

describe('haversineKm', () => {
  it('measures Rabat–Casablanca at about 87 km', () => {
    const rabat = { lat: 34.0209, lon: -6.8416 };
    const casablanca = { lat: 33.5731, lon: -7.5898 };
    expect(haversineKm(rabat, casablanca)).toBeGreaterThan(82);
    expect(haversineKm(rabat, casablanca)).toBeLessThan(92);
    expect(haversineKm(casablanca, rabat)).toBeCloseTo(haversineKm(rabat, casablanca), 9);
    expect(haversineKm(rabat, rabat)).toBe(0);
  });
});
