import type { Activity } from 'botbuilder-core';
import { expect } from 'vitest';
import type { CloudChannelOptions } from '../../src/adapters/channels/cloud/cloudChannel.js';
import {
  cloudStatusOf,
  FakeGraph,
  type FakeGraphOptions,
} from '../../src/adapters/channels/cloud/fake/fakeGraph.js';
import { messageActivity } from '../../src/adapters/channels/messageActivity.js';
import { encodeGeohash, geohashCentre } from '../../src/core/place/geohash.js';
import type { Subscription } from '../../src/core/subscription.js';
import { api, caseIdOf, claimAndConfirm, type Session, signIn } from './officerSession.js';
import { type ReportOptions, submitReport } from './report.js';
import { createTestApp, type TestApp } from './testApp.js';

/** The Cloud channel's settings pointed at a fake Graph API. */
export function cloudOptionsFor(
  fake: FakeGraph,
  more: Partial<CloudChannelOptions> = {},
): CloudChannelOptions {
  return {
    phoneNumberId: fake.phoneNumberId,
    accessToken: fake.accessToken,
    appSecret: 'app-secret-of-the-test-app',
    verifyToken: 'verify-token-of-the-test',
    graphUrl: fake.url,
    graphVersion: 'v25.0',
    throughput: 80,
    templates: {
      names: { alert: 'tifli_alert', widening: 'tifli_widening', closing: 'tifli_closing' },
      languages: { ar: 'ar', fr: 'fr', ary: 'ar_MA' },
    },
    unconfirmedGraceMs: 60_000,
    ...more,
  };
}

/** Statuses the channel could not take (a test may assert there are none). */
export const statusErrors: unknown[] = [];

/** Short retries, so tests of back-off take milliseconds. */
export const QUICK_RETRY = { baseMs: 20, maxMs: 200, maxAttempts: 4 };

/** The real app on a fresh database, its WhatsApp channel the Cloud API on a fake Graph API. */
export async function cloudTestApp(
  options: { fake?: FakeGraphOptions; cloud?: Partial<CloudChannelOptions>; now?: Date } = {},
): Promise<{ h: TestApp; fake: FakeGraph }> {
  const now = options.now ?? new Date('2026-11-28T16:00:00Z');
  const clockRef: { h?: TestApp } = {};
  const fake = await FakeGraph.start({
    clock: () => clockRef.h?.clock.now() ?? now,
    // Meta's webhook, played by hand: each status reaches the channel as the webhook would pass it on.
    onStatus: (status) => {
      void clockRef.h?.app.cloud?.noteStatus(cloudStatusOf(status)).catch((error: unknown) => {
        statusErrors.push(error);
      });
    },
    ...options.fake,
  });
  const h = await createTestApp({
    now,
    deps: {
      whatsappCloud: cloudOptionsFor(fake, options.cloud),
      broadcastRetry: QUICK_RETRY,
      alertSendRate: 200,
    },
  });
  clockRef.h = h;
  return { h, fake };
}

/** A message from a person on WhatsApp, as the webhook hands it to the channel. */
export function inboundActivity(
  from: string,
  text: string,
  at: Date,
  id: string,
): Partial<Activity> {
  return messageActivity({ channelId: 'whatsapp', from, messageId: id, text, timestamp: at });
}

/** Subscribers on WhatsApp around central Casablanca (inside the first circle). */
export async function subscribeOnWhatsApp(
  h: TestApp,
  addresses: readonly string[],
  language: 'ar' | 'fr' | 'ary' = 'fr',
): Promise<void> {
  const now = h.clock.now();
  const subscriptions: Subscription[] = addresses.map((address, i) => {
    const geohash = encodeGeohash(
      33.5731 + (i % 10) * 0.002,
      -7.5898 + Math.floor(i / 10) * 0.002,
      5,
    );
    return {
      _id: `whatsapp:${address}`,
      channel: 'whatsapp',
      address,
      language,
      area: { kind: 'cell', geohash, centre: geohashCentre(geohash) },
      status: 'active',
      consentAt: now,
      createdAt: now,
      updatedAt: now,
      stoppedAt: null,
    };
  });
  await h.connection.collection<Subscription>('subscriptions').insertMany(subscriptions);
  await h.app.reindexSubscribers();
}

/** A confirmed case and its proposed alert; returns the ids and the supervisor who may approve. */
export async function proposedAlert(
  h: TestApp,
  report: ReportOptions = {},
): Promise<{ alertId: string; caseId: string; supervisor: Session; officer: Session }> {
  const officer = await signIn(h.app, 'a.benali', 'officer', 'casablanca-settat');
  const supervisor = await signIn(h.app, 's.alaoui', 'supervisor', 'casablanca-settat');
  const reference = await submitReport(h.app, '+212600000401', {
    pin: { latitude: 33.5731, longitude: -7.5898 },
    ...report,
  });
  const caseId = await caseIdOf(h.app, reference);
  await claimAndConfirm(h.app, officer, caseId);
  const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
  expect(proposed.statusCode, proposed.body).toBe(201);
  return {
    alertId: proposed.json<{ alert: { id: string } }>().alert.id,
    caseId,
    supervisor,
    officer,
  };
}

/** Approves the alert; the outbox is filled, nothing is sent until the scheduler runs. */
export async function approve(h: TestApp, supervisor: Session, alertId: string): Promise<void> {
  const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
  expect(approved.statusCode, approved.body).toBe(200);
}
