import type { GeoPoint } from '../alert/alert.js';
import { encodeGeohash } from './geohash.js';

/**
 * The cell subscribers are found by, for an alert: a geohash of 4
 * characters, 0.3515625° × 0.17578125°, about 33 km × 20 km in Morocco.
 * A 160 km stage touches about 170 of them and a 20 km one about 6: few
 * enough for one `$in`, small enough that a stage reads little beyond its
 * circle. Cells of 3 characters (156 km) would make a 20 km stage around
 * Casablanca read the whole region; of 5 characters (5 km), a 160 km stage
 * would name some 4 000 cells.
 */
export const SUBSCRIBER_CELL_PRECISION = 4;

/** A touch below `haversineKm`'s 6371.0088 km, so the box errs on the wide side. */
const EARTH_RADIUS_KM = 6371;

/** The cell a subscriber's centre (a cell's or a city's, never a pin) is found in. */
export function subscriberCell(centre: GeoPoint, precision = SUBSCRIBER_CELL_PRECISION): string {
  return encodeGeohash(centre.lat, centre.lon, precision);
}

/**
 * Every cell of `precision` characters a circle may touch: each cell of its
 * bounding box on the sphere, walked cell by cell on the geohash grid, so
 * none is missed. The bounding box is exact (the longitude span widens
 * towards the pole, and a circle around a pole spans every longitude).
 */
export function cellsCovering(
  centre: GeoPoint,
  radiusKm: number,
  precision = SUBSCRIBER_CELL_PRECISION,
): string[] {
  const bits = 5 * precision;
  const lonBits = Math.ceil(bits / 2);
  const latBits = Math.floor(bits / 2);
  const cellLon = 360 / 2 ** lonBits;
  const cellLat = 180 / 2 ** latBits;
  const angle = radiusKm / EARTH_RADIUS_KM;
  const dLat = (angle * 180) / Math.PI;
  const south = Math.max(-90, centre.lat - dLat);
  const north = Math.min(90, centre.lat + dLat);
  const cosine = Math.cos((centre.lat * Math.PI) / 180);
  const everyLongitude = north >= 90 || south <= -90 || Math.sin(angle) >= cosine;
  const dLon = everyLongitude ? 180 : (Math.asin(Math.sin(angle) / cosine) * 180) / Math.PI;

  const rowOf = (lat: number) => Math.min(2 ** latBits - 1, Math.floor((lat + 90) / cellLat));
  const columns = 2 ** lonBits;
  const columnOf = (lon: number) => Math.floor((lon + 180) / cellLon);
  const firstColumn = everyLongitude ? 0 : columnOf(centre.lon - dLon);
  const lastColumn = everyLongitude ? columns - 1 : columnOf(centre.lon + dLon);
  const cells = new Set<string>();
  for (let row = rowOf(south); row <= rowOf(north); row++) {
    const lat = -90 + (row + 0.5) * cellLat;
    for (let column = firstColumn; column <= lastColumn; column++) {
      // Columns past ±180° wrap round to the other side.
      const wrapped = ((column % columns) + columns) % columns;
      cells.add(encodeGeohash(lat, -180 + (wrapped + 0.5) * cellLon, precision));
    }
  }
  return [...cells];
}
