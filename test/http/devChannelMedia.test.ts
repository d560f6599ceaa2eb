import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_AUDIO_BYTES } from '../../src/core/audioKind.js';
import { MP3_BYTES, OGG_OPUS_BYTES, say, sentence } from '../support/chat.js';
import { api, caseIdOf, claimAndConfirm, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * What the official WhatsApp channel needs of the bot, proved on the dev
 * channel through the real HTTP stack and database: choices offered as
 * buttons, voice notes as answers and messages (played back to officers
 * only), replies naming an alert, and the statuses of alert messages.
 */
let h: TestApp;
let officer: Session;
let supervisor: Session;
const VOICE = { mimeType: 'audio/ogg; codecs=opus', dataBase64: OGG_OPUS_BYTES, voice: true };
const AUDIO_FILE = { mimeType: 'audio/mpeg', dataBase64: MP3_BYTES, voice: false };

interface Reply {
  text: string;
  choices?: Array<{ title: string; value: string }>;
  requestLocation?: true;
}

async function post(body: object): Promise<Reply[]> {
  const response = await h.app.http.inject({ method: 'POST', url: '/dev/messages', payload: body });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ replies: Reply[] }>().replies;
}

/** A family reports through the dev channel, telling the clothing and what happened in voice notes. */
async function reportWithVoice(from: string): Promise<string> {
  const steps: object[] = [
    { text: 'Bonjour, mon fils a disparu' },
    { text: 'yes' },
    { text: '1' },
    { text: 'Karima Bennani' },
    { text: 'Yassine Bennani' },
    { text: '1' },
    { text: '7' },
    { text: 'passer' },
    { text: 'passer' },
    { text: 'passer' },
    { text: 'passer' },
    { text: 'passer' },
    { audio: VOICE },
    { text: "aujourd'hui 15h" },
    { location: { latitude: 33.5731, longitude: -7.5898 } },
    { audio: AUDIO_FILE },
    { text: '2' },
    { text: 'passer' },
    { text: 'passer' },
    { text: 'passer' },
    { text: 'passer' },
    { text: 'passer' },
    { text: 'passer' },
    { text: 'no' },
  ];
  for (const step of steps) await post({ from, ...step });
  const done = (await post({ from, text: 'OK' })).map((reply) => reply.text).join('\n');
  const reference = /TF-\d{4}-\d{6}/.exec(done)?.[0];
  if (!reference) throw new Error(`the report was not submitted: ${done}`);
  return reference;
}

beforeAll(async () => {
  h = await createTestApp();
  officer = await signIn(h.app, 'a.benali', 'officer', 'casablanca-settat');
  supervisor = await signIn(h.app, 's.alaoui', 'supervisor', 'casablanca-settat');
}, 60_000);
afterAll(async () => {
  await h.app.poster.close();
  await h.close();
});

describe('choices as buttons', () => {
  it('offers the answers of a question with choices, asks for a pin where the child was last seen, and takes a tap like a typed answer', async () => {
    const from = '+212600000701';
    const [, consent] = await post({ from, text: 'Bonjour, ma fille a disparu' });
    expect(consent?.choices).toEqual([
      { value: 'yes', title: sentence(h.app, 'fr', 'choices:consent.yes') },
      { value: 'no', title: sentence(h.app, 'fr', 'choices:consent.no') },
    ]);
    const [relationship] = await post({ from, text: 'yes' });
    expect(relationship?.text).toContain(sentence(h.app, 'fr', 'report:relationship.prompt'));
    // The text still lists the options, so a typed answer keeps working.
    expect(relationship?.text).toContain(
      sentence(h.app, 'fr', 'report:relationship.options.parent'),
    );
    expect(relationship?.choices?.map((choice) => choice.value)).toEqual(['1', '2', '3']);
    for (const step of ['1', 'Karima Bennani', 'Salma Bennani', 'fille', '9', 'passer']) {
      await post({ from, text: step });
    }
    for (const step of ['passer', 'passer', 'passer', 'passer', 'passer']) {
      await post({ from, text: step });
    }
    const [lastSeenPlace] = await post({ from, text: "aujourd'hui 15h" });
    expect(lastSeenPlace?.text).toContain(sentence(h.app, 'fr', 'report:last_seen_place.prompt'));
    expect(lastSeenPlace?.requestLocation).toBe(true);
    expect(lastSeenPlace?.choices).toBeUndefined();
  });

  it('offers the language menu as buttons named in each language', async () => {
    const [menu] = await post({ from: '+212600000702', text: 'salam' });
    expect(menu?.choices?.map((choice) => choice.value)).toEqual(['1', '2', '3']);
    expect(menu?.choices?.[1]?.title).toBe('Français');
  });
});

describe('voice notes', () => {
  let caseId = '';
  const FAMILY = '+212600000711';

  it('answer free-text questions, are kept with the case and shown to officers as voice notes', async () => {
    caseId = await caseIdOf(h.app, await reportWithVoice(FAMILY));
    const read = await api(h.app, officer, 'GET', `/api/cases/${caseId}`);
    expect(read.statusCode, read.body).toBe(200);
    const detail = read.json<{
      case: {
        child: { clothing: string | null };
        circumstances: string | null;
        voiceNotes: Array<{ answer: string; mimeType: string; audioUrl: string }>;
      };
    }>().case;
    expect(detail.child.clothing).toBeNull();
    expect(detail.circumstances).toBeNull();
    expect(detail.voiceNotes.map((note) => [note.answer, note.mimeType])).toEqual([
      ['child.clothing', 'audio/ogg'],
      ['circumstances', 'audio/mpeg'],
    ]);
    const [clothing] = detail.voiceNotes;
    const played = await api(h.app, officer, 'GET', clothing?.audioUrl ?? '');
    expect(played.statusCode).toBe(200);
    expect(played.headers['content-type']).toBe('audio/ogg');
    expect(played.headers['cache-control']).toBe('no-store');
    expect(played.rawPayload.equals(Buffer.from(OGG_OPUS_BYTES, 'base64'))).toBe(true);
  });

  it('are played to officers only: none without a session, none of another region, none the case does not name', async () => {
    const read = await api(h.app, officer, 'GET', `/api/cases/${caseId}`);
    const url = read.json<{ case: { voiceNotes: Array<{ audioUrl: string }> } }>().case
      .voiceNotes[0]?.audioUrl;
    if (!url) throw new Error('no voice note');
    expect((await h.app.http.inject({ method: 'GET', url })).statusCode).toBe(401);
    const elsewhere = await signIn(h.app, 'k.idrissi', 'officer', 'fes-meknes');
    expect((await api(h.app, elsewhere, 'GET', url)).statusCode).toBe(404);
    const other = url.replace(/[0-9a-f]{64}$/, 'a'.repeat(64));
    expect((await api(h.app, officer, 'GET', other)).statusCode).toBe(404);
    expect((await api(h.app, officer, 'GET', `${url}x`)).statusCode).toBe(400);
  });

  it('sent to the officer handling the case are attached to the case conversation', async () => {
    const claimed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/claim`, {});
    expect(claimed.statusCode, claimed.body).toBe(200);
    const [relayed] = await post({ from: FAMILY, audio: VOICE, id: 'voice-to-officer' });
    expect(relayed?.text).toBe(sentence(h.app, 'fr', 'common:relayed'));
    // Redelivered: stored once.
    await post({ from: FAMILY, audio: VOICE, id: 'voice-to-officer' });
    const read = await api(h.app, officer, 'GET', `/api/cases/${caseId}`);
    const messages = read.json<{
      case: { messages: Array<{ from: string; audio?: { mimeType: string }; audioUrl?: string }> };
    }>().case.messages;
    const voice = messages.filter((message) => message.audio);
    expect(voice).toHaveLength(1);
    expect(voice[0]).toMatchObject({ from: 'family', audio: { mimeType: 'audio/ogg' } });
    const played = await api(h.app, officer, 'GET', voice[0]?.audioUrl ?? '');
    expect(played.statusCode).toBe(200);
  });

  it('that cannot be read or are too large get a polite answer', async () => {
    const from = '+212600000721';
    await post({ from, text: 'Bonjour, mon fils a disparu' });
    for (const step of ['oui', '1', 'Karima Bennani', 'Yassine Bennani', '1', '7']) {
      await post({ from, text: step });
    }
    for (let i = 0; i < 5; i++) await post({ from, text: 'passer' });
    const noise = Buffer.from('not audio at all').toString('base64');
    const [refused] = await post({ from, audio: { mimeType: 'audio/ogg', dataBase64: noise } });
    expect(refused?.text).toContain(sentence(h.app, 'fr', 'media:voice.bad_type'));
    const huge = Buffer.alloc(MAX_AUDIO_BYTES + 1, 0);
    Buffer.from('OggS').copy(huge);
    const [tooLarge] = await post({
      from,
      audio: { mimeType: 'audio/ogg', dataBase64: huge.toString('base64') },
    });
    expect(tooLarge?.text).toContain(sentence(h.app, 'fr', 'media:voice.too_large'));
  });
});

describe('alert messages: replies and statuses', () => {
  const CITIZEN = '+212611100071';
  const alertIds: string[] = [];

  async function openAlert(family: string, childName: string): Promise<string> {
    const caseId = await caseIdOf(h.app, await submitReport(h.app, family, { childName }));
    await claimAndConfirm(h.app, officer, caseId);
    const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
    expect(proposed.statusCode, proposed.body).toBe(201);
    const alertId = proposed.json<{ alert: { id: string } }>().alert.id;
    const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    await h.app.alertScheduler.runOnce();
    await h.app.broadcast.drain();
    return alertId;
  }

  beforeAll(async () => {
    for (const message of ['Je veux recevoir les alertes', 'casa', 'ok', 'oui', 'ok']) {
      await say(h.app, CITIZEN, message);
    }
    alertIds.push(await openAlert('+212600000731', 'Yassine Bennani'));
    alertIds.push(await openAlert('+212600000732', 'Adam Tazi'));
  }, 60_000);

  async function alertMessages() {
    const outbox = await h.app.http.inject({
      method: 'GET',
      url: `/dev/outbox?to=${encodeURIComponent(CITIZEN)}`,
    });
    return outbox.json<{ messages: Array<{ text: string; messageId?: string }> }>().messages;
  }

  it('a reply to one alert message is a sighting of that child, without "which child?"', async () => {
    const messages = await alertMessages();
    const second = messages.find((message) => message.text.includes('Adam'));
    expect(second?.messageId).toMatch(/^dev\./);
    const first = await post({
      from: CITIZEN,
      text: "Je l'ai vu près de la gare",
      replyTo: second?.messageId,
    });
    const said = first.map((reply) => reply.text).join('\n');
    expect(said).toContain('Adam, 7 ans');
    expect(said).not.toContain(sentence(h.app, 'fr', 'sighting:which.prompt'));
    for (const step of ['il y a 10 minutes', 'gare Casa Voyageurs', 'Seul, sac bleu', 'passer']) {
      await post({ from: CITIZEN, text: step });
    }
    await post({ from: CITIZEN, text: 'non' });
    const stored = await h.connection.collection('sightings').find({ address: CITIZEN }).toArray();
    expect(stored.map((sighting) => sighting.alertId)).toEqual([alertIds[1]]);
  });

  it('statuses of the dev messages reach the outbox, monotonic, and the progress shows delivered and read', async () => {
    const messages = await alertMessages();
    const ids = messages.map((message) => message.messageId ?? '');
    const status = async (messageId: string, value: string, errorCode?: string) => {
      const response = await h.app.http.inject({
        method: 'POST',
        url: '/dev/statuses',
        payload: { messageId, status: value, ...(errorCode ? { errorCode } : {}) },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ result: string }>().result;
    };
    const [first, second] = ids;
    if (!first || !second) throw new Error('two alert messages expected');
    expect(await status(first, 'read')).toBe('recorded');
    expect(await status(first, 'delivered')).toBe('unchanged');
    expect(await status(second, 'failed', '131047')).toBe('recorded');
    expect(await status('dev.nothing', 'read')).toBe('unknown');
    const refused = await h.app.http.inject({
      method: 'POST',
      url: '/dev/statuses',
      payload: { messageId: first, status: 'played' },
    });
    expect(refused.statusCode).toBe(400);
    const progressOf = async (alertId: string) => {
      const read = await api(h.app, supervisor, 'GET', `/api/alerts/${alertId}`);
      expect(read.statusCode, read.body).toBe(200);
      return read.json<{ alert: { progress: Record<string, number> } }>().alert.progress;
    };
    const withFirst = messages[0]?.text.includes('Adam') ? alertIds[1] : alertIds[0];
    const withSecond = withFirst === alertIds[0] ? alertIds[1] : alertIds[0];
    expect(await progressOf(withFirst ?? '')).toMatchObject({ delivered: 1, read: 1, failed: 0 });
    expect(await progressOf(withSecond ?? '')).toMatchObject({ delivered: 0, read: 0, failed: 1 });
  });
});
