import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { loadGazetteer } from '../../src/adapters/files/loadGazetteer.js';
import { MemorySightingStore } from '../../src/adapters/memory/memorySightingStore.js';
import { MongoSightingReader } from '../../src/adapters/mongo/sightingReader.js';
import { MongoSightingRepository } from '../../src/adapters/mongo/sightingRepository.js';
import type { SightingReader, SightingStore } from '../../src/app/ports/sightings.js';
import type { GeoPoint } from '../../src/core/alert/alert.js';
import type { Place } from '../../src/core/case/report.js';
import type { NewSighting, SightingLink } from '../../src/core/sighting.js';
import { type Backend, describeContract } from './backends.js';

const gazetteer = loadGazetteer(
  join(import.meta.dirname, '..', '..', 'data', 'gazetteer', 'morocco.json'),
);

/** An alert citizens answer, and where its child was last seen. */
interface AlertFixture {
  alertId: string;
  caseId: string;
  region: string;
  lastSeen: { place: Place; city: string | null };
}

/**
 * The stores under test, and how an alert and its case become known to them:
 * documents in `alerts` and `cases` on a database (only the fields the
 * repository reads), the link the alert and case stores would give in memory.
 */
function sightingsFor(backend: Backend): {
  store: SightingStore;
  reader: SightingReader;
  declare: (alert: AlertFixture) => Promise<void>;
} {
  switch (backend.kind) {
    case 'memory': {
      const links = new Map<string, SightingLink>();
      const store = new MemorySightingStore(
        async (alertId) => links.get(alertId) ?? null,
        gazetteer,
      );
      const pointOf = (text: string): GeoPoint | null => {
        const city = gazetteer.findCity(text);
        return city ? { lat: city.lat, lon: city.lon } : null;
      };
      return {
        store,
        reader: store,
        declare: async ({ alertId, caseId, region, lastSeen: { place, city } }) => {
          const lastSeen =
            place.kind === 'pin'
              ? { lat: place.latitude, lon: place.longitude }
              : (pointOf(city ?? '') ?? pointOf(place.text));
          links.set(alertId, { caseId, region, lastSeen });
        },
      };
    }
    case 'embedded':
    case 'mongo': {
      const { connection } = backend;
      return {
        store: new MongoSightingRepository(connection, gazetteer),
        reader: new MongoSightingReader(connection),
        declare: async ({ alertId, caseId, region, lastSeen }) => {
          await connection
            .collection<{ _id: string; caseId: string; region: string; centre: null }>('alerts')
            .insertOne({ _id: alertId, caseId, region, centre: null });
          await connection
            .collection<{ _id: string; lastSeen: AlertFixture['lastSeen'] }>('cases')
            .insertOne({ _id: caseId, lastSeen });
        },
      };
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const START = new Date('2026-11-28T16:00:00Z');
const minutes = (n: number) => new Date(START.getTime() + n * 60_000);
const CASABLANCA: Place = { kind: 'pin', latitude: 33.5731, longitude: -7.5898 };
const RABAT: Place = { kind: 'pin', latitude: 34.0209, longitude: -6.8416 };

let counter = 0;

describeContract('SightingStore and SightingReader', (backend) => {
  let store: SightingStore;
  let reader: SightingReader;
  let declare: (alert: AlertFixture) => Promise<void>;
  let alert: AlertFixture;
  let citizen: string;
  /** A sighting of this test's alert by an invented citizen. */
  let sighting: (id: string, at: Date, place?: Place) => NewSighting;
  beforeEach(async () => {
    const made = sightingsFor(backend());
    ({ store, reader, declare } = made);
    counter += 1;
    const tag = randomUUID().slice(0, 8);
    // The suite shares one database: each test has its own alert, case and citizen.
    alert = {
      alertId: `alert-${tag}`,
      caseId: `case-${tag}`,
      region: 'fes-meknes',
      lastSeen: { place: { kind: 'description', text: 'Bab Boujloud' }, city: 'Fès' },
    };
    await declare(alert);
    citizen = `+21261120${String(counter).padStart(4, '0')}`;
    sighting = (id, at, place = { kind: 'description', text: 'à la gare de Meknès' }) => ({
      _id: `${tag}-${id}`,
      alertId: alert.alertId,
      channel: 'dev',
      address: citizen,
      language: 'fr',
      seenAt: at,
      place,
      description: 'un garçon en t-shirt rouge',
      photoId: null,
      mayCallBack: false,
      createdAt: at,
    });
  });

  it("stores a sighting once per draft id, linked to the alert's case", async () => {
    const first = await store.add(sighting('s-1', minutes(0)));
    expect(first).toMatchObject({ created: true, throttled: false, region: 'fes-meknes' });
    expect(first.sighting).toMatchObject({ caseId: alert.caseId, flagged: false });
    const again = await store.add(sighting('s-1', minutes(1)));
    expect(again).toMatchObject({ created: false, throttled: false });
    expect(again.sighting.createdAt).toEqual(minutes(0));
    expect(await reader.forCase(alert.caseId)).toHaveLength(1);
    expect(await reader.exists(first.sighting._id)).toBe(true);
    expect(await reader.exists(`${first.sighting._id}-other`)).toBe(false);
  });

  it('flags from the fourth within the hour and stores none after the sixth', async () => {
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await store.add(sighting(`flood-${i}`, minutes(i))));
    expect(results.map((r) => r.sighting.flagged)).toEqual([
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(results.map((r) => r.throttled)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(results.map((r) => r.created).filter(Boolean)).toHaveLength(6);
    expect(await store.countSince('dev', citizen, minutes(-1))).toBe(6);
    expect(await store.countSince('dev', citizen, minutes(4))).toBe(2);
    expect(await reader.exists(results[6]?.sighting._id ?? '')).toBe(false);
    // More than an hour after the first ones, the number is heard again, unflagged.
    const later = await store.add(sighting('later', minutes(120)));
    expect(later).toMatchObject({ created: true, throttled: false });
    expect(later.sighting.flagged).toBe(false);
  });

  it('measures from the place last seen, when both places are known', async () => {
    // Fès (the city last seen) to Meknès (named by the citizen): about 50 km.
    const cities = await store.add(sighting('cities', minutes(0)));
    expect(cities.sighting.distanceKm).toBeGreaterThan(45);
    expect(cities.sighting.distanceKm).toBeLessThan(60);
    const unknown = await store.add(
      sighting('nowhere', minutes(1), { kind: 'description', text: 'derrière la boulangerie' }),
    );
    expect(unknown.sighting.distanceKm).toBeNull();
  });

  it('measures from a pin to a pin', async () => {
    const pinned: AlertFixture = {
      ...alert,
      alertId: `${alert.alertId}-pin`,
      caseId: `${alert.caseId}-pin`,
      lastSeen: { place: CASABLANCA, city: null },
    };
    await declare(pinned);
    const seen = await store.add({
      ...sighting('pin', minutes(0), RABAT),
      alertId: pinned.alertId,
    });
    expect(seen.sighting.caseId).toBe(pinned.caseId);
    // Casablanca to Rabat, as the crow flies: about 87 km.
    expect(seen.sighting.distanceKm).toBeGreaterThan(80);
    expect(seen.sighting.distanceKm).toBeLessThan(95);
  });

  it("gives a case's sightings newest first, and only that case's", async () => {
    await store.add(sighting('b', minutes(2)));
    await store.add(sighting('a', minutes(1)));
    await store.add(sighting('c', minutes(3)));
    const listed = await reader.forCase(alert.caseId);
    expect(listed.map((s) => s.createdAt)).toEqual([minutes(3), minutes(2), minutes(1)]);
    expect(listed.every((s) => s.caseId === alert.caseId)).toBe(true);
    expect(listed[0]).toMatchObject({ place: { kind: 'description' }, language: 'fr' });
    expect(await reader.forCase(`${alert.caseId}-none`)).toEqual([]);
  });

  it('refuses a sighting of an alert nobody declared', async () => {
    await expect(
      store.add({ ...sighting('lost', minutes(0)), alertId: 'alert-unknown' }),
    ).rejects.toThrow();
  });
});
