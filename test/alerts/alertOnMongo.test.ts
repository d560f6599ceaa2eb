import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGeohash, geohashCentre } from '../../src/core/place/geohash.js';
import type { Subscription } from '../../src/core/subscription.js';
import { api, caseIdOf, claimAndConfirm, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The alert's broadcast wired with the MongoDB adapters (`database: 'mongo'`)
 * on mongo-java-server: the outbox is one document per entry that carries
 * its state, sent once each, and the closing message reaches those it reached.
 */

const CASABLANCA = { latitude: 33.5731, longitude: -7.5898 };
const FAMILY = '+212600000501';
const NEAR = ['+212611500001', '+212611500002', '+212611500003'];
const FAR = '+212611500009'; // Marrakech

let h: TestApp;
let officer: Session;
let supervisor: Session;
let caseId: string;
let alertId: string;

const outboxEntries = () =>
  h.connection.collection<{ _id: string; kind: string; state: string }>('alert_outbox');

async function inbox(address: string): Promise<string[]> {
  const response = await h.app.http.inject({
    method: 'GET',
    url: `/dev/outbox?to=${encodeURIComponent(address)}`,
  });
  return response.json<{ messages: Array<{ text: string }> }>().messages.map((m) => m.text);
}

beforeAll(async () => {
  h = await createTestApp({ database: 'mongo' });
  officer = await signIn(h.app, 'a.benali', 'officer', 'casablanca-settat');
  supervisor = await signIn(h.app, 's.alaoui', 'supervisor', 'casablanca-settat');
  const reference = await submitReport(h.app, FAMILY, { pin: CASABLANCA });
  caseId = await caseIdOf(h.app, reference);
  await claimAndConfirm(h.app, officer, caseId);
  const now = h.clock.now();
  const at = (address: string, lat: number, lon: number): Subscription => {
    const geohash = encodeGeohash(lat, lon, 5);
    return {
      _id: `dev:${address}`,
      channel: 'dev',
      address,
      language: 'fr',
      area: { kind: 'cell', geohash, centre: geohashCentre(geohash) },
      status: 'active',
      consentAt: now,
      createdAt: now,
      updatedAt: now,
      stoppedAt: null,
    };
  };
  await h.connection
    .collection<Subscription>('subscriptions')
    .insertMany([
      ...NEAR.map((address, i) => at(address, 33.5731 + i * 0.01, -7.5898)),
      at(FAR, 31.6295, -7.9811),
    ]);
  await h.app.reindexSubscribers();
});
afterAll(async () => {
  await h?.close();
});

describe('an alert on the MongoDB adapters', () => {
  it('is approved, and each recipient of the first circle gets it once', async () => {
    const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
    expect(proposed.statusCode, proposed.body).toBe(201);
    alertId = proposed.json<{ alert: { id: string } }>().alert.id;
    const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(await outboxEntries().countDocuments({ alertId, state: 'queued' })).toBe(NEAR.length);

    await h.app.alertScheduler.runOnce();
    for (const address of NEAR) expect(await inbox(address)).toHaveLength(1);
    expect(await inbox(FAR)).toEqual([]);
    expect(await outboxEntries().countDocuments({ alertId, state: 'sent' })).toBe(NEAR.length);
    // The embedded shape is not used here.
    expect(await h.connection.collection('alert_receipts').countDocuments()).toBe(0);
    const view = await api(h.app, officer, 'GET', `/api/alerts/${alertId}`);
    expect(view.json()).toMatchObject({ alert: { progress: { queued: 0, sent: NEAR.length } } });
  });

  it('once cancelled, everyone it reached gets the closing message', async () => {
    const cancelled = await api(h.app, officer, 'POST', `/api/alerts/${alertId}/cancel`, {});
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    await h.app.alertScheduler.runOnce();
    for (const address of NEAR) expect(await inbox(address)).toHaveLength(2);
    expect(await outboxEntries().countDocuments({ alertId, kind: 'closing', state: 'sent' })).toBe(
      NEAR.length,
    );
  });
});
