import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sighting } from '../../src/core/sighting.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The sighting repository on the real database: one sighting per draft id,
 * the case linked from the alert, the distance from the place last seen, and
 * a flooding number flagged, then no longer stored.
 */
let h: TestApp;
const CASE_ID = 'case-sighting-repo';
const ALERT_ID = 'alert-sighting-repo';

beforeAll(async () => {
  h = await createTestApp();
  // Only the fields the repository reads: the alert's case and region, the case's last place.
  await h.connection
    .collection<{ _id: string }>('alerts')
    .insertOne({ _id: ALERT_ID, caseId: CASE_ID, region: 'fes-meknes', centre: null } as never);
  await h.connection.collection<{ _id: string }>('cases').insertOne({
    _id: CASE_ID,
    lastSeen: { place: { kind: 'description', text: 'Bab Boujloud' }, city: 'Fès' },
  } as never);
});
afterAll(async () => {
  await h.app.poster.close();
  await h.close();
});

const sighting = (
  id: string,
  address: string,
  at: Date,
): Omit<Sighting, 'flagged' | 'distanceKm' | 'caseId'> => ({
  _id: id,
  alertId: ALERT_ID,
  channel: 'dev',
  address,
  language: 'fr',
  seenAt: at,
  place: { kind: 'description', text: 'à la gare de Meknès' },
  description: 'un garçon en rouge',
  photoId: null,
  mayCallBack: false,
  createdAt: at,
});

describe('MongoSightingRepository', () => {
  it('links the case, measures from the city last seen to the city named, stores once', async () => {
    const at = h.clock.now();
    const first = await h.app.sightings.add(sighting('s-1', '+212611200001', at));
    expect(first).toMatchObject({ created: true, throttled: false, region: 'fes-meknes' });
    expect(first.sighting.caseId).toBe(CASE_ID);
    // Fès to Meknès, about 50 km.
    expect(first.sighting.distanceKm).toBeGreaterThan(45);
    expect(first.sighting.distanceKm).toBeLessThan(60);
    const again = await h.app.sightings.add(sighting('s-1', '+212611200001', at));
    expect(again.created).toBe(false);
    expect(await h.connection.collection('sightings').countDocuments({ _id: 's-1' } as never)).toBe(
      1,
    );
  });

  it('flags from the fourth within the hour and stores none after the sixth', async () => {
    const address = '+212611200002';
    const start = h.clock.now().getTime();
    const results = [];
    for (let i = 0; i < 8; i++) {
      const at = new Date(start + i * 60_000);
      results.push(await h.app.sightings.add(sighting(`flood-${i}`, address, at)));
    }
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
    expect(await h.app.sightings.countSince('dev', address, new Date(start - 1))).toBe(6);
    // More than an hour after the first ones, the number is heard again, unflagged.
    const later = new Date(start + 2 * 3_600_000);
    const fresh = await h.app.sightings.add(sighting('flood-later', address, later));
    expect(fresh).toMatchObject({ created: true, throttled: false });
    expect(fresh.sighting.flagged).toBe(false);
  });
});
