import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseEvent } from '../../src/app/ports/events.js';
import type { Language } from '../../src/core/nlu/language.js';
import { haversineKm } from '../../src/core/place/gazetteer.js';
import { type Outgoing, PNG_1PX, say, sentence } from '../support/chat.js';
import { api, caseIdOf, claimAndConfirm, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * Citizens tell the police they saw a child of an active alert: a number the
 * alert reached, by replying anything; anyone, with "j'ai vu", "chft"… Alerts
 * are created the real way (report, confirmation, proposal, approval).
 */
let h: TestApp;
let officer: Session;
let supervisor: Session;
const alerts: Array<{ caseId: string; alertId: string }> = [];
const events: CaseEvent[] = [];
const CASABLANCA = { latitude: 33.5731, longitude: -7.5898 };
const MOHAMMEDIA = { latitude: 33.686, longitude: -7.383 };
const SUBSCRIBER = '+212611100001';
/** Reached by the alert too, but writes about their own missing child. */
const PARENT = '+212611100012';
/** Reached by the alert, and just says thank you. */
const NEIGHBOUR = '+212611100013';

async function openAlert(family: string, options: Parameters<typeof submitReport>[2]) {
  const caseId = await caseIdOf(h.app, await submitReport(h.app, family, options));
  await claimAndConfirm(h.app, officer, caseId);
  const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
  expect(proposed.statusCode, proposed.body).toBe(201);
  const alertId = proposed.json<{ alert: { id: string } }>().alert.id;
  const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
  expect(approved.statusCode, approved.body).toBe(200);
  await h.app.alertScheduler.runOnce();
  alerts.push({ caseId, alertId });
}

async function steps(from: string, messages: Array<[Outgoing, string]>, language: Language = 'fr') {
  for (const [message, expected] of messages) {
    const replies = (await say(h.app, from, message)).join('\n');
    expect(replies, `after ${JSON.stringify(message)}`).toContain(
      sentence(h.app, language, expected),
    );
  }
}

const sightingsOf = (caseId: string) =>
  h.connection.collection('sightings').find({ caseId }).toArray();

beforeAll(async () => {
  h = await createTestApp();
  h.app.events.subscribe((event) => events.push(event));
  officer = await signIn(h.app, 'a.benali', 'officer', 'casablanca-settat');
  supervisor = await signIn(h.app, 's.alaoui', 'supervisor', 'casablanca-settat');
  // A citizen of Casablanca subscribes before the alert, so it reaches them.
  for (const citizen of [SUBSCRIBER, PARENT, NEIGHBOUR]) {
    for (const message of ['Je veux recevoir les alertes', 'casa', 'ok', 'oui', 'ok']) {
      await say(h.app, citizen, message);
    }
  }
  await openAlert('+212600000401', { pin: CASABLANCA });
}, 60_000);
afterAll(async () => {
  await h.app.poster.close();
  await h.close();
});

describe('no active alert', () => {
  it('"j\'ai vu" with no alert active: nothing is active, call 19 if a child is in danger', async () => {
    const other = await createTestApp();
    try {
      expect(await say(other.app, '+212611100009', "J'ai vu")).toEqual([
        sentence(other.app, 'fr', 'sighting:no_alert'),
      ]);
      expect(await other.connection.collection('sightings').countDocuments()).toBe(0);
    } finally {
      await other.app.poster.close();
      await other.close();
    }
  });
});

describe('one active alert', () => {
  it('the number it reached replies: one line names the child; a pin, a photo, call back', async () => {
    const [alert] = alerts;
    if (!alert) throw new Error('no alert');
    const outbox = await h.app.http.inject({
      method: 'GET',
      url: `/dev/outbox?to=${encodeURIComponent(SUBSCRIBER)}`,
    });
    expect(outbox.json<{ messages: unknown[] }>().messages).toHaveLength(1);
    const opening = 'Je pense avoir vu ce garçon près de la gare';
    const first = (await say(h.app, SUBSCRIBER, opening)).join('\n');
    expect(first).toContain('Yassine, 7 ans');
    // Simply writing back is not taken for a sighting: the message might be about anything.
    expect(first).toContain(sentence(h.app, 'fr', 'sighting:purpose.prompt'));
    const seenAt = { latitude: 33.6, longitude: -7.63 };
    await steps(SUBSCRIBER, [
      ['1', 'sighting:seen_at.prompt'],
      ["aujourd'hui 16h", 'sighting:place.prompt'],
      [{ location: seenAt }, 'sighting:what.prompt'],
      ['Seul, t-shirt rouge, il marchait vers le tram', 'sighting:photo.prompt'],
      [{ image: { mimeType: 'image/png', dataBase64: PNG_1PX } }, 'sighting:call_back.prompt'],
      ['oui', 'sighting:done.done'],
    ]);
    const [stored, ...more] = await sightingsOf(alert.caseId);
    expect(more).toEqual([]);
    expect(stored).toMatchObject({
      alertId: alert.alertId,
      caseId: alert.caseId,
      channel: 'dev',
      address: SUBSCRIBER,
      language: 'fr',
      seenAt: new Date('2026-11-28T15:00:00Z'),
      place: { kind: 'pin', latitude: 33.6, longitude: -7.63 },
      description: `${opening}\nSeul, t-shirt rouge, il marchait vers le tram`,
      photoId: createHash('sha256').update(Buffer.from(PNG_1PX, 'base64')).digest('hex'),
      mayCallBack: true,
      flagged: false,
    });
    const expected = haversineKm(
      { lat: CASABLANCA.latitude, lon: CASABLANCA.longitude },
      { lat: 33.6, lon: -7.63 },
    );
    expect(stored?.distanceKm).toBeCloseTo(expected, 1);
    expect(events).toContainEqual({
      type: 'sighting',
      caseId: alert.caseId,
      region: 'casablanca-settat',
      sightingId: stored?._id,
    });
    // The officer sees it, with the number since the citizen agreed to be called back.
    const listed = await api(h.app, officer, 'GET', `/api/cases/${alert.caseId}/sightings`);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.body).toContain('t-shirt rouge');
  });

  it('a parent the alert reached, writing about their own child, is taken to the report', async () => {
    const first = (await say(h.app, PARENT, "Ma fille n'est pas rentrée de l'école")).join('\n');
    expect(first).toContain(sentence(h.app, 'fr', 'sighting:purpose.prompt'));
    const report = (await say(h.app, PARENT, '2')).join('\n');
    expect(report).toContain(sentence(h.app, 'fr', 'sighting:report_instead.text'));
    expect(report).toContain(sentence(h.app, 'fr', 'report:consent.prompt'));
    const [alert] = alerts;
    expect(await sightingsOf(alert?.caseId ?? '')).not.toContainEqual(
      expect.objectContaining({ address: PARENT }),
    );
  });

  it('a recipient who only says thank you is thanked, and nothing is stored', async () => {
    await say(h.app, NEIGHBOUR, 'Merci pour le message');
    expect(await say(h.app, NEIGHBOUR, 'non')).toEqual([
      sentence(h.app, 'fr', 'sighting:declined.text'),
    ]);
    const [alert] = alerts;
    expect(await sightingsOf(alert?.caseId ?? '')).not.toContainEqual(
      expect.objectContaining({ address: NEIGHBOUR }),
    );
  });

  it('anyone writing "chft", in Darija, with a described place: distance from the city named', async () => {
    const [alert] = alerts;
    if (!alert) throw new Error('no alert');
    const from = '+212611100002';
    await steps(from, [['chft', 'common:language.menu']], 'ar');
    const about = (await say(h.app, from, '3')).join('\n');
    expect(about).toContain('Yassine، 7 سنين');
    expect(about).toContain(sentence(h.app, 'ary', 'sighting:seen_at.prompt'));
    for (const [message, expected] of [
      ['28/11/2026 15:30', 'sighting:place.prompt'],
      ['قدام محطة القطار فالرباط', 'sighting:what.prompt'],
      ['دري لابس تيشورت حمر مع واحد الراجل', 'sighting:photo.prompt'],
      ['دوز', 'sighting:call_back.prompt'],
      ['لا', 'sighting:done.done'],
    ] as const) {
      const replies = (await say(h.app, from, message)).join('\n');
      expect(replies).toContain(sentence(h.app, 'ary', expected));
    }
    const stored = (await sightingsOf(alert.caseId)).find((s) => s.address === from);
    expect(stored).toMatchObject({
      place: { kind: 'description', text: 'قدام محطة القطار فالرباط' },
      description: 'دري لابس تيشورت حمر مع واحد الراجل',
      photoId: null,
      mayCallBack: false,
      language: 'ary',
    });
    // Casablanca to Rabat, about 87 km.
    expect(stored?.distanceKm).toBeGreaterThan(80);
    expect(stored?.distanceKm).toBeLessThan(95);
  });
});

describe('two active alerts', () => {
  beforeAll(async () => {
    await openAlert('+212600000402', { childName: 'Amine Tazi', age: '9', pin: MOHAMMEDIA });
  }, 60_000);

  it('"j\'ai des informations" asks which child, numbered, and links the one chosen', async () => {
    const second = alerts[1];
    if (!second) throw new Error('no second alert');
    const from = '+212611100003';
    const which = (await say(h.app, from, "J'ai des informations")).join('\n');
    expect(which).toContain(sentence(h.app, 'fr', 'sighting:which.prompt'));
    const line = which.split('\n').find((l) => l.includes('Amine, 9 ans'));
    const number = line?.match(/^(\d)\./)?.[1];
    expect(number).toBeDefined();
    expect(which).toMatch(/\d\. Yassine, 7 ans/);
    await steps(from, [
      [number ?? '', 'sighting:seen_at.prompt'],
      ["aujourd'hui 16h", 'sighting:place.prompt'],
      ['Devant la plage de Mohammedia', 'sighting:what.prompt'],
      ['Un garçon de 9 ans qui pleurait', 'sighting:photo.prompt'],
      ['passer', 'sighting:call_back.prompt'],
      ['non', 'sighting:done.done'],
    ]);
    const [stored] = await sightingsOf(second.caseId);
    expect(stored).toMatchObject({ alertId: second.alertId, address: from });
  });

  it('a number that floods: the fourth and later are flagged; after six, it is asked to call 19', async () => {
    const from = '+212611100004';
    const one = async () => {
      // A minute apart: only the sightings per hour are at stake, not the messages per minute.
      h.clock.advance(61_000);
      await steps(from, [
        ["J'ai vu", 'sighting:which.prompt'],
        ['1', 'sighting:seen_at.prompt'],
        ["aujourd'hui 16h", 'sighting:place.prompt'],
        ['devant la gare', 'sighting:what.prompt'],
        ['un enfant en rouge', 'sighting:photo.prompt'],
        ['passer', 'sighting:call_back.prompt'],
        ['non', 'sighting:done.done'],
      ]);
    };
    for (let i = 0; i < 6; i++) await one();
    const mine = await h.connection
      .collection('sightings')
      .find({ address: from })
      .sort({ createdAt: 1 })
      .toArray();
    expect(mine.map((s) => s.flagged)).toEqual([false, false, false, true, true, true]);
    expect(await say(h.app, from, "J'ai vu")).toEqual([sentence(h.app, 'fr', 'sighting:too_many')]);
    expect(await h.connection.collection('sightings').countDocuments({ address: from })).toBe(6);
    // An hour later, they are heard again.
    h.clock.advance(61 * 60_000);
    expect((await say(h.app, from, "J'ai vu")).join('\n')).toContain(
      sentence(h.app, 'fr', 'sighting:which.prompt'),
    );
  });
});
