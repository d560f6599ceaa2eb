import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/compose.js';
import type { Language } from '../../src/core/nlu/language.js';
import { OGG_OPUS_BYTES, PNG_1PX, say, sayAll, sentence, UP_TO_PHOTO } from '../support/chat.js';
import { api, caseIdOf, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * Law 09-08's rights exercised the way a family or a citizen would: through
 * the dev channel (`POST /dev/messages`), the officers' API and the real
 * embedded database, in French, Arabic, Darija and Arabizi.
 */

let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const CASABLANCA = 'casablanca-settat';

interface RequestView {
  id: string;
  kind: string;
  status: string;
  caseReference: string | null;
  text: string | null;
}

async function pending(app: App, session: Session): Promise<RequestView[]> {
  const response = await api(app, session, 'GET', '/api/rights-requests');
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ requests: RequestView[] }>().requests;
}

/** What the dev channel sent this number outside a turn (notifications), oldest first. */
async function outboxOf(app: App, to: string): Promise<string[]> {
  const response = await app.http.inject({
    method: 'GET',
    url: `/dev/outbox?to=${encodeURIComponent(to)}`,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ messages: Array<{ text: string }> }>().messages.map((m) => m.text);
}

/** Every collection of the database whose documents mention `needle`, with how many. */
async function collectionsMentioning(harnessed: TestApp, needle: string) {
  const found: Record<string, number> = {};
  const db = harnessed.connection.db;
  if (!db) throw new Error('no database');
  for (const { name } of await db.listCollections().toArray()) {
    const docs = await db.collection(name).find({}).toArray();
    const count = docs.filter((doc) => JSON.stringify(doc).includes(needle)).length;
    if (count > 0) found[name] = count;
  }
  return found;
}

/** The line of the summary that begins a case, as the family reads it. */
const intro = (app: App, language: Language) => sentence(app, language, 'rights:access.intro');

describe('rights requests through the bot (Law 09-08)', () => {
  it('answer "see my data" in French, Arabic, Darija and Arabizi with this number’s data only', async () => {
    harness = await createTestApp();
    const { app } = harness;
    const family = '+212600001201';
    const neighbour = '+212600001202';
    const reference = await submitReport(app, family, { childName: 'Imane Tazi' });
    const other = await submitReport(app, neighbour, { childName: 'Omar Berrada' });
    // A report is some thirty messages: a minute later, the flood limit (30 a minute) is not at stake.
    harness.clock.advance(61_000);

    // The generic phrase gives the menu, its first line sees the data.
    const menu = await say(app, family, 'mes données');
    expect(menu.join('\n')).toContain(sentence(app, 'fr', 'rights:menu'));
    const seen = (await say(app, family, '1')).join('\n');
    expect(seen).toContain(intro(app, 'fr'));

    const asked: Array<[Language, string]> = [
      ['ar', 'أريد الاطلاع على معطياتي'],
      ['ary', 'بغيت نشوف المعطيات ديالي'],
      ['ary', 'bghit nchouf les données dyali'],
      ['fr', 'Je veux voir mes données svp'],
    ];
    for (const [language, phrase] of asked) {
      const answer = (await say(app, family, phrase)).join('\n');
      expect(answer, phrase).toContain(intro(app, language));
      expect(answer, phrase).toContain(reference);
      expect(answer, phrase).toContain('Imane Tazi');
      expect(answer, phrase).toContain('Karima Bennani');
      expect(answer, phrase).toContain('le football');
      // Never another family's case, never the officers' own notes.
      expect(answer, phrase).not.toContain(other);
      expect(answer, phrase).not.toContain('Omar Berrada');
    }
    const accessRequests = await harness.connection
      .collection('rights_requests')
      .find({ kind: 'access', address: family })
      .toArray();
    expect(accessRequests).toHaveLength(5);
  });

  it('interrupt a report and come back to its question', async () => {
    harness = await createTestApp();
    const { app } = harness;
    const parent = '+212600001203';
    await sayAll(app, parent, UP_TO_PHOTO);
    const photoQuestion = sentence(app, 'fr', 'report:child_photo.prompt');

    expect((await say(app, parent, 'mes données')).join('\n')).toContain(
      sentence(app, 'fr', 'rights:menu'),
    );
    const seen = (await say(app, parent, '1')).join('\n');
    expect(seen).toContain(sentence(app, 'fr', 'rights:access.nothing'));
    expect(seen).toContain(photoQuestion);

    // The menu again, left with "0": the report goes on where it was.
    await say(app, parent, 'mes données');
    expect((await say(app, parent, '0')).join('\n')).toContain(photoQuestion);
    const next = await say(app, parent, { image: { mimeType: 'image/png', dataBase64: PNG_1PX } });
    expect(next.join('\n')).toContain(sentence(app, 'fr', 'report:child_height.prompt'));

    // A message that does not answer the menu is taken as the answer to the question.
    await say(app, parent, 'mes données');
    const height = await say(app, parent, '1m10');
    expect(height.join('\n')).toContain(sentence(app, 'fr', 'report:child_build.prompt'));
  });

  it('send an erasure of an open case to a supervisor, who refuses it with a reason the family is told', async () => {
    harness = await createTestApp();
    const { app } = harness;
    const family = '+212600001204';
    const reference = await submitReport(app, family, { childName: 'Hiba Alaoui' });
    const supervisor = await signIn(app, 'sup.casa', 'supervisor', CASABLANCA);
    const elsewhere = await signIn(app, 'sup.fes', 'supervisor', 'fes-meknes');

    const confirm = (await say(app, family, 'effacer mes données')).join('\n');
    expect(confirm).toContain(sentence(app, 'fr', 'rights:erase.confirm'));
    const filed = (await say(app, family, 'oui')).join('\n');
    expect(filed).toContain(sentence(app, 'fr', 'rights:erase.filed'));

    expect(await pending(app, elsewhere)).toEqual([]);
    const [request, ...more] = await pending(app, supervisor);
    expect(more).toEqual([]);
    expect(request).toMatchObject({ kind: 'erase', status: 'pending', caseReference: reference });
    const id = request?.id ?? '';

    // Applying is refused while the child is still missing.
    const applied = await api(app, supervisor, 'POST', `/api/rights-requests/${id}/apply`, {});
    expect(applied.statusCode, applied.body).toBe(409);
    const refused = await api(app, supervisor, 'POST', `/api/rights-requests/${id}/refuse`, {
      reason: 'case_open',
    });
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({ request: { status: 'refused', reason: 'case_open' } });
    const again = await api(app, supervisor, 'POST', `/api/rights-requests/${id}/refuse`, {
      reason: 'other',
    });
    expect(again.statusCode).toBe(409);

    const told = (await outboxOf(app, family)).join('\n');
    expect(told).toContain(sentence(app, 'fr', 'rights:refusal.case_open'));
    expect(await harness.connection.collection('cases').countDocuments()).toBe(1);
    const caseId = await caseIdOf(app, reference);
    const audit = await api(app, supervisor, 'GET', `/api/cases/${caseId}/audit`);
    const actions = audit
      .json<{ entries: Array<{ action: string }> }>()
      .entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['rights.erase.requested', 'rights.erase.refused']),
    );
  });

  it('erase a closed case everywhere once a supervisor applies it, and tell the family', async () => {
    harness = await createTestApp();
    const { app } = harness;
    const family = '+212600001205';
    const reference = await submitReport(app, family, { childName: 'Zineb Kettani', photo: true });
    const officer = await signIn(app, 'off.casa', 'officer', CASABLANCA);
    const supervisor = await signIn(app, 'sup.casa', 'supervisor', CASABLANCA);
    const caseId = await caseIdOf(app, reference);
    const claimed = await api(app, officer, 'POST', `/api/cases/${caseId}/claim`, {});
    expect(claimed.statusCode, claimed.body).toBe(200);
    // The family talks to the officer, then the case is closed: the child is home.
    await say(app, family, 'Elle est chez sa tante à Mohammedia');
    // And a voice note for the officer, kept with the case.
    await say(app, family, {
      audio: { mimeType: 'audio/ogg; codecs=opus', dataBase64: OGG_OPUS_BYTES, voice: true },
    });
    expect(await harness.connection.collection('audio').countDocuments()).toBe(1);
    const resolved = await api(app, officer, 'POST', `/api/cases/${caseId}/resolve`, {
      reason: 'found_safe',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(Object.keys(await collectionsMentioning(harness, family)).length).toBeGreaterThan(1);

    // In Darija: the family asks, confirms, the supervisor applies.
    expect((await say(app, family, 'مسحو المعطيات ديالي')).join('\n')).toContain(
      sentence(app, 'ary', 'rights:erase.confirm'),
    );
    expect((await say(app, family, 'إيه')).join('\n')).toContain(
      sentence(app, 'ary', 'rights:erase.filed'),
    );
    const [request] = await pending(app, supervisor);
    const applied = await api(
      app,
      supervisor,
      'POST',
      `/api/rights-requests/${request?.id}/apply`,
      {},
    );
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({
      request: { status: 'applied' },
      erased: { cases: 1, photos: 1, audio: 1, conversations: 1, reporters: 1 },
    });
    expect(await harness.connection.collection('audio').countDocuments()).toBe(0);
    expect(await harness.connection.collection('audio_chunks').countDocuments()).toBe(0);

    // Nothing about the family is left in any collection, except the dev
    // channel's record of the message telling them (development only).
    expect(await collectionsMentioning(harness, family)).toEqual({ dev_outbox: 1 });
    expect(await collectionsMentioning(harness, 'Zineb')).toEqual({});
    expect(await collectionsMentioning(harness, 'Karima Bennani')).toEqual({});
    expect(await harness.connection.collection('cases').countDocuments()).toBe(0);
    expect(await harness.connection.collection('photos').countDocuments()).toBe(0);
    const told = await outboxOf(app, family);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(
      sentence(app, 'ary', 'rights:notify.erase_applied', { reference }).slice(0, 20),
    );
    // The audit trail keeps that it happened, without the family's data.
    const trail = await harness.connection.collection('audit').find({ caseId }).toArray();
    expect(trail.map((entry) => entry.action)).toContain('rights.erase.applied');

    // Writing again, the family starts afresh: nothing is remembered.
    const fresh = (await say(app, family, 'bghit nchouf les données dyali')).join('\n');
    expect(fresh).toContain(sentence(app, 'ary', 'rights:access.nothing'));
  });

  it("add a family's correction to the case, for its officer to apply", async () => {
    harness = await createTestApp();
    const { app } = harness;
    const family = '+212600001207';
    const reference = await submitReport(app, family, { childName: 'Sara Fassi', age: '9' });
    const caseId = await caseIdOf(app, reference);
    const officer = await signIn(app, 'off.casa', 'officer', CASABLANCA);

    // In Arabic: what is wrong, in one message.
    const ask = (await say(app, family, 'أريد تصحيح معطياتي')).join('\n');
    expect(ask).toContain(sentence(app, 'ar', 'rights:rectify.ask', { reference }));
    const filed = (await say(app, family, 'عمرها عشر سنوات وليس تسع')).join('\n');
    expect(filed).toContain(sentence(app, 'ar', 'rights:rectify.filed', { reference }));

    const timeline = await api(app, officer, 'GET', `/api/cases/${caseId}/rights-requests`);
    expect(timeline.statusCode, timeline.body).toBe(200);
    const [correction] = timeline.json<{ requests: RequestView[] }>().requests;
    expect(correction).toMatchObject({ kind: 'rectify', status: 'pending' });
    expect(correction?.text).toBe('عمرها عشر سنوات وليس تسع');
    expect((await pending(app, officer)).map((r) => r.id)).toEqual([correction?.id]);

    const applied = await api(
      app,
      officer,
      'POST',
      `/api/rights-requests/${correction?.id}/apply`,
      {
        note: 'âge corrigé : 10 ans',
      },
    );
    expect(applied.statusCode, applied.body).toBe(200);
    const told = (await outboxOf(app, family)).join('\n');
    expect(told).toContain(sentence(app, 'ar', 'rights:notify.rectify_applied', { reference }));
    const seen = (await say(app, family, 'أريد الاطلاع على معطياتي')).join('\n');
    expect(seen).toContain('عمرها عشر سنوات وليس تسع');

    // Another region's officer neither sees nor applies it.
    const stranger = await signIn(app, 'off.fes', 'officer', 'fes-meknes');
    const hidden = await api(app, stranger, 'GET', `/api/cases/${caseId}/rights-requests`);
    expect(hidden.statusCode).toBe(404);
  });

  it("erase a citizen's subscription at once", async () => {
    harness = await createTestApp();
    const { app } = harness;
    const citizen = '+212600001206';
    await sayAll(app, citizen, [
      'Je veux recevoir les alertes',
      { location: { latitude: 33.5731, longitude: -7.5898 } },
      'ok',
      'oui',
      'ok',
    ]);
    expect(await app.subscriptions.find('dev', citizen)).toMatchObject({ status: 'active' });

    const summary = (await say(app, citizen, 'mes données')).join('\n');
    expect(summary).toContain(sentence(app, 'fr', 'rights:menu'));
    expect((await say(app, citizen, '1')).join('\n')).toContain(
      sentence(app, 'fr', 'common:values.area_cell'),
    );
    const confirm = (await say(app, citizen, 'supprimer mes données')).join('\n');
    expect(confirm).toContain(sentence(app, 'fr', 'rights:erase.subscription_at_once'));
    const done = (await say(app, citizen, 'oui')).join('\n');
    expect(done).toContain(sentence(app, 'fr', 'rights:erase.subscription_erased'));
    expect(done).not.toContain(sentence(app, 'fr', 'rights:erase.filed'));

    expect(await app.subscriptions.find('dev', citizen)).toBeNull();
    // Neither the subscription nor the subscriber index holds the number; the
    // conversation (which goes after 3 days) and nothing else does.
    expect(await collectionsMentioning(harness, citizen)).toEqual({ conversations: 1 });
    const supervisor = await signIn(app, 'sup.casa', 'supervisor', CASABLANCA);
    expect(await pending(app, supervisor)).toEqual([]);
  });

  it("serves the console's texts of the data-requests panel in every language", async () => {
    harness = await createTestApp();
    for (const language of ['ar', 'fr', 'ary'] as const) {
      const response = await harness.app.http.inject({ url: `/console/i18n/${language}.json` });
      expect(response.statusCode).toBe(200);
      const texts = response.json<{ rights?: Record<string, unknown>; app?: unknown }>();
      expect(texts.app).toBeDefined();
      expect(texts.rights?.nav).toBe(sentence(harness.app, language, 'rights:console.nav'));
    }
  });
});
