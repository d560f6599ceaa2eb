import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoSubscriberBoard } from '../../src/adapters/embedded/subscriberBoard.js';
import type { SubscriberPoint } from '../../src/app/ports/subscriptions.js';
import { haversineKm } from '../../src/core/place/gazetteer.js';
import { connectTestDatabase } from '../support/database.js';

/**
 * The board of where subscribers are must find, for any circle, every
 * subscriber inside it: a circle across cell borders, near the edge of its
 * radius, or over the whole country, compared with a plain distance check.
 */

let connection: Awaited<ReturnType<typeof connectTestDatabase>>['connection'];
let board: MongoSubscriberBoard;
const points: SubscriberPoint[] = [];

/** A deterministic spread over Morocco and a little beyond (no randomness between runs). */
function spread(count: number): SubscriberPoint[] {
  return Array.from({ length: count }, (_, i) => {
    const lat = 21 + ((i * 7919) % 1500) / 100;
    const lon = -17 + ((i * 104729) % 1800) / 100;
    const address = `+2126400${String(i).padStart(5, '0')}`;
    return {
      _id: `dev:${address}`,
      channel: 'dev',
      address,
      language: (['ar', 'fr', 'ary'] as const)[i % 3] ?? 'ar',
      centre: { lat, lon },
    };
  });
}

async function inside(centre: { lat: number; lon: number }, radiusKm: number) {
  const found = new Set<string>();
  for await (const point of board.within(centre, radiusKm)) {
    if (haversineKm(centre, point.centre) <= radiusKm) found.add(point._id);
  }
  return found;
}

const bruteForce = (list: SubscriberPoint[], centre: { lat: number; lon: number }, km: number) =>
  new Set(list.filter((p) => haversineKm(centre, p.centre) <= km).map((p) => p._id));

beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
  board = new MongoSubscriberBoard(connection);
  points.push(...spread(400));
  for (const point of points) await board.put(point, null);
}, 60_000);
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

describe('the subscriber board', () => {
  it('finds exactly the subscribers of any circle, across cell borders', async () => {
    const circles: Array<[number, number, number]> = [
      [33.5731, -7.5898, 20],
      [33.5731, -7.5898, 160],
      [34.0209, -6.8416, 80],
      [31.63, -8.0, 300],
      [30.42, -9.6, 5],
      [27.15, -13.2, 500],
      [32, -6, 2000],
    ];
    for (const [lat, lon, km] of circles) {
      expect(await inside({ lat, lon }, km), `${lat},${lon} ${km} km`).toEqual(
        bruteForce(points, { lat, lon }, km),
      );
    }
  });

  it('moves a subscriber who changes area, and forgets one who stops', async () => {
    const [first, second] = points;
    if (!first || !second) throw new Error('no points');
    const moved = { ...first, centre: { lat: 35.7595, lon: -5.834 } };
    await board.put(moved, first.centre);
    expect(await inside(first.centre, 1)).not.toContain(first._id);
    expect(await inside(moved.centre, 1)).toContain(first._id);
    await board.remove(second._id, second.centre);
    expect(await inside(second.centre, 1)).not.toContain(second._id);
  });

  it('is rebuilt from the subscriptions to the same content', async () => {
    const remaining = points.slice(2);
    async function* source() {
      yield* remaining;
    }
    await board.rebuild(source());
    const centre = { lat: 32, lon: -6 };
    expect(await inside(centre, 2000)).toEqual(bruteForce(remaining, centre, 2000));
  });
});
