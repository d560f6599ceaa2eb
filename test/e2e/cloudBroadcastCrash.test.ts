import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGraph } from '../../src/adapters/channels/cloud/fake/fakeGraph.js';
import { encodeGeohash, geohashCentre } from '../../src/core/place/geohash.js';
import type { Subscription } from '../../src/core/subscription.js';
import { api, caseIdOf, claimAndConfirm, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { databaseUri, freePort, startService, waitReady } from '../support/serviceProcess.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The service, on the Cloud channel (`WHATSAPP=cloud` pointed at a fake
 * Graph API this test runs), is killed (SIGKILL) halfway through a
 * broadcast while Graph is slow to answer (the sends in flight at the kill
 * were never taken), and started again: every recipient has exactly one
 * accepted message at the fake, counted by recipient and by (alert,
 * recipient). The alert is approved through the API by this test's own app
 * on the same database; its worker never runs.
 */

const RECIPIENTS = 600;
let h: TestApp;
let fake: FakeGraph;
let alertId = '';

const addressOf = (i: number) => `+2126300${String(i).padStart(5, '0')}`;

async function waitFor(
  condition: () => Promise<boolean> | boolean,
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

const sentCount = async () => (await h.app.alertOutbox.progress(alertId, false)).sent;

beforeAll(async () => {
  fake = await FakeGraph.start({ throughput: 1000, pair: { intervalMs: 10, burst: 10 } });
  h = await createTestApp({ now: new Date() });
  const officer = await signIn(h.app, 'a.benali', 'officer', 'casablanca-settat');
  const supervisor = await signIn(h.app, 's.alaoui', 'supervisor', 'casablanca-settat');
  const reference = await submitReport(h.app, '+212600000401', {
    pin: { latitude: 33.5731, longitude: -7.5898 },
    lastSeen: 'hier 15h',
  });
  const caseId = await caseIdOf(h.app, reference);
  await claimAndConfirm(h.app, officer, caseId);
  const now = new Date();
  const subscribers: Subscription[] = Array.from({ length: RECIPIENTS }, (_, i) => {
    const geohash = encodeGeohash(
      33.5731 + ((i % 30) - 15) * 0.003,
      -7.5898 + (Math.floor(i / 30) - 10) * 0.003,
      5,
    );
    return {
      _id: `whatsapp:${addressOf(i)}`,
      channel: 'whatsapp',
      address: addressOf(i),
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
  alertId = proposed.json<{ alert: { id: string } }>().alert.id;
  const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
  expect(approved.statusCode, approved.body).toBe(200);
  expect((await h.app.alertOutbox.progress(alertId, false)).queued).toBe(RECIPIENTS);
});

const started: Array<ReturnType<typeof startService>> = [];
afterAll(async () => {
  for (const service of started) {
    if (service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await once(service.child, 'exit');
    }
  }
  await h.close();
  await fake.close();
});

describe('the Cloud broadcast killed mid-way', () => {
  it('resumes after SIGKILL and every recipient has exactly one accepted message', async () => {
    const port = await freePort();
    const env = {
      MONGODB_URI: databaseUri(h.dbName),
      PORT: String(port),
      HOST: '127.0.0.1',
      WHATSAPP: 'cloud',
      WHATSAPP_GRAPH_URL: fake.url,
      WHATSAPP_PHONE_NUMBER_ID: fake.phoneNumberId,
      WHATSAPP_ACCESS_TOKEN: fake.accessToken,
      WHATSAPP_APP_SECRET: 'app-secret-of-the-crash-test',
      WHATSAPP_VERIFY_TOKEN: 'verify-token-of-the-crash-test',
      WHATSAPP_THROUGHPUT: '1000',
      WHATSAPP_UNCONFIRMED_GRACE_S: '3',
      ALERT_SEND_RATE: '150',
      ALERT_LEASE_MS: '5000',
      ALERT_TICK_MS: '500',
    };

    const first = startService(env);
    started.push(first);
    await waitReady(port, first);
    await waitFor(
      () => fake.accepted.length >= RECIPIENTS / 2,
      'half the recipients',
      // A bound for a loaded machine, not a timing claim: at 150/s it takes about 2 s.
      60_000,
    ).catch(async (error: unknown) => {
      first.child.kill('SIGTERM');
      await once(first.child, 'exit');
      throw new Error(`${String(error)}; accepted: ${fake.accepted.length}; ${first.output()}`);
    });
    // Graph stops answering: the sends under way are left without an outcome.
    fake.hold();
    await waitFor(() => fake.waiting > 0, 'a send waiting for Graph', 30_000);
    // Every answer Graph gave before that is recorded (the count holds still a while).
    let last = -1;
    await waitFor(
      async () => {
        const now = await sentCount();
        const still = now === last && now === fake.accepted.length;
        last = now;
        return still;
      },
      'the answered sends recorded',
      30_000,
    );
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    fake.release();
    const acceptedBeforeCrash = fake.accepted.length;
    expect(acceptedBeforeCrash).toBeGreaterThanOrEqual(RECIPIENTS / 2);
    expect(acceptedBeforeCrash).toBeLessThan(RECIPIENTS);

    const second = startService(env);
    started.push(second);
    try {
      await waitReady(port, second);
      await waitFor(async () => (await sentCount()) === RECIPIENTS, 'every recipient', 120_000);
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }

    const byRecipient = fake.countByRecipient();
    expect(byRecipient.size).toBe(RECIPIENTS);
    expect([...byRecipient.values()].filter((count) => count !== 1)).toEqual([]);
    const byKey = fake.countByKey();
    expect(byKey.size).toBe(RECIPIENTS);
    expect([...byKey.keys()].every((key) => key.startsWith(`${alertId}:alert:`))).toBe(true);
    expect([...byKey.values()].filter((count) => count !== 1)).toEqual([]);
    // Nothing the processes logged names a recipient or carries the token.
    const output = first.output() + second.output();
    expect(output).not.toMatch(/\+?2126300\d{5}/);
    expect(output).not.toContain(fake.accessToken);
  }, 240_000);
});
