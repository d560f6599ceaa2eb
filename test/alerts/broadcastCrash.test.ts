import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGeohash, geohashCentre } from '../../src/core/place/geohash.js';
import type { Subscription } from '../../src/core/subscription.js';
import { api, caseIdOf, claimAndConfirm, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { databaseUri, freePort, startService, waitReady } from '../support/serviceProcess.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The broadcast worker's process is killed (SIGKILL) halfway through 2 000
 * recipients and started again: every recipient gets the alert exactly once.
 * The worker runs in the real service process (`src/main.ts`); the alert is
 * approved through the API by this test's own app on the same database.
 */

const RECIPIENTS = 2000;
let h: TestApp;

const deliveries = () => h.connection.collection<{ _id: string }>('alert_deliveries');
const receipts = () =>
  h.connection.collection<{ _id: string; kind: string; state: string }>('alert_receipts');

const sentCount = () => receipts().countDocuments({ kind: 'alert', state: 'sent' });

async function waitFor(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  // The service process runs on the real clock: the alert must be approved "now".
  h = await createTestApp({ now: new Date() });
  const officer = await signIn(h.app, 'a.benali', 'officer', 'casablanca-settat');
  const supervisor = await signIn(h.app, 's.alaoui', 'supervisor', 'casablanca-settat');
  const reference = await submitReport(h.app, '+212600000401', {
    pin: { latitude: 33.5731, longitude: -7.5898 },
    // The real clock: "this afternoon" may still be to come; yesterday never is.
    lastSeen: 'hier 15h',
  });
  const caseId = await caseIdOf(h.app, reference);
  await claimAndConfirm(h.app, officer, caseId);

  const now = new Date();
  const subscribers: Subscription[] = Array.from({ length: RECIPIENTS }, (_, i) => {
    // Spread over about 10 km around central Casablanca: all inside the first circle.
    const lat = 33.5731 + ((i % 50) - 25) * 0.003;
    const lon = -7.5898 + (Math.floor(i / 50) - 20) * 0.003;
    const geohash = encodeGeohash(lat, lon, 5);
    const address = `+2126200${String(i).padStart(5, '0')}`;
    return {
      _id: `dev:${address}`,
      channel: 'dev',
      address,
      language: (['ar', 'fr', 'ary'] as const)[i % 3] ?? 'ar',
      area: { kind: 'cell', geohash, centre: geohashCentre(geohash) },
      status: 'active',
      consentAt: now,
      createdAt: now,
      updatedAt: now,
      stoppedAt: null,
    };
  });
  await h.connection.collection<Subscription>('subscriptions').insertMany(subscribers);
  await h.app.reindexSubscribers();

  const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
  expect(proposed.statusCode, proposed.body).toBe(201);
  const alertId = proposed.json<{ alert: { id: string } }>().alert.id;
  // This app's worker is never started: approving only fills the outbox.
  const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
  expect(approved.statusCode, approved.body).toBe(200);
  expect(await deliveries().countDocuments({ kind: 'alert' })).toBe(RECIPIENTS);
  expect(await receipts().countDocuments({})).toBe(0);
});
/** Service processes this test started: none may outlive it, whatever fails. */
const started: Array<ReturnType<typeof startService>> = [];
afterAll(async () => {
  for (const service of started) {
    if (service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await once(service.child, 'exit');
    }
  }
  await h.close();
});

describe('the broadcast worker killed mid-way', () => {
  it('resumes after SIGKILL and every recipient gets the alert exactly once', async () => {
    const port = await freePort();
    const env = {
      MONGODB_URI: databaseUri(h.dbName),
      PORT: String(port),
      HOST: '127.0.0.1',
      ALERT_SEND_RATE: '150',
      // The killed worker's broadcast lease is taken over after 5 s; a shorter
      // lease leaves a renewal on a loaded machine no time to send anything.
      ALERT_LEASE_MS: '5000',
      ALERT_TICK_MS: '500',
    };

    const first = startService(env);
    started.push(first);
    await waitReady(port, first);
    await waitFor(
      async () => (await sentCount()) >= RECIPIENTS / 2,
      'half the recipients',
      // A bound for a loaded machine, not a timing claim: at 150/s it takes about 7 s.
      60_000,
    ).catch(async (error: unknown) => {
      first.child.kill('SIGTERM');
      await once(first.child, 'exit');
      throw new Error(`${String(error)}; sent: ${await sentCount()}; service: ${first.output()}`);
    });
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const sentBeforeCrash = await sentCount();
    expect(sentBeforeCrash).toBeGreaterThanOrEqual(RECIPIENTS / 2);
    expect(sentBeforeCrash).toBeLessThan(RECIPIENTS);

    const second = startService(env);
    started.push(second);
    try {
      await waitReady(port, second);
      await waitFor(async () => (await sentCount()) === RECIPIENTS, 'every recipient', 90_000);
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }

    expect(await receipts().countDocuments({ state: { $ne: 'sent' } })).toBe(0);
    const perRecipient = await h.connection
      .collection<{ to: string }>('dev_outbox')
      .aggregate<{ _id: string; count: number }>([
        { $match: { to: { $regex: '^\\+2126200' } } },
        { $group: { _id: '$to', count: { $sum: 1 } } },
      ])
      .toArray();
    expect(perRecipient).toHaveLength(RECIPIENTS);
    expect(perRecipient.filter((row) => row.count !== 1)).toEqual([]);
    // Nothing the process logged names a recipient.
    expect(first.output() + second.output()).not.toMatch(/\+?2126200\d{5}/);
  }, 180_000);
});
