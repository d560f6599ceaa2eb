import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGazetteer } from '../../src/adapters/files/loadGazetteer.js';
import type { Language } from '../../src/core/nlu/language.js';
import { haversineKm } from '../../src/core/place/gazetteer.js';
import type { Subscription } from '../../src/core/subscription.js';
import { validateCap } from '../support/capSchema.js';
import { type Outgoing, PNG_1PX, say, sentence } from '../support/chat.js';
import { api, caseIdOf, claimAndConfirm, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The whole mechanism through the dev channel and the API, as the README
 * draws it: a family reports; an officer claims and confirms; proposes an
 * alert; a supervisor approves; of 50 citizens who subscribed through the bot
 * all over Morocco, exactly those inside the circle receive it, each in their
 * language; the widening reaches exactly the next ring; a recipient replies
 * with a sighting the officer sees; the case is resolved and every recipient
 * gets the closing message; the CAP Alert, Update and Cancel validate.
 */

const root = join(import.meta.dirname, '..', '..');
const gazetteer = loadGazetteer(join(root, 'data', 'gazetteer', 'morocco.json'));
const CASABLANCA = { latitude: 33.5731, longitude: -7.5898 };
const FAMILY = '+212600000501';
const LANGUAGES: readonly Language[] = ['fr', 'ar', 'ary'];

interface Citizen {
  address: string;
  language: Language;
  /** A pin, or a city typed by name. */
  place: { latitude: number; longitude: number } | string;
}

/** 50 invented citizens: ten pins around Casablanca, forty cities all over Morocco. */
function citizens(): Citizen[] {
  const near: Array<[number, number]> = [
    [0.02, -0.03],
    [-0.05, 0.04],
    [0.09, 0.02],
    [-0.1, -0.08],
    [0.12, 0.1], // ~17 km
    [0.12, 0.22], // ~25 km (Mohammedia side)
    [-0.3, 0.05], // ~34 km (Berrechid side)
    [0.05, 0.5], // ~47 km
    [-0.45, -0.3], // ~57 km
    [-0.6, 0.2], // ~68 km
  ];
  const list: Citizen[] = near.map(([dLat, dLon], i) => ({
    address: `+2126300000${String(i).padStart(2, '0')}`,
    language: LANGUAGES[i % 3] ?? 'fr',
    place: { latitude: CASABLANCA.latitude + dLat, longitude: CASABLANCA.longitude + dLon },
  }));
  const spread = gazetteer.cities.filter((_, index) => index % 3 === 0).slice(0, 40);
  spread.forEach((city, i) => {
    const language = LANGUAGES[i % 3] ?? 'fr';
    list.push({
      address: `+2126300001${String(i).padStart(2, '0')}`,
      language,
      // Half type the city's name in their script, half share a pin near it.
      place:
        i % 2 === 0
          ? language === 'fr'
            ? city.fr
            : city.ar
          : { latitude: city.lat + 0.01, longitude: city.lon - 0.01 },
    });
  });
  return list;
}

/** What each language's citizen writes to subscribe, around the place. */
function subscribeSteps(citizen: Citizen): Outgoing[] {
  const place: Outgoing =
    typeof citizen.place === 'string' ? citizen.place : { location: citizen.place };
  switch (citizen.language) {
    case 'fr':
      return ['Je veux recevoir les alertes', place, 'ok', 'oui', 'ok'];
    case 'ar':
      return ['تنبيهات', '1', place, '1', 'نعم', 'موافق'];
    case 'ary':
      return ['بغيت التنبيهات', '3', place, 'واخا', 'إيه', 'صافي'];
    default: {
      const unreachable: never = citizen.language;
      return unreachable;
    }
  }
}

let h: TestApp;
let officer: Session;
let supervisor: Session;
let caseId: string;
let alertId: string;
const everyone = citizens();
const capMessages: string[] = [];

async function outbox(address: string): Promise<string[]> {
  const response = await h.app.http.inject({
    method: 'GET',
    url: `/dev/outbox?to=${encodeURIComponent(address)}`,
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ messages: Array<{ text: string }> }>().messages.map((m) => m.text);
}

/** The citizens whose stored area is within `radiusKm` of the place last seen. */
async function inside(radiusKm: number): Promise<Set<string>> {
  const stored = await h.connection.collection<Subscription>('subscriptions').find().toArray();
  expect(stored).toHaveLength(everyone.length);
  return new Set(
    stored
      .filter(
        (s) =>
          s.area !== null &&
          haversineKm(s.area.centre, { lat: CASABLANCA.latitude, lon: CASABLANCA.longitude }) <=
            radiusKm,
      )
      .map((s) => s.address),
  );
}

async function publishedCap(msgType: string): Promise<void> {
  const response = await h.app.http.inject({ method: 'GET', url: `/alerts/${alertId}.cap` });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.body).toContain(`<msgType>${msgType}</msgType>`);
  const validation = await validateCap(response.body);
  expect(validation.errors).toEqual([]);
  capMessages.push(response.body);
}

beforeAll(async () => {
  h = await createTestApp();
  officer = await signIn(h.app, 'a.benali', 'officer', 'casablanca-settat');
  supervisor = await signIn(h.app, 's.alaoui', 'supervisor', 'casablanca-settat');
  for (const citizen of everyone) {
    let last: string[] = [];
    for (const step of subscribeSteps(citizen)) last = await say(h.app, citizen.address, step);
    expect(last, `${citizen.address} subscribed`).toEqual([
      sentence(h.app, citizen.language, 'subscribe:done.done'),
    ]);
  }
}, 180_000);
afterAll(async () => {
  await h.app.poster.close();
  await h.close();
});

describe('from report to closing message', () => {
  it('a family reports, an officer claims and confirms, proposes; a supervisor approves', async () => {
    const reference = await submitReport(h.app, FAMILY, { pin: CASABLANCA, photo: true });
    caseId = await caseIdOf(h.app, reference);
    await claimAndConfirm(h.app, officer, caseId);
    const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
    expect(proposed.statusCode, proposed.body).toBe(201);
    alertId = proposed.json<{ alert: { id: string } }>().alert.id;
    const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    await publishedCap('Alert');
  });

  it('reaches exactly the subscribers inside 20 km, once, each in their own language', async () => {
    await h.app.alertScheduler.runOnce();
    const expected = await inside(20);
    expect(expected.size).toBeGreaterThanOrEqual(4);
    expect(expected.size).toBeLessThan(everyone.length / 2);
    for (const citizen of everyone) {
      const inbox = await outbox(citizen.address);
      if (!expected.has(citizen.address)) {
        expect(inbox, citizen.address).toEqual([]);
        continue;
      }
      expect(inbox, citizen.address).toHaveLength(1);
      const footer = sentence(h.app, citizen.language, 'alert:message.footer');
      expect(inbox[0]).toContain(footer);
      for (const other of LANGUAGES.filter((l) => l !== citizen.language)) {
        expect(inbox[0]).not.toContain(sentence(h.app, other, 'alert:message.footer'));
      }
    }
    const family = (await outbox(FAMILY)).join('\n');
    expect(family).toContain(
      sentence(h.app, 'fr', 'alert:family.live', { reference: '§' }).split('§')[0],
    );
  });

  it('widens after two hours to exactly the next ring', async () => {
    const first = await inside(20);
    h.clock.advance(2 * 3_600_000 + 60_000);
    await h.app.alertScheduler.runOnce();
    const second = await inside(80);
    expect(second.size).toBeGreaterThan(first.size);
    for (const citizen of everyone) {
      const inbox = await outbox(citizen.address);
      expect(inbox, citizen.address).toHaveLength(second.has(citizen.address) ? 1 : 0);
      if (second.has(citizen.address) && !first.has(citizen.address)) {
        expect(inbox[0]).toContain(sentence(h.app, citizen.language, 'alert:message.widened'));
      }
    }
    await publishedCap('Update');
  });

  it('a recipient replies with a sighting, and the officer sees it with its distance', async () => {
    const first = await inside(20);
    const citizen = everyone.find((c) => c.language === 'fr' && first.has(c.address));
    if (!citizen) throw new Error('no French-speaking recipient in the first circle');
    const steps: Outgoing[] = [
      "Je crois l'avoir vu près de la gare",
      'oui',
      "aujourd'hui 17h",
      { location: { latitude: 33.59, longitude: -7.6 } },
      'Un garçon seul en t-shirt rouge, il allait vers le tram',
      { image: { mimeType: 'image/png', dataBase64: PNG_1PX } },
      'oui',
    ];
    let last: string[] = [];
    for (const step of steps) last = await say(h.app, citizen.address, step);
    expect(last.join('\n')).toContain(sentence(h.app, 'fr', 'sighting:done.done'));
    const listed = await api(h.app, officer, 'GET', `/api/cases/${caseId}/sightings`);
    expect(listed.statusCode, listed.body).toBe(200);
    const [sighting] = listed.json<{
      sightings: Array<{ description: string; distanceKm: number; callBack: string | null }>;
    }>().sightings;
    expect(sighting?.description).toContain('t-shirt rouge');
    expect(sighting?.distanceKm).toBeCloseTo(
      haversineKm(
        { lat: 33.59, lon: -7.6 },
        { lat: CASABLANCA.latitude, lon: CASABLANCA.longitude },
      ),
      1,
    );
    expect(sighting?.callBack).toBe(citizen.address);
  });

  it('once the case is resolved, every recipient gets the closing message and the CAP says Cancel', async () => {
    const resolved = await api(h.app, officer, 'POST', `/api/cases/${caseId}/resolve`, {
      reason: 'found_safe',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    await h.app.alertScheduler.runOnce();
    const reached = await inside(80);
    for (const citizen of everyone) {
      const inbox = await outbox(citizen.address);
      if (!reached.has(citizen.address)) {
        expect(inbox, citizen.address).toEqual([]);
        continue;
      }
      expect(inbox.at(-1), citizen.address).toBe(
        sentence(h.app, citizen.language, 'alert:closing.resolved.boy', { firstName: 'Yassine' }),
      );
      expect(inbox.filter((text) => text.includes('Yassine')).length).toBeGreaterThanOrEqual(2);
    }
    await publishedCap('Cancel');
    expect(capMessages).toHaveLength(3);
    const photo = await h.app.http.inject({ method: 'GET', url: `/alerts/${alertId}/photo` });
    expect(photo.statusCode).toBe(404);
  });
});
