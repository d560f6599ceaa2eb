import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CloudChannelOptions } from '../../src/adapters/channels/cloud/cloudChannel.js';
import {
  type AcceptedMessage,
  FakeGraph,
  type FakeStatus,
} from '../../src/adapters/channels/cloud/fake/fakeGraph.js';
import {
  type FakeContent,
  type FakeMessageOptions,
  FakeMetaWebhook,
} from '../../src/adapters/channels/cloud/fake/fakeMetaWebhook.js';
import { type DeliveryKind, deliveryId } from '../../src/core/alert/delivery.js';
import type { Language } from '../../src/core/nlu/language.js';
import { sentence } from '../support/chat.js';
import { cloudOptionsFor, QUICK_RETRY } from '../support/cloud.js';
import { listen } from '../support/listen.js';
import { api, caseIdOf, claimAndConfirm, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The alert journey of `test/e2e/alertJourney.test.ts`, on the official
 * channel: the app on a real port, its real database, the Cloud channel on a
 * fake Graph API on another port, and Meta's webhook played by the fake
 * sender, signed, over HTTP. Citizens subscribe by writing to the number in
 * ar, fr and Darija, half of them more than 24 h before the alert; two
 * families report; officers confirm, propose and approve both alerts; the
 * broadcast reaches those outside their window by the approved template in
 * their language and those inside it free-form; every status Graph reports
 * comes back through the webhook and the console counts it; a citizen's
 * reply to one alert's message becomes a sighting of that case without being
 * asked which child; the case is resolved and everyone it reached gets the
 * closing message, without place or photo.
 */

const T0 = new Date('2026-11-27T15:00:00Z');
const CASABLANCA = { latitude: 33.5731, longitude: -7.5898 };
const TEMPLATE_CODES: Record<Language, string> = { ar: 'ar', fr: 'fr', ary: 'ar_MA' };
/** Generous: two cores shared with other work. */
const DEADLINE_MS = 60_000;

interface Citizen {
  address: string;
  language: Language;
  /** Subscribed more than 24 h before the alert: outside the window when it goes out. */
  outside: boolean;
}

const citizens: Citizen[] = (['ar', 'fr', 'ary'] as const).flatMap((language, i) => [
  { address: `+2126410000${i}1`, language, outside: true },
  { address: `+2126410000${i}2`, language, outside: false },
]);

/** What each language's citizen writes to subscribe (the answers typed, as on the dev journey). */
function subscribeSteps(citizen: Citizen, index: number): FakeContent[] {
  const text = (body: string): FakeContent => ({ type: 'text', body });
  const pin: FakeContent = {
    type: 'location',
    latitude: CASABLANCA.latitude + 0.01 * (index + 1),
    longitude: CASABLANCA.longitude - 0.005 * (index + 1),
  };
  switch (citizen.language) {
    case 'fr':
      return [text('Je veux recevoir les alertes'), pin, text('ok'), text('oui'), text('ok')];
    case 'ar':
      return [text('تنبيهات'), text('1'), pin, text('1'), text('نعم'), text('موافق')];
    case 'ary':
      return [text('بغيت التنبيهات'), text('3'), pin, text('واخا'), text('إيه'), text('صافي')];
    default: {
      const unreachable: never = citizen.language;
      return unreachable;
    }
  }
}

let h: TestApp;
let fake: FakeGraph;
let meta: FakeMetaWebhook;
let options: CloudChannelOptions;
let officer: Session;
let supervisor: Session;
/** Yassine's case (with a photo) and Adam's (without). */
const cases = { yassine: { caseId: '', alertId: '' }, adam: { caseId: '', alertId: '' } };
/** Status notifications on their way to the webhook, and any that could not be delivered. */
const inFlight = new Set<Promise<void>>();
const statusFailures: unknown[] = [];
/** The media id of Yassine's photo, as uploaded to Graph. */
let photoMediaId: string | undefined;

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (Date.now() < until) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function webhookIdle(): Promise<void> {
  if (!h.app.cloudWebhook) throw new Error('the app has no Cloud webhook');
  await h.app.cloudWebhook.idle();
}

/** Meta passes on each status Graph reports: one signed notification each, as it comes. */
function postStatus(status: FakeStatus): void {
  const delivery = meta
    .send([{ kind: 'status', status: { ...status } }])
    .then(() => undefined)
    .catch((error: unknown) => {
      statusFailures.push(error);
    });
  inFlight.add(delivery);
  void delivery.finally(() => inFlight.delete(delivery));
}

/** Every status reported so far has reached the webhook and been processed. */
async function statusesSettled(): Promise<void> {
  await waitFor(() => inFlight.size === 0, 'the statuses to reach the webhook');
  await webhookIdle();
}

/**
 * A person writes to the number (the fake's window opens too, as Meta's
 * would); resolves with what the bot answered once its turn is over.
 */
async function write(
  address: string,
  content: FakeContent,
  more: FakeMessageOptions = {},
): Promise<AcceptedMessage[]> {
  const before = fake.sentTo(address).length;
  fake.inbound(address, h.clock.now());
  const delivery = await meta.send([
    meta.message({ waId: address.slice(1), name: 'Invented Citizen' }, content, more),
  ]);
  expect(delivery.statuses.at(-1)).toBe(200);
  await waitFor(() => fake.sentTo(address).length > before, 'the bot to answer');
  await webhookIdle();
  return fake.sentTo(address).slice(before);
}

const shownSchema = z.object({
  text: z.object({ body: z.string() }).optional(),
  image: z.object({ id: z.string().optional(), caption: z.string().optional() }).optional(),
  interactive: z.object({ body: z.object({ text: z.string() }).optional() }).optional(),
});

/** What a free-form message shows the person. */
function shownText(message: AcceptedMessage): string {
  const shown = shownSchema.parse(message.body);
  return shown.text?.body ?? shown.image?.caption ?? shown.interactive?.body?.text ?? '';
}

const templateSchema = z.object({
  template: z.object({
    name: z.string(),
    language: z.object({ code: z.string(), policy: z.string() }),
    components: z.array(
      z.object({
        type: z.string(),
        parameters: z.array(
          z.object({
            type: z.string(),
            text: z.string().optional(),
            image: z.object({ id: z.string() }).optional(),
          }),
        ),
      }),
    ),
  }),
});

/** A template message's name, language, header image and body parameters. */
function templateOf(message: AcceptedMessage) {
  const { template } = templateSchema.parse(message.body);
  const header = template.components.find((component) => component.type === 'header');
  const body = template.components.find((component) => component.type === 'body');
  return {
    name: template.name,
    code: template.language.code,
    policy: template.language.policy,
    headerImage: header?.parameters[0]?.image?.id,
    parameters: (body?.parameters ?? []).map((parameter) => parameter.text ?? ''),
  };
}

/** The messages Graph accepted for one outbox entry (by its idempotency key). */
function messagesOf(alertId: string, kind: DeliveryKind, citizen: Citizen): AcceptedMessage[] {
  const key = deliveryId(alertId, kind, `whatsapp:${citizen.address}`);
  return fake.sentTo(citizen.address).filter((message) => message.callbackData === key);
}

const alertSchema = z.object({
  alert: z.object({
    texts: z.record(z.string(), z.string()),
    progress: z.object({
      sent: z.number(),
      delivered: z.number(),
      read: z.number(),
      failed: z.number(),
      queued: z.number(),
      closingSent: z.number(),
    }),
  }),
});

async function alertOf(alertId: string) {
  const response = await api(h.app, officer, 'GET', `/api/alerts/${alertId}`);
  expect(response.statusCode, response.body).toBe(200);
  return alertSchema.parse(response.json()).alert;
}

/** Meta never takes line breaks in a template parameter: lines are joined. */
const oneLine = (text: string) => text.split(/\s*\n\s*/).join(' · ');

async function reportAndConfirm(family: string, childName: string, photo: boolean) {
  const reference = await submitReport(h.app, family, { pin: CASABLANCA, childName, photo });
  const caseId = await caseIdOf(h.app, reference);
  await claimAndConfirm(h.app, officer, caseId);
  const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
  expect(proposed.statusCode, proposed.body).toBe(201);
  const alertId = z.object({ alert: z.object({ id: z.string() }) }).parse(proposed.json()).alert.id;
  return { caseId, alertId };
}

beforeAll(async () => {
  fake = await FakeGraph.start({
    clock: () => h.clock.now(),
    // A conversation's replies come faster than Meta's pair limit allows; pacing has its own tests.
    pair: { intervalMs: 20, burst: 20 },
    onStatus: postStatus,
  });
  options = cloudOptionsFor(fake, { pair: { intervalMs: 20, burst: 20 } });
  h = await createTestApp({
    now: T0,
    deps: { whatsappCloud: options, broadcastRetry: QUICK_RETRY, alertSendRate: 200 },
  });
  const port = await listen(h.app);
  meta = new FakeMetaWebhook({
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    appSecret: options.appSecret,
    phoneNumberId: fake.phoneNumberId,
    now: () => h.clock.now(),
    retry: { firstDelayMs: 50, maxDelayMs: 1_000, maxAttempts: 20 },
  });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([...inFlight]);
  await h?.app.poster.close();
  await h?.close();
  await fake?.close();
});

describe('the alert journey on the Cloud channel', () => {
  it('citizens subscribe by writing to the number, in ar, fr and Darija', async () => {
    const subscribe = async (citizen: Citizen) => {
      const steps = subscribeSteps(citizen, citizens.indexOf(citizen));
      let last: AcceptedMessage[] = [];
      for (const step of steps) last = await write(citizen.address, step);
      expect(last.map(shownText), citizen.address).toContain(
        sentence(h.app, citizen.language, 'subscribe:done.done'),
      );
    };
    for (const citizen of citizens.filter((c) => c.outside)) await subscribe(citizen);
    // A day and more later: the first ones' windows have closed.
    h.clock.advance(25 * 3_600_000);
    for (const citizen of citizens.filter((c) => !c.outside)) await subscribe(citizen);
    const stored = await h.connection.collection('subscriptions').find().toArray();
    expect(stored.map((s) => [s.address, s.language, s.status]).sort()).toEqual(
      citizens.map((c) => [c.address, c.language, 'active']).sort(),
    );
    await statusesSettled();
  }, 240_000);

  it('two families report; officers confirm, propose and approve both alerts', async () => {
    // Signed in now: a session does not outlive the day the clock moved by.
    officer = await signIn(h.app, 'a.benali', 'officer', 'casablanca-settat');
    supervisor = await signIn(h.app, 's.alaoui', 'supervisor', 'casablanca-settat');
    cases.yassine = await reportAndConfirm('+212600000601', 'Yassine Bennani', true);
    cases.adam = await reportAndConfirm('+212600000602', 'Adam Alami', false);
    for (const { alertId } of Object.values(cases)) {
      const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
      expect(approved.statusCode, approved.body).toBe(200);
    }
    await h.app.alertScheduler.runOnce();
  }, 180_000);

  it('outside the window: the approved template in their language, the photo uploaded once', async () => {
    const texts = (await alertOf(cases.yassine.alertId)).texts;
    const headers = new Set<string>();
    for (const citizen of citizens.filter((c) => c.outside)) {
      const suffix = citizen.language === 'ary' ? '_ary' : '';
      const [withPhoto, ...moreA] = messagesOf(cases.yassine.alertId, 'alert', citizen);
      expect(moreA, citizen.address).toEqual([]);
      expect(withPhoto?.type, citizen.address).toBe('template');
      if (!withPhoto) continue;
      const a = templateOf(withPhoto);
      expect([a.name, a.code, a.policy]).toEqual([
        `tifli_alert${suffix}`,
        TEMPLATE_CODES[citizen.language],
        'deterministic',
      ]);
      expect(a.headerImage).toBeDefined();
      if (a.headerImage) headers.add(a.headerImage);
      photoMediaId = a.headerImage;
      expect(a.parameters[0]).toBe(oneLine(texts[citizen.language] ?? '—'));
      expect(a.parameters[1]).toMatch(/^TF-\d{4}-\d{6}$/);

      const [textOnly, ...moreB] = messagesOf(cases.adam.alertId, 'alert', citizen);
      expect(moreB, citizen.address).toEqual([]);
      expect(textOnly?.type, citizen.address).toBe('template');
      if (!textOnly) continue;
      const b = templateOf(textOnly);
      expect([b.name, b.code]).toEqual([
        `tifli_alert_text${suffix}`,
        TEMPLATE_CODES[citizen.language],
      ]);
      expect(b.headerImage).toBeUndefined();
      expect(b.parameters[0]).toContain('Adam');
    }
    expect(fake.accepted.filter((message) => message.outsideWindow)).toEqual([]);
    expect(headers.size).toBe(1);
    expect(fake.uploads).toBe(1);
  });

  it('inside the window: free-form, the photo (by the same media id) captioned with the alert', () => {
    for (const citizen of citizens.filter((c) => !c.outside)) {
      const footer = sentence(h.app, citizen.language, 'alert:message.footer');
      const [photo, ...rest] = messagesOf(cases.yassine.alertId, 'alert', citizen);
      expect(rest, citizen.address).toEqual([]);
      expect(photo?.type, citizen.address).toBe('image');
      if (!photo) continue;
      const image = shownSchema.parse(photo.body).image;
      expect(image?.id).toBe(photoMediaId);
      expect(image?.caption).toContain(footer);

      const [text] = messagesOf(cases.adam.alertId, 'alert', citizen);
      expect(text?.type, citizen.address).toBe('text');
      const shown = text ? shownText(text) : '';
      expect(shown).toContain('Adam');
      expect(shown).toContain(footer);
    }
    expect(fake.uploads).toBe(1);
  });

  it("statuses come back through Meta's webhook: the console counts delivered and read", async () => {
    for (const { alertId } of Object.values(cases)) {
      await waitFor(async () => {
        await statusesSettled();
        const { progress } = await alertOf(alertId);
        return progress.read === citizens.length;
      }, 'every alert message to be read');
      const { progress } = await alertOf(alertId);
      expect(progress).toMatchObject({
        queued: 0,
        sent: citizens.length,
        delivered: citizens.length,
        read: citizens.length,
        failed: 0,
      });
    }
    expect(statusFailures).toEqual([]);
  }, 180_000);

  it("a reply to Adam's alert becomes a sighting of Adam's case, without asking which child", async () => {
    const citizen = citizens.find((c) => c.language === 'fr' && c.outside);
    const [alertMessage] = citizen ? messagesOf(cases.adam.alertId, 'alert', citizen) : [];
    if (!citizen || !alertMessage) throw new Error("no French-speaking recipient of Adam's alert");
    const t = (key: string, params?: Record<string, string>) => sentence(h.app, 'fr', key, params);
    const first = await write(
      citizen.address,
      { type: 'text', body: "Je l'ai vu près de la gare" },
      { replyTo: alertMessage.wamid },
    );
    const opening = first.map(shownText).join('\n');
    expect(opening).toContain(t('sighting:about', { child: '§' }).split('§')[0] ?? '§');
    expect(opening).toContain('Adam');
    expect(opening).not.toContain('Yassine');
    expect(opening).not.toContain(t('sighting:which.prompt'));
    expect(opening).toContain(t('sighting:seen_at.prompt').split('\n')[0] ?? '§');
    const steps: FakeContent[] = [
      { type: 'text', body: 'il y a 10 minutes' },
      { type: 'location', latitude: 33.589, longitude: -7.603 },
      { type: 'text', body: 'Un garçon seul en t-shirt rouge, il allait vers le tram' },
      { type: 'text', body: 'passer' },
      { type: 'text', body: 'oui' },
    ];
    let last: AcceptedMessage[] = [];
    for (const step of steps) last = await write(citizen.address, step);
    expect(last.map(shownText).join('\n')).toContain(t('sighting:done.done'));
    expect(fake.sentTo(citizen.address).map(shownText).join('\n')).not.toContain(
      t('sighting:which.prompt'),
    );

    const sightingsOf = async (caseId: string) => {
      const listed = await api(h.app, officer, 'GET', `/api/cases/${caseId}/sightings`);
      expect(listed.statusCode, listed.body).toBe(200);
      return z
        .object({
          sightings: z.array(
            z.object({
              alertId: z.string().nullable(),
              description: z.string(),
              callBack: z.string().nullable(),
            }),
          ),
        })
        .parse(listed.json()).sightings;
    };
    const adams = await sightingsOf(cases.adam.caseId);
    expect(adams).toHaveLength(1);
    expect(adams[0]?.alertId).toBe(cases.adam.alertId);
    expect(adams[0]?.description).toContain('t-shirt rouge');
    expect(adams[0]?.callBack).toBe(citizen.address);
    expect(await sightingsOf(cases.yassine.caseId)).toEqual([]);
  }, 120_000);

  it('Yassine is found: everyone his alert reached gets the closing message, no place, no photo', async () => {
    const resolved = await api(
      h.app,
      officer,
      'POST',
      `/api/cases/${cases.yassine.caseId}/resolve`,
      {
        reason: 'found_safe',
      },
    );
    expect(resolved.statusCode, resolved.body).toBe(200);
    await h.app.alertScheduler.runOnce();
    // The citizen who reported a sighting wrote again: their window is open once more.
    const reopened = citizens.find((c) => c.language === 'fr' && c.outside);
    for (const citizen of citizens) {
      const closing = sentence(h.app, citizen.language, 'alert:closing.resolved.boy', {
        firstName: 'Yassine',
      });
      const [message, ...rest] = messagesOf(cases.yassine.alertId, 'closing', citizen);
      expect(rest, citizen.address).toEqual([]);
      expect(message, citizen.address).toBeDefined();
      if (!message) continue;
      const shown = JSON.stringify(message.body);
      expect(shown).not.toMatch(/Casablanca|الدار البيضاء|"image"|header/);
      if (citizen.outside && citizen !== reopened) {
        const closingTemplate = templateOf(message);
        const suffix = citizen.language === 'ary' ? '_ary' : '';
        expect([closingTemplate.name, closingTemplate.code], citizen.address).toEqual([
          `tifli_closing${suffix}`,
          TEMPLATE_CODES[citizen.language],
        ]);
        expect(closingTemplate.headerImage).toBeUndefined();
        expect(closingTemplate.parameters).toEqual([oneLine(closing)]);
      } else {
        expect(message.type, citizen.address).toBe('text');
        expect(shownText(message)).toBe(closing);
      }
    }
    expect(fake.accepted.filter((message) => message.outsideWindow)).toEqual([]);
    // Adam's alert goes on: no closing for it.
    for (const citizen of citizens) {
      expect(messagesOf(cases.adam.alertId, 'closing', citizen), citizen.address).toEqual([]);
    }
    await statusesSettled();
    const { progress } = await alertOf(cases.yassine.alertId);
    expect(progress.closingSent).toBe(citizens.length);
    expect(statusFailures).toEqual([]);
  }, 120_000);
});
