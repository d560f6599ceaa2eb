import { afterEach, describe, expect, it } from 'vitest';
import type { Language } from '../../src/core/nlu/language.js';
import { encodeGeohash } from '../../src/core/place/geohash.js';
import { type Outgoing, say, sentence, UP_TO_PHOTO } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * Citizens subscribe to alerts in each language — Darija in Arabic script
 * and in Arabizi — with a pin or a city typed in any script; the stored
 * document keeps only a coarse cell or the city. STOP works at any moment.
 */
let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<TestApp> {
  harness = await createTestApp();
  return harness;
}

const subscriptionsOf = (h: TestApp) => h.connection.collection('subscriptions').find().toArray();

/** Each message and the sentence (`namespace:key`, in `language`) its replies must contain. */
type Step = [Outgoing, string, Language];

async function play(h: TestApp, from: string, steps: Step[]): Promise<void> {
  for (const [message, expected, language] of steps) {
    const replies = (await say(h.app, from, message)).join('\n');
    expect(replies, `after ${JSON.stringify(message)}`).toContain(
      sentence(h.app, language, expected),
    );
  }
}

const CASABLANCA_PIN = { latitude: 33.58917, longitude: -7.60393, name: 'Maarif' };

describe('subscribing to alerts', () => {
  it('French, with a pin: only the ~5 km cell is stored, never the point', async () => {
    const h = await start();
    const from = '+212600000301';
    const first = await say(h.app, from, 'Je veux recevoir les alertes');
    expect(first.join('\n')).toContain(sentence(h.app, 'fr', 'subscribe:intro.text'));
    expect(first.join('\n')).toContain(sentence(h.app, 'fr', 'subscribe:area.prompt'));
    const language = (await say(h.app, from, { location: CASABLANCA_PIN })).join('\n');
    expect(language).toContain(sentence(h.app, 'fr', 'subscribe:language.prompt'));
    // The conversation's language is offered by default.
    expect(language).toContain('(Répondez « ok » pour choisir : Français.)');
    await play(h, from, [
      ['ok', 'subscribe:consent.prompt', 'fr'],
      ['oui', 'subscribe:summary.header', 'fr'],
    ]);
    expect(await say(h.app, from, 'ok')).toEqual([sentence(h.app, 'fr', 'subscribe:done.done')]);

    const [stored, ...others] = await subscriptionsOf(h);
    expect(others).toEqual([]);
    const geohash = encodeGeohash(CASABLANCA_PIN.latitude, CASABLANCA_PIN.longitude, 5);
    expect(stored).toMatchObject({
      _id: `dev:${from}`,
      channel: 'dev',
      address: from,
      language: 'fr',
      status: 'active',
      stoppedAt: null,
      area: { kind: 'cell', geohash },
    });
    expect(Object.keys(stored?.area ?? {}).sort()).toEqual(['centre', 'geohash', 'kind']);
    const text = JSON.stringify(stored);
    expect(text).not.toContain('33.58917');
    expect(text).not.toContain('7.60393');
    expect(text).not.toContain('Maarif');
    expect(stored?.area.centre.lat).not.toBe(CASABLANCA_PIN.latitude);
    expect(Math.abs((stored?.area.centre.lat ?? 0) - CASABLANCA_PIN.latitude)).toBeLessThan(0.03);
  });

  it('Modern Standard Arabic, a city in Arabic script, alerts chosen in Darija', async () => {
    const h = await start();
    const from = '+212600000302';
    await play(h, from, [
      ['تنبيهات', 'common:language.menu', 'ar'],
      ['١', 'subscribe:area.prompt', 'ar'],
      ['الرباط', 'subscribe:language.prompt', 'ar'],
      ['3', 'subscribe:consent.prompt', 'ar'],
      ['نعم', 'subscribe:summary.header', 'ar'],
    ]);
    // The confirmation is in the language the alerts will come in.
    expect(await say(h.app, from, 'موافق')).toEqual([
      sentence(h.app, 'ary', 'subscribe:done.done'),
    ]);
    const [stored] = await subscriptionsOf(h);
    expect(stored).toMatchObject({
      language: 'ary',
      status: 'active',
      area: { kind: 'city', cityId: 'rabat', centre: { lat: 34.0209, lon: -6.8416 } },
    });
  });

  it('Darija: an unknown city is asked again with the reason, then "casa" is Casablanca', async () => {
    const h = await start();
    const from = '+212600000303';
    await play(h, from, [
      ['بغيت التنبيهات', 'common:language.menu', 'ar'],
      ['3', 'subscribe:area.prompt', 'ary'],
    ]);
    const again = await say(h.app, from, 'Zrizrabad');
    expect(again.join('\n')).toContain(sentence(h.app, 'ary', 'subscribe:area.unknown_city'));
    expect(again.join('\n')).toContain(sentence(h.app, 'ary', 'subscribe:area.prompt'));
    await play(h, from, [
      ['casa', 'subscribe:language.prompt', 'ary'],
      // "واخا" takes the language offered: the conversation's.
      ['واخا', 'subscribe:consent.prompt', 'ary'],
    ]);
    const summary = (await say(h.app, from, 'إيه')).join('\n');
    expect(summary).toContain(sentence(h.app, 'ary', 'subscribe:summary.header'));
    expect(summary).toContain('الدار البيضاء');
    expect(await say(h.app, from, 'صافي')).toEqual([sentence(h.app, 'ary', 'subscribe:done.done')]);
    const [stored] = await subscriptionsOf(h);
    expect(stored).toMatchObject({
      language: 'ary',
      area: { kind: 'city', cityId: 'casablanca' },
    });
  });

  it('Arabizi, with a pin, alerts in French', async () => {
    const h = await start();
    const from = '+212600000304';
    await play(h, from, [
      ['bghit les alertes', 'common:language.menu', 'ar'],
      ['3', 'subscribe:area.prompt', 'ary'],
      [{ location: { latitude: 34.0331, longitude: -5.0003 } }, 'subscribe:language.prompt', 'ary'],
      ['2', 'subscribe:consent.prompt', 'ary'],
      ['wah', 'subscribe:summary.header', 'ary'],
      ['wakha', 'subscribe:done.done', 'fr'],
    ]);
    const [stored] = await subscriptionsOf(h);
    expect(stored).toMatchObject({
      language: 'fr',
      area: { kind: 'cell', geohash: encodeGeohash(34.0331, -5.0003, 5) },
    });
  });

  it('refusing consent stores nothing', async () => {
    const h = await start();
    const from = '+212600000305';
    await play(h, from, [
      ['Je veux recevoir les alertes', 'subscribe:area.prompt', 'fr'],
      ['Marrakech', 'subscribe:language.prompt', 'fr'],
      ['1', 'subscribe:consent.prompt', 'fr'],
      ['non', 'subscribe:consent_refused.text', 'fr'],
    ]);
    expect(await subscriptionsOf(h)).toEqual([]);
  });

  it('subscribing again replaces the area and keeps one document', async () => {
    const h = await start();
    const from = '+212600000306';
    await play(h, from, [
      ['Je veux recevoir les alertes', 'subscribe:area.prompt', 'fr'],
      [{ location: CASABLANCA_PIN }, 'subscribe:language.prompt', 'fr'],
      ['ok', 'subscribe:consent.prompt', 'fr'],
      ['oui', 'subscribe:summary.header', 'fr'],
      ['ok', 'subscribe:done.done', 'fr'],
    ]);
    const [before] = await subscriptionsOf(h);
    h.clock.advance(60_000);
    await play(h, from, [
      ['alertes', 'subscribe:area.prompt', 'fr'],
      ['Fès', 'subscribe:language.prompt', 'fr'],
      ['ok', 'subscribe:consent.prompt', 'fr'],
      ['oui', 'subscribe:summary.header', 'fr'],
      ['ok', 'subscribe:done.done', 'fr'],
    ]);
    const all = await subscriptionsOf(h);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      area: { kind: 'city', cityId: 'fes' },
      createdAt: before?.createdAt,
    });
    expect(all[0]?.updatedAt.getTime()).toBe(before?.updatedAt.getTime() + 60_000);
  });
});

/** Subscribes `from` to alerts for Casablanca in `language` (typed in French, then chosen). */
async function subscribe(h: TestApp, from: string, choice: '1' | '2' | '3'): Promise<void> {
  for (const message of ['Je veux recevoir les alertes', 'casa', choice, 'oui', 'ok']) {
    await say(h.app, from, message);
  }
  const [stored] = await h.connection
    .collection('subscriptions')
    .find({ _id: `dev:${from}` } as never)
    .toArray();
  expect(stored?.status).toBe('active');
}

describe('STOP', () => {
  it.each([
    ['STOP', '2', 'fr'],
    ['ARRET', '2', 'fr'],
    ['توقف', '1', 'fr'],
    ['baraka', '3', 'fr'],
    ['باراكا', '3', 'fr'],
    ['7bes', '3', 'fr'],
  ] satisfies Array<[string, '1' | '2' | '3', Language]>)(
    '"%s" unsubscribes and keeps the number as stopped',
    async (word, choice, language) => {
      const h = await start();
      const from = '+212600000311';
      await subscribe(h, from, choice);
      expect(await say(h.app, from, word)).toEqual([
        sentence(h.app, language, 'common:stop.unsubscribed'),
      ]);
      const [stored] = await subscriptionsOf(h);
      // Only the opt-out is kept: the area is forgotten.
      expect(stored).toMatchObject({ status: 'stopped', stoppedAt: h.clock.now(), area: null });
      // A second STOP says there is nothing more to stop.
      expect(await say(h.app, from, word)).toEqual([
        sentence(h.app, language, 'common:stop.not_subscribed'),
      ]);
    },
  );

  it('answers in the conversation language, Arabic and Darija alike', async () => {
    const h = await start();
    const stopped = (language: Language) =>
      [
        sentence(h.app, language, 'common:stop.report_cancelled'),
        sentence(h.app, language, 'common:stop.not_subscribed'),
      ].join('\n');
    // Choosing a language begins a report, which STOP cancels.
    await say(h.app, '+212600000312', 'السلام عليكم');
    await say(h.app, '+212600000312', '1');
    expect(await say(h.app, '+212600000312', 'توقف')).toEqual([stopped('ar')]);
    await say(h.app, '+212600000313', 'salam');
    await say(h.app, '+212600000313', '3');
    expect(await say(h.app, '+212600000313', 'baraka')).toEqual([stopped('ary')]);
  });

  it('from a number that never subscribed: nothing will be sent, nothing is stored', async () => {
    const h = await start();
    expect(await say(h.app, '+212600000314', 'STOP')).toEqual([
      sentence(h.app, 'fr', 'common:stop.not_subscribed'),
    ]);
    expect(await subscriptionsOf(h)).toEqual([]);
  });

  it('in the middle of a report: the report is cancelled too, and says so', async () => {
    const h = await start();
    const from = '+212600000315';
    for (const message of UP_TO_PHOTO) await say(h.app, from, message);
    expect(await say(h.app, from, 'stop')).toEqual([
      [
        sentence(h.app, 'fr', 'common:stop.report_cancelled'),
        sentence(h.app, 'fr', 'common:stop.not_subscribed'),
      ].join('\n'),
    ]);
    // The next message starts a new report from the beginning.
    const again = await say(h.app, from, 'Bonjour');
    expect(again.join('\n')).toContain(sentence(h.app, 'fr', 'report:greeting.text'));
    expect(await h.connection.collection('cases').countDocuments()).toBe(0);
  });

  it('in the middle of subscribing again: that is cancelled and the subscription stopped', async () => {
    const h = await start();
    const from = '+212600000316';
    await subscribe(h, from, '2');
    await say(h.app, from, 'alertes');
    expect(await say(h.app, from, 'Arrêt')).toEqual([
      [
        sentence(h.app, 'fr', 'common:stop.flow_cancelled'),
        sentence(h.app, 'fr', 'common:stop.unsubscribed'),
      ].join('\n'),
    ]);
    const [stored] = await subscriptionsOf(h);
    expect(stored?.status).toBe('stopped');
  });

  it('"annuler" during a subscription cancels it without unsubscribing', async () => {
    const h = await start();
    const from = '+212600000317';
    await subscribe(h, from, '2');
    await say(h.app, from, 'alertes');
    expect(await say(h.app, from, 'annuler')).toEqual([
      sentence(h.app, 'fr', 'common:cancelled_other'),
    ]);
    const [stored] = await subscriptionsOf(h);
    expect(stored?.status).toBe('active');
  });
});
