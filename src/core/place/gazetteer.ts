import { z } from 'zod';
import { AppError } from '../errors.js';
import { normalizeForMatching } from '../nlu/normalize.js';

/** Morocco's twelve regions (2015 division), north to south; stable ids used in stored data. */
export const REGION_IDS = [
  'tanger-tetouan-al-hoceima',
  'oriental',
  'fes-meknes',
  'rabat-sale-kenitra',
  'beni-mellal-khenifra',
  'casablanca-settat',
  'marrakech-safi',
  'draa-tafilalet',
  'souss-massa',
  'guelmim-oued-noun',
  'laayoune-sakia-el-hamra',
  'dakhla-oued-ed-dahab',
] as const;

export type RegionId = (typeof REGION_IDS)[number];

export const regionIdSchema = z.enum(REGION_IDS);

/**
 * A pin farther than this from every known city is not given a region: the
 * gazetteer cannot tell which side of a regional border an empty area is on,
 * and a wrong region would send an alert to the wrong officers.
 */
export const PIN_REGION_RADIUS_KM = 150;

/** Distances between names' seat coordinates and their seat city's (data consistency). */
const SEAT_TOLERANCE_KM = 10;

/** Shorter spellings would match fragments ("fe", "sa") inside ordinary words. */
const MIN_KEY_LENGTH = 3;

const slugSchema = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case ASCII');
const nameSchema = z.string().trim().min(1);
const latitudeSchema = z.number().min(-90).max(90);
const longitudeSchema = z.number().min(-180).max(180);

const provinceSchema = z.strictObject({
  id: slugSchema,
  kind: z.enum(['prefecture', 'province']),
  ar: nameSchema,
  fr: nameSchema,
  /** Id of the city that is the seat (chef-lieu). */
  seat: slugSchema,
  lat: latitudeSchema,
  lon: longitudeSchema,
});

const regionSchema = z.strictObject({
  id: regionIdSchema,
  ar: nameSchema,
  fr: nameSchema,
  provinces: z.array(provinceSchema).min(1),
});

const citySchema = z.strictObject({
  id: slugSchema,
  ar: nameSchema,
  fr: nameSchema,
  /** Other spellings people type: Latin, Arabizi, Arabic variants. */
  aliases: z.array(nameSchema),
  /**
   * Spellings of the city that are also everyday words (Darija "safi", French
   * "tata"): they name the city only when they are the whole answer.
   */
  commonWords: z.array(nameSchema).default([]),
  lat: latitudeSchema,
  lon: longitudeSchema,
  region: regionIdSchema,
  province: slugSchema,
});

/** A prefecture or province, with the approximate coordinates of its seat. */
export type Province = z.infer<typeof provinceSchema>;
export type Region = z.infer<typeof regionSchema>;
export type City = z.infer<typeof citySchema>;

/** Where a place was given: a WhatsApp pin or what the person typed. */
export type PlaceInput = { latitude: number; longitude: number } | { text: string };

export interface Gazetteer {
  regions: Region[];
  cities: City[];
  /**
   * The city named in a free-text place ("Derb Sultan, Casablanca", "حي السلام، سلا",
   * "f casa"), or null. The phrase with the most words wins; between equally long
   * phrases the later one, because addresses end with the city ("المدينة الجديدة، فاس").
   */
  findCity(text: string): City | null;
  nearestCity(lat: number, lon: number): { city: City; distanceKm: number };
  /**
   * A pin: the region of the nearest city within {@link PIN_REGION_RADIUS_KM}.
   * A text: the region of {@link Gazetteer.findCity}. Otherwise null.
   */
  regionOf(place: PlaceInput): RegionId | null;
}

/** Great-circle distance in kilometres (mean Earth radius). */
export function haversineKm(
  a: { lat: number; lon: number },
  b: { lat: number; lon: number },
): number {
  const radians = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = radians(b.lat - a.lat);
  const dLon = radians(b.lon - a.lon);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The form names and messages are compared in: {@link normalizeForMatching},
 * plus the Moroccan and Persian gaf (ڭ ݣ گ), which Moroccans write for the
 * hard g that standard spelling writes with kaf (ڭلميم / كلميم).
 */
function matchKey(text: string): string {
  return normalizeForMatching(text).replace(/[ڭݣگ]/g, 'ك');
}

/** Every spelling of a city, folded, without duplicates. */
function cityKeys(city: City): string[] {
  return [...new Set([city.ar, city.fr, ...city.aliases].map(matchKey))];
}

// Words that may stand before a city that is also an everyday word ("f safi",
// "à Tata", "في طاطا"), already in matchKey form.
const PLACE_PREPOSITIONS = new Set([
  'f',
  'fi',
  'fl',
  'b',
  'l',
  'a',
  'au',
  'en',
  'de',
  'dans',
  'ville',
  'mdina',
  'madina',
  'في',
  'ف',
  'ب',
  'من',
  'ل',
  'الى',
  'مدينه',
]);

/**
 * The ways a word may hide a name. Arabic attaches و ف ب ل ك to the next word
 * ("بالرباط", "فكازا", "وسلا"), and ل before the article drops its alef
 * ("للرباط"); Darija in Latin letters does the same with f, l, b ("frbat",
 * "lcasa"). The word itself comes first.
 */
function wordVariants(word: string): string[] {
  const variants = [word];
  if (/^\p{Script=Arabic}+$/u.test(word)) {
    if (word.startsWith('لل') && word.length > 4) variants.push(`ال${word.slice(2)}`);
    let rest = word;
    for (let stripped = 0; stripped < 2 && /^[وفبلك]/.test(rest) && rest.length > 3; stripped++) {
      rest = rest.slice(1);
      variants.push(rest);
    }
  } else if (/^[fbl][a-z0-9]{4,}$/.test(word)) {
    variants.push(word.slice(1));
  }
  return variants;
}

/** The data file's shape, plus the cross-references a shape cannot express. */
const gazetteerFileSchema = z
  .strictObject({
    notice: nameSchema,
    regions: z.array(regionSchema),
    // A tuple with a rest element so the type says there is a first city.
    cities: z.tuple([citySchema], citySchema),
  })
  .superRefine(({ regions, cities }, ctx) => {
    const problem = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });

    const regionIds = regions.map((region) => region.id);
    if (regionIds.join() !== REGION_IDS.join()) {
      problem(['regions'], `must be the twelve regions in order: ${REGION_IDS.join(', ')}`);
    }

    const provinces = new Map<
      string,
      { province: Province; region: RegionId; path: (string | number)[] }
    >();
    regions.forEach((region, r) => {
      region.provinces.forEach((province, p) => {
        const path = ['regions', r, 'provinces', p];
        if (provinces.has(province.id)) problem(path, `duplicate province id ${province.id}`);
        provinces.set(province.id, { province, region: region.id, path });
      });
    });

    const citiesById = new Map<string, City>();
    const keyOwners = new Map<string, string>();
    cities.forEach((city, c) => {
      if (citiesById.has(city.id)) problem(['cities', c, 'id'], `duplicate city id ${city.id}`);
      citiesById.set(city.id, city);
      const home = provinces.get(city.province);
      if (!home) {
        problem(['cities', c, 'province'], `unknown province ${city.province}`);
      } else if (home.region !== city.region) {
        problem(['cities', c, 'region'], `province ${city.province} is in ${home.region}`);
      }
      const keys = cityKeys(city);
      for (const key of keys) {
        const owner = keyOwners.get(key);
        if (owner && owner !== city.id) {
          problem(['cities', c, 'aliases'], `"${key}" names both ${owner} and ${city.id}`);
        }
        keyOwners.set(key, city.id);
        if (key.length < MIN_KEY_LENGTH) {
          problem(['cities', c, 'aliases'], `"${key}" is too short to recognise safely`);
        }
      }
      for (const word of city.commonWords) {
        if (!keys.includes(matchKey(word))) {
          problem(['cities', c, 'commonWords'], `"${word}" is not one of the city's names`);
        }
      }
    });

    for (const { province, path } of provinces.values()) {
      const seat = citiesById.get(province.seat);
      if (!seat || seat.province !== province.id) {
        problem(path, `seat ${province.seat} is not a city of ${province.id}`);
      } else if (haversineKm(seat, province) > SEAT_TOLERANCE_KM) {
        problem(path, `coordinates are far from the seat ${seat.id}`);
      }
    }
    for (const region of regionIds) {
      if (!cities.some((city) => city.region === region)) {
        problem(['cities'], `region ${region} has no city`);
      }
    }
  });

/**
 * Validates the gazetteer data (shape and internal consistency) and builds the
 * lookups. Throws an {@link AppError} naming every problem.
 */
export function parseGazetteer(data: unknown): Gazetteer {
  const parsed = gazetteerFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new AppError('internal', `gazetteer invalid: ${problems.join('; ')}`);
  }
  const { regions, cities } = parsed.data;

  const phrases = new Map<string, City>();
  const wholeAnswers = new Map<string, City>();
  let longestPhrase = 1;
  for (const city of cities) {
    const common = new Set(city.commonWords.map(matchKey));
    for (const key of cityKeys(city)) {
      if (common.has(key)) {
        wholeAnswers.set(key, city);
      } else {
        phrases.set(key, city);
        longestPhrase = Math.max(longestPhrase, key.split(' ').length);
      }
    }
  }

  function findCity(text: string): City | null {
    const words = matchKey(text)
      .split(' ')
      .filter((word) => word.length > 0);
    let firstPlaceWord = 0;
    while (
      firstPlaceWord < words.length - 1 &&
      PLACE_PREPOSITIONS.has(words[firstPlaceWord] ?? '')
    ) {
      firstPlaceWord++;
    }
    const answer = wholeAnswers.get(words.slice(firstPlaceWord).join(' '));
    if (answer) return answer;

    let best: { city: City; length: number } | null = null;
    for (let start = 0; start < words.length; start++) {
      const here = longestPhraseAt(words, start);
      // `>=`: of two phrases as long, the later wins (the city ends an address).
      if (here && (!best || here.length >= best.length)) best = here;
    }
    return best?.city ?? null;
  }

  /** The longest phrase starting at `start`, the word as written before its variants. */
  function longestPhraseAt(words: string[], start: number): { city: City; length: number } | null {
    let found: { city: City; length: number } | null = null;
    const following = words.slice(start + 1);
    for (const first of wordVariants(words[start] ?? '')) {
      for (let length = Math.min(longestPhrase, words.length - start); length >= 1; length--) {
        const city = phrases.get([first, ...following.slice(0, length - 1)].join(' '));
        if (city) {
          if (!found || length > found.length) found = { city, length };
          break;
        }
      }
    }
    return found;
  }

  function nearestCity(lat: number, lon: number): { city: City; distanceKm: number } {
    const [first, ...others] = cities;
    let nearest = { city: first, distanceKm: haversineKm({ lat, lon }, first) };
    for (const city of others) {
      const distanceKm = haversineKm({ lat, lon }, city);
      if (distanceKm < nearest.distanceKm) nearest = { city, distanceKm };
    }
    return nearest;
  }

  function regionOf(place: PlaceInput): RegionId | null {
    if ('text' in place) return findCity(place.text)?.region ?? null;
    const { city, distanceKm } = nearestCity(place.latitude, place.longitude);
    return distanceKm <= PIN_REGION_RADIUS_KM ? city.region : null;
  }

  return { regions, cities, findCity, nearestCity, regionOf };
}
