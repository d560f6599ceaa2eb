/**
 * Geohash cells: how a citizen's place is kept coarse (a cell,
 * never the precise point). Precision 5 is a cell of about 4.9 km × 4.9 km.
 */
const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/** The precision subscriptions are stored at (about 5 km). */
export const SUBSCRIPTION_CELL_PRECISION = 5;

/** The geohash of a point, `precision` characters long. */
export function encodeGeohash(lat: number, lon: number, precision: number): string {
  let latRange: [number, number] = [-90, 90];
  let lonRange: [number, number] = [-180, 180];
  let hash = '';
  let bits = 0;
  let value = 0;
  let even = true;
  while (hash.length < precision) {
    const range = even ? lonRange : latRange;
    const coordinate = even ? lon : lat;
    const middle = (range[0] + range[1]) / 2;
    value <<= 1;
    if (coordinate >= middle) {
      value |= 1;
      if (even) lonRange = [middle, lonRange[1]];
      else latRange = [middle, latRange[1]];
    } else if (even) {
      lonRange = [lonRange[0], middle];
    } else {
      latRange = [latRange[0], middle];
    }
    even = !even;
    bits++;
    if (bits === 5) {
      hash += BASE32[value];
      bits = 0;
      value = 0;
    }
  }
  return hash;
}

/** The centre of a cell, which stands for every point inside it. */
export function geohashCentre(hash: string): { lat: number; lon: number } {
  let latRange: [number, number] = [-90, 90];
  let lonRange: [number, number] = [-180, 180];
  let even = true;
  for (const char of hash) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new RangeError(`not a geohash: ${hash}`);
    for (let bit = 4; bit >= 0; bit--) {
      const set = ((value >> bit) & 1) === 1;
      const range = even ? lonRange : latRange;
      const middle = (range[0] + range[1]) / 2;
      const next: [number, number] = set ? [middle, range[1]] : [range[0], middle];
      if (even) lonRange = next;
      else latRange = next;
      even = !even;
    }
  }
  return { lat: (latRange[0] + latRange[1]) / 2, lon: (lonRange[0] + lonRange[1]) / 2 };
}

/** Whether a string is a geohash of the given precision. */
export function isGeohash(value: string, precision: number): boolean {
  return value.length === precision && [...value].every((char) => BASE32.includes(char));
}
