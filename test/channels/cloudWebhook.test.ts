import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  metaJson,
  metaSignature,
  newWamid,
} from '../../src/adapters/channels/cloud/fake/fakeMetaWebhook.js';
import { WEBHOOK_BODY_LIMIT } from '../../src/adapters/channels/cloud/webhookRoutes.js';
import {
  CLOUD,
  createCloudTestApp,
  fakeMeta,
  postNotification,
  postWebhook,
  processed,
  type RecordingOutbox,
  type RecordingSink,
} from '../support/cloudWebhook.js';
import { type FakeMediaServer, startFakeMediaServer } from '../support/fakeMediaServer.js';
import type { TestApp } from '../support/testApp.js';

/**
 * The Cloud API webhook through the real HTTP stack and the embedded
 * database: the subscription check, the signature over the raw bytes, and
 * every entry, change, message and status of a batch.
 */

let media: FakeMediaServer;
let h: TestApp & { sink: RecordingSink; statuses: RecordingOutbox };
const meta = fakeMeta();

beforeAll(async () => {
  media = await startFakeMediaServer({ token: CLOUD.accessToken });
  h = await createCloudTestApp({ media });
});
afterAll(async () => {
  await h.close();
  await media.close();
});
beforeEach(() => {
  h.sink.activities.length = 0;
  h.statuses.updates.length = 0;
});

// Invented people.
const amina = { waId: '212600000101', name: 'Amina Invented' };
const youssef = { waId: '212600000102', name: 'Youssef Invented' };
const usernameUser = { userId: 'MA.13491208655302741918', name: 'Username Invented' };

describe('behaviour 1: the subscription handshake', () => {
  const verify = (query: Record<string, string>) =>
    h.app.http.inject({ method: 'GET', url: '/webhooks/whatsapp', query });

  it('echoes hub.challenge as the raw body for the mode subscribe and the right token', async () => {
    const response = await verify({
      'hub.mode': 'subscribe',
      'hub.verify_token': CLOUD.verifyToken,
      'hub.challenge': '1158201444',
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('1158201444');
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('refuses a wrong token, another mode, or no token with 403, and echoes nothing', async () => {
    const refused: Array<Record<string, string>> = [
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'not-the-token', 'hub.challenge': '42' },
      {
        'hub.mode': 'subscribe',
        'hub.verify_token': `${CLOUD.verifyToken}x`,
        'hub.challenge': '42',
      },
      { 'hub.mode': 'unsubscribe', 'hub.verify_token': CLOUD.verifyToken, 'hub.challenge': '42' },
      { 'hub.mode': 'subscribe', 'hub.challenge': '42' },
      {},
    ];
    for (const query of refused) {
      const response = await verify(query);
      expect(response.statusCode, JSON.stringify(query)).toBe(403);
      expect(response.body).not.toContain('42');
      expect(response.json()).toMatchObject({ error: { code: 'verify_refused' } });
    }
  });
});

describe('behaviour 2: the signature over the raw bytes', () => {
  const arabic = 'ولدي ضاع قرب السوق، لابس قميص أحمر 🙏';

  it('verifies an Arabic body signed Meta’s way, which JSON.stringify would not reproduce', async () => {
    const item = meta.message(amina, { type: 'text', body: arabic });
    const notification = meta.notification([item]);
    const body = metaJson(notification);
    // Meta's bytes: ASCII only, the Arabic and the emoji as lowercase \uXXXX escapes.
    expect(body).toMatch(/\\u0648\\u0644\\u062f\\u064a/);
    expect(body).toContain('\\ud83d\\ude4f');
    expect(/^[\x20-\x7e]*$/.test(body)).toBe(true);
    // The same JSON re-serialised is other bytes, so its signature differs.
    const reserialised = JSON.stringify(JSON.parse(body));
    expect(reserialised).not.toBe(body);
    expect(metaSignature(reserialised, CLOUD.appSecret)).not.toBe(
      metaSignature(body, CLOUD.appSecret),
    );

    const response = await postWebhook(h.app, body);
    expect(response.statusCode).toBe(200);
    await processed(h.app);
    expect(h.sink.byId(String(item.message.id))?.text).toBe(arabic);

    // The re-serialised bytes with Meta's signature: refused, as a check on them would be wrong.
    const forged = await postWebhook(h.app, reserialised, metaSignature(body, CLOUD.appSecret));
    expect(forged.statusCode).toBe(401);
  });

  it('refuses a tampered, unsigned, or otherwise signed body with 401 and processes nothing', async () => {
    const item = meta.message(youssef, { type: 'text', body: 'Bonjour' });
    const body = metaJson(meta.notification([item]));
    const tampered = body.replace('Bonjour', 'Bonsoir');
    const cases = [
      await postWebhook(h.app, tampered, metaSignature(body, CLOUD.appSecret)),
      await postWebhook(h.app, body, null),
      await postWebhook(h.app, body, ''),
      await postWebhook(h.app, body, metaSignature(body, CLOUD.verifyToken)),
      await postWebhook(h.app, body, metaSignature(body, CLOUD.accessToken)),
      await postWebhook(h.app, body, metaSignature(body, CLOUD.appSecret).replace('sha256=', '')),
    ];
    for (const response of cases) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'bad_signature' } });
    }
    await processed(h.app);
    expect(h.sink.activities).toEqual([]);
    const stored = await h.app.inboundJournal.record([]);
    expect(stored).toEqual([]);
    expect((await h.app.inboundJournal.unprocessed(100)).map((entry) => entry.id)).not.toContain(
      item.message.id,
    );
  });

  it('accepts a 3 MB body, and refuses one over the limit with 413', async () => {
    // Long Arabic messages: each character is six bytes once escaped.
    const long = 'ب'.repeat(4_000);
    const items = Array.from({ length: 125 }, (_, n) =>
      meta.message({ waId: `2126001${String(n).padStart(5, '0')}` }, { type: 'text', body: long }),
    );
    const body = metaJson(meta.notification(items));
    expect(Buffer.byteLength(body)).toBeGreaterThan(3_000_000);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(WEBHOOK_BODY_LIMIT);
    const response = await postWebhook(h.app, body);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: 125 });
    await processed(h.app);
    expect(h.sink.activities).toHaveLength(125);

    const more = Array.from({ length: 10 }, () =>
      meta.message({ waId: '212600100999' }, { type: 'text', body: long }),
    );
    const tooLarge = metaJson(meta.notification([...items, ...more]));
    expect(Buffer.byteLength(tooLarge)).toBeGreaterThan(WEBHOOK_BODY_LIMIT);
    expect((await postWebhook(h.app, tooLarge)).statusCode).toBe(413);
  });

  it('answers a signed body that is not a notification with 400', async () => {
    expect((await postWebhook(h.app, 'not json')).statusCode).toBe(400);
    expect((await postWebhook(h.app, '{"object":"page"}')).statusCode).toBe(400);
  });

  it('never logs the message text or the secrets', async () => {
    await postNotification(
      h.app,
      meta.notification([meta.message(amina, { type: 'text', body: arabic })]),
    );
    await processed(h.app);
    const logs = h.logs.join('\n');
    for (const secret of [CLOUD.appSecret, CLOUD.verifyToken, CLOUD.accessToken, amina.waId]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toContain('ولدي');
    expect(logs).not.toContain('\\u0648\\u0644');
  });
});

describe('behaviour 3: every entry, change, message and status of a batch', () => {
  it('hands every message to the bot and records every status', async () => {
    const sent = [newWamid(), newWamid(), newWamid()];
    const items = [
      meta.message(amina, { type: 'text', body: 'premier' }),
      ...meta.lifecycle(sent[0] ?? '', amina.waId),
      meta.message(youssef, { type: 'text', body: 'deuxième' }),
      meta.status(sent[1] ?? '', 'failed', youssef.waId, { errorCode: 131026 }),
      meta.message(amina, { type: 'text', body: 'troisième' }),
      meta.status(sent[2] ?? '', 'played', youssef.waId),
      meta.message(usernameUser, { type: 'text', body: 'quatrième' }),
      meta.message(youssef, { type: 'location', latitude: 33.5731, longitude: -7.5898 }),
    ];
    const notification = meta.notification(items, { entries: 2, changesPerEntry: 2 });
    const entries = notification.entry;
    expect(Array.isArray(entries) && entries.length).toBe(2);

    const response = await postNotification(h.app, notification);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: items.length });
    await processed(h.app);

    const messageIds = items.flatMap((item) =>
      item.kind === 'message' ? [String(item.message.id)] : [],
    );
    expect(h.sink.activities.map((activity) => activity.id).sort()).toEqual(messageIds.sort());
    // One person's messages in the order they were written.
    const ofAmina = h.sink.activities.filter((a) => a.from?.id === `+${amina.waId}`);
    expect(ofAmina.map((a) => a.text)).toEqual(['premier', 'troisième']);
    expect(h.statuses.updates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channelMessageId: sent[0], status: 'delivered' }),
        expect.objectContaining({ channelMessageId: sent[0], status: 'read' }),
        expect.objectContaining({
          channelMessageId: sent[1],
          status: 'failed',
          errorCode: '131026',
        }),
        // A voice message listened to counts as read.
        expect.objectContaining({ channelMessageId: sent[2], status: 'read' }),
      ]),
    );
    // `sent` is what the broadcast recorded on Graph's answer; not recorded again.
    expect(h.statuses.updates).toHaveLength(4);
    // Everything was processed: nothing is left in the journal.
    const left = (await h.app.inboundJournal.unprocessed(1000)).map((entry) => entry.id);
    expect(left.filter((id) => messageIds.includes(id))).toEqual([]);
  });

  it('delivers through the fake sender on a real port, retried until 200', async () => {
    const address = await h.app.http.listen({ port: 0, host: '127.0.0.1' });
    try {
      const sender = fakeMeta(`${address}/webhooks/whatsapp`);
      const item = sender.message(amina, { type: 'text', body: 'par le réseau' });
      const delivery = await sender.send([item]);
      expect(delivery.statuses).toEqual([200]);
      await processed(h.app);
      expect(h.sink.byId(String(item.message.id))?.text).toBe('par le réseau');
    } finally {
      await h.app.http.server.close();
    }
  });
});

describe('inbound types become the activities every channel hands the bot', () => {
  async function activityOf(sender: object, item: ReturnType<typeof meta.message>) {
    expect((await postNotification(h.app, meta.notification([item]))).statusCode).toBe(200);
    await processed(h.app);
    const activity = h.sink.byId(String(item.message.id));
    expect(activity, JSON.stringify(sender)).toBeDefined();
    return activity ?? {};
  }

  it('text, with who wrote, when, on which channel and the message id', async () => {
    const at = new Date('2026-11-28T15:59:30Z');
    const item = meta.message(amina, { type: 'text', body: 'Salam' }, { at });
    const activity = await activityOf(amina, item);
    expect(activity).toMatchObject({
      type: 'message',
      id: item.message.id,
      channelId: 'whatsapp',
      text: 'Salam',
      from: { id: '+212600000101', role: 'user' },
      conversation: { id: '+212600000101' },
      recipient: { id: CLOUD.phoneNumberId },
    });
    expect(activity.timestamp).toEqual(at);
    expect(activity.replyToId).toBeUndefined();
  });

  it('a location, its name and address kept as the place name', async () => {
    const activity = await activityOf(
      amina,
      meta.message(amina, {
        type: 'location',
        latitude: 33.5731,
        longitude: -7.5898,
        name: 'Marché Central',
        address: 'Boulevard Mohammed V, Casablanca',
      }),
    );
    expect(activity.entities).toEqual([
      {
        type: 'Place',
        geo: { type: 'GeoCoordinates', latitude: 33.5731, longitude: -7.5898 },
        name: 'Marché Central, Boulevard Mohammed V, Casablanca',
      },
    ]);
  });

  it('interactive replies and template taps as the text of their id or payload', async () => {
    const button = await activityOf(
      amina,
      meta.message(amina, { type: 'button_reply', id: '1', title: 'Oui' }),
    );
    expect(button.text).toBe('1');
    const list = await activityOf(
      amina,
      meta.message(amina, { type: 'list_reply', id: '7', title: 'Autre lien' }),
    );
    expect(list.text).toBe('7');
    const tap = await activityOf(
      amina,
      meta.message(amina, { type: 'template_button', payload: 'seen', text: 'Je l’ai vu' }),
    );
    expect(tap.text).toBe('seen');
  });

  it('a reply to a given message names it in replyToId', async () => {
    const alertMessage = newWamid();
    const activity = await activityOf(
      youssef,
      meta.message(
        youssef,
        { type: 'text', body: 'Je l’ai vu ce matin' },
        { replyTo: alertMessage },
      ),
    );
    expect(activity.replyToId).toBe(alertMessage);
  });

  it('reactions, stickers, videos, documents and unknown types as unsupported', async () => {
    const cases = [
      [{ type: 'reaction', messageId: newWamid(), emoji: '👍' }, 'reaction'],
      [{ type: 'sticker', mediaId: '555', mimeType: 'image/webp' }, 'sticker'],
      [{ type: 'video', mediaId: '556', mimeType: 'video/mp4' }, 'video'],
      [{ type: 'document', mediaId: '557', mimeType: 'application/pdf' }, 'document'],
      [{ type: 'unsupported' }, 'other'],
      [{ type: 'unsupported', originalType: 'video_note_of_2027' }, 'other'],
    ] as const;
    for (const [content, kind] of cases) {
      const activity = await activityOf(content, meta.message(amina, content));
      expect(activity.channelData, content.type).toEqual({ unsupported: kind });
    }
  });

  it('an unknown type in a batch does not make the rest of the batch fail', async () => {
    const unknown = meta.message(amina, { type: 'unsupported', originalType: 'hologram' });
    const text = meta.message(youssef, { type: 'text', body: 'toujours là' });
    expect((await postNotification(h.app, meta.notification([unknown, text]))).statusCode).toBe(
      200,
    );
    await processed(h.app);
    expect(h.sink.byId(String(text.message.id))?.text).toBe('toujours là');
    expect(h.sink.byId(String(unknown.message.id))?.channelData).toEqual({ unsupported: 'other' });
  });
});

describe('behaviour 10: a user known only by a business-scoped id', () => {
  it('can write: the activity comes from the user id as it is', async () => {
    const item = meta.message(usernameUser, { type: 'text', body: 'Bonjour, je veux signaler' });
    expect(item.message.from).toBeUndefined();
    expect((await postNotification(h.app, meta.notification([item]))).statusCode).toBe(200);
    await processed(h.app);
    const activity = h.sink.byId(String(item.message.id));
    expect(activity?.from?.id).toBe('MA.13491208655302741918');
    expect(activity?.conversation?.id).toBe('MA.13491208655302741918');
  });

  it('prefers the phone number when the contact has both', async () => {
    const both = { waId: '212600000103', userId: 'MA.99887766554433221100' };
    const item = meta.message(both, { type: 'text', body: 'Salam' });
    await postNotification(h.app, meta.notification([item]));
    await processed(h.app);
    expect(h.sink.byId(String(item.message.id))?.from?.id).toBe('+212600000103');
  });
});
