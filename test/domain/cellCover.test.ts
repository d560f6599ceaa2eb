import { describe, expect, it } from 'vitest';
import { cellsCovering, subscriberCell } from '../../src/core/place/cellCover.js';
import { haversineKm } from '../../src/core/place/gazetteer.js';

/**
 * The cells a circle touches must include the cell of every point inside
 * it, including points exactly at its radius, across the antimeridian and
 * around a pole; and no more than its bounding box holds.
 */

/** Points on rings at 0 to 100 % of the radius, every 5°, from a destination formula. */
function ring(centre: { lat: number; lon: number }, radiusKm: number) {
  const points: Array<{ lat: number; lon: number }> = [];
  const toRadians = Math.PI / 180;
  const angular = radiusKm / 6371.0088;
  for (const share of [0, 0.5, 0.9, 0.999999]) {
    for (let bearing = 0; bearing < 360; bearing += 5) {
      const lat1 = centre.lat * toRadians;
      const d = angular * share;
      const b = bearing * toRadians;
      const lat2 = Math.asin(
        Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b),
      );
      const lon2 =
        centre.lon * toRadians +
        Math.atan2(
          Math.sin(b) * Math.sin(d) * Math.cos(lat1),
          Math.cos(d) - Math.sin(lat1) * Math.sin(lat2),
        );
      const lon = ((((lon2 / toRadians + 180) % 360) + 360) % 360) - 180;
      points.push({ lat: lat2 / toRadians, lon });
    }
  }
  return points;
}

describe('cellsCovering', () => {
  it('includes the cell of every point inside the circle, at any latitude and across ±180°', () => {
    const circles: Array<[{ lat: number; lon: number }, number]> = [
      [{ lat: 33.5731, lon: -7.5898 }, 20],
      [{ lat: 33.5731, lon: -7.5898 }, 160],
      [{ lat: 27.1536, lon: -13.2033 }, 500],
      [{ lat: 0, lon: 179.9 }, 80],
      [{ lat: -16.5, lon: -179.95 }, 40],
      [{ lat: 89.7, lon: 10 }, 60],
    ];
    for (const [centre, radiusKm] of circles) {
      const cells = new Set(cellsCovering(centre, radiusKm));
      for (const point of ring(centre, radiusKm)) {
        expect(haversineKm(centre, point)).toBeLessThanOrEqual(radiusKm);
        expect(cells, `${JSON.stringify(point)} of ${radiusKm} km`).toContain(
          subscriberCell(point),
        );
      }
    }
  });

  it('names about as many cells as the bounding box holds, not the whole world', () => {
    // 320 km × 320 km at 33.6° N over cells of about 32.6 km × 19.5 km: some 11 × 17.
    const cells = cellsCovering({ lat: 33.5731, lon: -7.5898 }, 160);
    expect(cells.length).toBeGreaterThan(150);
    expect(cells.length).toBeLessThan(260);
    expect(cellsCovering({ lat: 33.5731, lon: -7.5898 }, 1)).toHaveLength(
      new Set(cellsCovering({ lat: 33.5731, lon: -7.5898 }, 1)).size,
    );
  });
});
