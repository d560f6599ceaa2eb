import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevAdapter } from '../../src/adapters/channels/devAdapter.js';
import type { Language } from '../../src/core/nlu/language.js';
import { encodeGeohash, geohashCentre } from '../../src/core/place/geohash.js';
import type { Subscription } from '../../src/core/subscription.js';
import { validateCap } from '../support/capSchema.js';
import { say, sentence } from '../support/chat.js';
import { api, caseIdOf, claimAndConfirm, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * An alert's whole life through the officer API and the broadcast worker, on
 * the real app and database: proposal, approval by another supervisor, the
 * first circle, the widening to the next ring only, STOP honoured mid-way,
 * CAP messages, and the end with its closing messages.
 */

let h: TestApp;
let officer: Session;
let supervisor: Session;
let caseId: string;
const FAMILY = '+212600000301';
const CASABLANCA = { latitude: 33.5731, longitude: -7.5898 };

/** Citizens placed around Casablanca (distances from the place last seen). */
const CITIZENS: Array<{ address: string; lat: number; lon: number; language: Language }> = [
  { address: '+212611000001', lat: 33.59, lon: -7.62, language: 'fr' }, // ~3 km
  { address: '+212611000002', lat: 33.53, lon: -7.65, language: 'ary' }, // ~7 km
  { address: '+212611000003', lat: 33.686, lon: -7.383, language: 'ar' }, // Mohammedia ~23 km
  { address: '+212611000004', lat: 34.02, lon: -6.84, language: 'ary' }, // Rabat ~87 km
  { address: '+212611000005', lat: 31.63, lon: -8.0, language: 'fr' }, // Marrakech ~220 km
  { address: '+212611000006', lat: 33.58, lon: -7.6, language: 'fr' }, // ~1 km, sent STOP
];
const [near, nearAry, ring2, rabat, marrakech, stopped] = CITIZENS.map((c) => c.address) as [
  string,
  string,
  string,
  string,
  string,
  string,
];

async function seedSubscribers(): Promise<void> {
  const now = h.clock.now();
  const documents: Subscription[] = CITIZENS.map((citizen) => {
    const geohash = encodeGeohash(citizen.lat, citizen.lon, 5);
    return {
      _id: `dev:${citizen.address}`,
      channel: 'dev',
      address: citizen.address,
      language: citizen.language,
      area: { kind: 'cell', geohash, centre: geohashCentre(geohash) },
      status: citizen.address === stopped ? 'stopped' : 'active',
      consentAt: now,
      createdAt: now,
      updatedAt: now,
      stoppedAt: citizen.address === stopped ? now : null,
    };
  });
  await h.connection.collection<Subscription>('subscriptions').insertMany(documents);
  // Loaded in bulk, not through the bot: the board of where subscribers are is rebuilt.
  await h.app.reindexSubscribers();
}

async function outboxOf(address: string): Promise<string[]> {
  const response = await h.app.http.inject({
    method: 'GET',
    url: `/dev/outbox?to=${encodeURIComponent(address)}`,
  });
  return response.json<{ messages: Array<{ text: string }> }>().messages.map((m) => m.text);
}

async function cap(alertId: string): Promise<string> {
  const response = await h.app.http.inject({ method: 'GET', url: `/alerts/${alertId}.cap` });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/application\/cap\+xml/);
  const validation = await validateCap(response.body);
  expect(validation.errors).toEqual([]);
  expect(validation.valid).toBe(true);
  return response.body;
}

beforeAll(async () => {
  h = await createTestApp();
  officer = await signIn(h.app, 'a.benali', 'officer', 'casablanca-settat');
  supervisor = await signIn(h.app, 's.alaoui', 'supervisor', 'casablanca-settat');
  const reference = await submitReport(h.app, FAMILY, { pin: CASABLANCA, photo: true });
  caseId = await caseIdOf(h.app, reference);
  await claimAndConfirm(h.app, officer, caseId);
  await seedSubscribers();
});
afterAll(async () => {
  await h.app.poster.close();
  await h.close();
});

describe('an alert from proposal to end', () => {
  let alertId: string;

  it('previews the texts from the public projection only, and refuses a phone number', async () => {
    const preview = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts/preview`, {});
    expect(preview.statusCode, preview.body).toBe(200);
    const body = preview.json<{
      texts: Record<Language, string>;
      centre: { lat: number; lon: number };
    }>();
    expect(body.centre).toEqual({ lat: CASABLANCA.latitude, lon: CASABLANCA.longitude });
    for (const text of Object.values(body.texts)) {
      expect(text).toContain('Yassine');
      expect(text).not.toMatch(/football|Bennani|cousin|Karima/);
    }
    const withPhone = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {
      texts: { ...body.texts, fr: `${body.texts.fr} Appelez le 0612345678` },
    });
    expect(withPhone.statusCode).toBe(400);
    expect(withPhone.json()).toEqual({
      error: {
        code: 'bad_request',
        message: sentence(h.app, 'fr', 'alert:errors.phone_in_text'),
        fields: [
          { path: 'texts.fr', problem: sentence(h.app, 'fr', 'alert:errors.phone_in_text') },
        ],
      },
    });
  });

  it('is proposed by an officer and waits: nothing is sent without approval', async () => {
    const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
    expect(proposed.statusCode, proposed.body).toBe(201);
    const alert = proposed.json<{ alert: { id: string; state: string } }>().alert;
    expect(alert.state).toBe('proposed');
    alertId = alert.id;
    const second = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
    expect(second.statusCode).toBe(409);
    await h.app.alertScheduler.runOnce();
    expect(await outboxOf(near)).toEqual([]);
    const unpublished = await h.app.http.inject({ method: 'GET', url: `/alerts/${alertId}.cap` });
    expect(unpublished.statusCode).toBe(404);
  });

  it('cannot be approved by a plain officer', async () => {
    const plain = await api(h.app, officer, 'POST', `/api/alerts/${alertId}/approve`, {});
    expect(plain.statusCode).toBe(404);
  });

  it('once a supervisor approves, reaches exactly the first circle, each in their language', async () => {
    const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json<{ alert: { state: string } }>().alert.state).toBe('active');
    expect((await h.app.cases.get(caseId))?.status).toBe('alert_active');
    await h.app.alertScheduler.runOnce();

    const [nearInbox, nearAryInbox] = [await outboxOf(near), await outboxOf(nearAry)];
    expect(nearInbox).toHaveLength(1);
    expect(nearInbox[0]).toContain(sentence(h.app, 'fr', 'alert:message.footer'));
    expect(nearAryInbox).toHaveLength(1);
    expect(nearAryInbox[0]).toContain(sentence(h.app, 'ary', 'alert:message.footer'));
    for (const outside of [ring2, rabat, marrakech, stopped]) {
      expect(await outboxOf(outside)).toEqual([]);
    }
    const family = (await outboxOf(FAMILY)).join('\n');
    expect(family).toContain(
      sentence(h.app, 'fr', 'alert:family.live', { reference: 'X' }).split('X')[0],
    );
    const xml = await cap(alertId);
    expect(xml).toContain('<msgType>Alert</msgType>');
    expect(xml).toContain('<circle>33.57,-7.59 20</circle>');
    const progress = await api(h.app, officer, 'GET', `/api/alerts/${alertId}`);
    expect(progress.json<{ alert: { progress: { sent: number } } }>().alert.progress.sent).toBe(2);
  });

  it('widens after two hours to the next ring only', async () => {
    h.clock.advance(2 * 3_600_000);
    await h.app.alertScheduler.runOnce();
    expect(await outboxOf(ring2)).toHaveLength(1);
    expect(await outboxOf(near)).toHaveLength(1);
    expect(await outboxOf(rabat)).toEqual([]);
    expect(await outboxOf(marrakech)).toEqual([]);
    const xml = await cap(alertId);
    expect(xml).toContain('<msgType>Update</msgType>');
    expect(xml).toContain('<circle>33.57,-7.59 80</circle>');
    expect(xml).toMatch(/<references>[^<]*tifli-[^<]*-alert,[^<]*<\/references>/);
  });

  it('is extended by a supervisor, and reaches the widest ring after six hours', async () => {
    const byOfficer = await api(h.app, officer, 'POST', `/api/alerts/${alertId}/extend`, {
      hours: 6,
    });
    expect(byOfficer.statusCode).toBe(404);
    const extend = (hours: number) =>
      api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/extend`, { hours });
    const extended = await extend(6);
    expect(extended.statusCode, extended.body).toBe(200);
    expect(extended.json<{ alert: { windowHours: number } }>().alert.windowHours).toBe(12);
    expect((await extend(24)).statusCode).toBe(200);
    // 36 h so far; the hard maximum is 48 h.
    expect((await extend(24)).statusCode).toBe(400);
    h.clock.advance(4 * 3_600_000);
    await h.app.alertScheduler.runOnce();
    expect(await outboxOf(rabat)).toHaveLength(1);
    expect(await outboxOf(ring2)).toHaveLength(1);
    expect(await outboxOf(marrakech)).toEqual([]);
    expect(await outboxOf(stopped)).toEqual([]);
  });

  it('draws the poster for officers only', async () => {
    const anonymous = await h.app.http.inject({
      method: 'GET',
      url: `/api/alerts/${alertId}/poster.png`,
    });
    expect(anonymous.statusCode).toBe(401);
    const poster = await api(h.app, officer, 'GET', `/api/alerts/${alertId}/poster.png`);
    expect(poster.statusCode).toBe(200);
    expect(poster.headers['content-type']).toBe('image/png');
    expect(poster.rawPayload.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('serves the photo and the feed while active', async () => {
    const photo = await h.app.http.inject({ method: 'GET', url: `/alerts/${alertId}/photo` });
    expect(photo.statusCode).toBe(200);
    const feed = await h.app.http.inject({ method: 'GET', url: '/alerts/feed.xml' });
    expect(feed.body).toContain(`/alerts/${alertId}.cap`);
  });

  it('ends when the child is found: every recipient is told, the public content stops', async () => {
    // One recipient sent STOP meanwhile: no closing message for that number either.
    expect((await say(h.app, nearAry, 'STOP')).join('\n')).toContain(
      sentence(h.app, 'fr', 'common:stop.unsubscribed'),
    );
    const resolved = await api(h.app, officer, 'POST', `/api/cases/${caseId}/resolve`, {
      reason: 'found_safe',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    await h.app.alertScheduler.runOnce();
    for (const recipient of [near, ring2, rabat]) {
      const inbox = await outboxOf(recipient);
      expect(inbox).toHaveLength(2);
    }
    expect(await outboxOf(nearAry)).toHaveLength(1);
    expect((await outboxOf(near))[1]).toBe(
      sentence(h.app, 'fr', 'alert:closing.resolved.boy', { firstName: 'Yassine' }),
    );
    expect(await outboxOf(marrakech)).toEqual([]);
    const xml = await cap(alertId);
    expect(xml).toContain('<msgType>Cancel</msgType>');
    expect(xml).not.toContain('<resource>');
    const photo = await h.app.http.inject({ method: 'GET', url: `/alerts/${alertId}/photo` });
    expect(photo.statusCode).toBe(404);
    const feed = await h.app.http.inject({ method: 'GET', url: '/alerts/feed.xml' });
    expect(feed.body).not.toContain(alertId);
    expect((await h.app.cases.get(caseId))?.status).toBe('resolved');
  });
});

describe('an alert a supervisor proposed', () => {
  it('cannot be approved by that supervisor, and once cancelled sends nothing', async () => {
    const reference = await submitReport(h.app, '+212600000302', {
      pin: CASABLANCA,
      childName: 'Salma Alami',
    });
    const otherCase = await caseIdOf(h.app, reference);
    await claimAndConfirm(h.app, supervisor, otherCase);
    const proposed = await api(h.app, supervisor, 'POST', `/api/cases/${otherCase}/alerts`, {});
    expect(proposed.statusCode, proposed.body).toBe(201);
    const id = proposed.json<{ alert: { id: string } }>().alert.id;
    const own = await api(h.app, supervisor, 'POST', `/api/alerts/${id}/approve`, {});
    expect(own.statusCode).toBe(409);
    const cancelled = await api(h.app, officer, 'POST', `/api/alerts/${id}/cancel`, {});
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<{ alert: { state: string; endReason: string } }>().alert).toMatchObject({
      state: 'ended',
      endReason: 'cancelled',
    });
    const late = await signIn(h.app, 'k.tazi', 'supervisor', 'casablanca-settat');
    expect((await api(h.app, late, 'POST', `/api/alerts/${id}/approve`, {})).statusCode).toBe(409);
    await h.app.alertScheduler.runOnce();
    const progress = await api(h.app, officer, 'GET', `/api/alerts/${id}`);
    expect(progress.json<{ alert: { progress: { sent: number } } }>().alert.progress.sent).toBe(0);
    expect((await h.app.cases.get(otherCase))?.status).toBe('confirmed');
  });
});

describe('races an officer cannot see', () => {
  it('two proposals at once: one alert, the other is told one is already open', async () => {
    const reference = await submitReport(h.app, '+212600000303', {
      pin: CASABLANCA,
      childName: 'Amine Tazi',
    });
    const id = await caseIdOf(h.app, reference);
    await claimAndConfirm(h.app, officer, id);
    const [a, b] = await Promise.all([
      api(h.app, officer, 'POST', `/api/cases/${id}/alerts`, {}),
      api(h.app, officer, 'POST', `/api/cases/${id}/alerts`, {}),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const listed = await api(h.app, officer, 'GET', `/api/cases/${id}/alerts`);
    expect(listed.json<{ alerts: unknown[] }>().alerts).toHaveLength(1);
  });

  it('a cancel that read the alert before its approval still ends it as an active alert', async () => {
    const reference = await submitReport(h.app, '+212600000304', {
      pin: CASABLANCA,
      childName: 'Ilyas Amrani',
    });
    const id = await caseIdOf(h.app, reference);
    await claimAndConfirm(h.app, officer, id);
    const proposed = await api(h.app, officer, 'POST', `/api/cases/${id}/alerts`, {});
    const alertId = proposed.json<{ alert: { id: string } }>().alert.id;
    const stale = await h.app.alertStore.get(alertId);
    if (!stale) throw new Error('no alert');
    expect(
      (await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {})).statusCode,
    ).toBe(200);
    expect((await h.app.cases.get(id))?.status).toBe('alert_active');
    const ended = await h.app.alerts.cancel(stale, {
      username: 'a.benali',
      role: 'officer',
      region: 'casablanca-settat',
    });
    expect(ended.state).toBe('ended');
    expect(ended.cap.map((record) => record.msgType)).toEqual(['Alert', 'Cancel']);
    expect((await h.app.cases.get(id))?.status).toBe('confirmed');
    // And the case may have a new alert.
    const again = await api(h.app, officer, 'POST', `/api/cases/${id}/alerts`, {});
    expect(again.statusCode, again.body).toBe(201);
  });
});

describe('a channel that refuses a message', () => {
  it('is recorded as failed, and the log does not quote the number', async () => {
    const unreachable = '+212699999001';
    // A channel whose errors quote the number, as whatsapp-web.js's do.
    class RefusingAdapter extends DevAdapter {
      override async continueConversation(): Promise<void> {
        throw new Error(`cannot reach ${unreachable}@c.us`);
      }
    }
    h.app.channels.set('refusing', new RefusingAdapter({ add: async () => undefined }));
    const now = h.clock.now();
    await h.connection.collection<Subscription>('subscriptions').insertOne({
      _id: `refusing:${unreachable}`,
      channel: 'refusing',
      address: unreachable,
      language: 'fr',
      area: { kind: 'city', cityId: 'casablanca', centre: { lat: 33.5731, lon: -7.5898 } },
      status: 'active',
      consentAt: now,
      createdAt: now,
      updatedAt: now,
      stoppedAt: null,
    });
    await h.app.reindexSubscribers();
    const reference = await submitReport(h.app, '+212600000305', {
      pin: CASABLANCA,
      childName: 'Nour Berrada',
    });
    const id = await caseIdOf(h.app, reference);
    await claimAndConfirm(h.app, officer, id);
    const proposed = await api(h.app, officer, 'POST', `/api/cases/${id}/alerts`, {});
    const alertId = proposed.json<{ alert: { id: string } }>().alert.id;
    await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
    await h.app.alertScheduler.runOnce();
    const view = await api(h.app, officer, 'GET', `/api/alerts/${alertId}`);
    expect(view.json<{ alert: { progress: { failed: number } } }>().alert.progress.failed).toBe(1);
    const logged = h.logs.join('');
    expect(logged).toContain('alert delivery failed');
    expect(logged).not.toContain('699999001');
  });
});
