import type { Activity, TurnContext } from 'botbuilder-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { conversationReferenceFor } from '../../src/adapters/channels/messageActivity.js';
import {
  type MessageMediaLike,
  WhatsAppAdapter,
} from '../../src/adapters/channels/whatsappAdapter.js';
import { createIdHasher, createLogger } from '../../src/logger.js';
import { FAKE_QR, FakeWhatsAppClient } from '../fakes/fakeWhatsAppClient.js';

const PARENT = '212600000001@c.us';
const PARENT_ADDRESS = '+212600000001';
const JPEG = Uint8Array.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01,
]);

/** A logger whose lines land in `lines`. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

function setup(options: { session?: 'new' | 'restored' } = {}) {
  const client = new FakeWhatsAppClient(options);
  const { logger, lines } = capturedLogger();
  const printQr = vi.fn<(qr: string) => void>();
  const mediaFactory = (mimetype: string, data: string): MessageMediaLike => ({
    mimetype,
    data,
    filename: 'photo',
  });
  const adapter = new WhatsAppAdapter({
    client,
    logger,
    hashId: createIdHasher('test'),
    printQr,
    mediaFactory,
  });
  const received: Partial<Activity>[] = [];
  /** The bot: records each activity and answers text with an echo. */
  const logic = async (context: TurnContext) => {
    received.push(context.activity);
    if (context.activity.text) await context.sendActivity(`echo: ${context.activity.text}`);
  };
  return { client, adapter, printQr, received, logic, lines };
}

let running: WhatsAppAdapter[] = [];
async function started(options: { session?: 'new' | 'restored' } = {}) {
  const world = setup(options);
  await world.adapter.start(world.logic);
  running.push(world.adapter);
  return world;
}

afterEach(async () => {
  await Promise.all(running.map((adapter) => adapter.whenIdle()));
  running = [];
});

describe('WhatsAppAdapter start-up', () => {
  it('prints the QR code on first link', async () => {
    const { printQr, client, lines } = await started({ session: 'new' });
    expect(client.initialized).toBe(true);
    expect(printQr).toHaveBeenCalledWith(FAKE_QR);
    expect(lines.join('')).toContain('scan the QR code with WhatsApp > Linked devices');
    expect(lines.join('')).not.toContain(FAKE_QR);
  });

  it('prints no QR code when the session is restored', async () => {
    const { printQr, lines } = await started({ session: 'restored' });
    expect(printQr).not.toHaveBeenCalled();
    expect(lines.join('')).toContain('whatsapp ready');
  });

  it('logs a disconnection without crashing', async () => {
    const { client, lines, adapter, received } = await started();
    client.emit('disconnected', 'NAVIGATION');
    expect(
      lines.some((line) => line.includes('"level":40') && line.includes('whatsapp disconnected')),
    ).toBe(true);
    client.deliver(client.text(PARENT, 'salam'));
    await adapter.whenIdle();
    expect(received).toHaveLength(1);
  });
});

describe('WhatsAppAdapter inbound messages', () => {
  it('turns a text into a message activity', async () => {
    const { client, adapter, received } = await started();
    const message = client.text(PARENT, 'wldi ghab');
    client.deliver(message);
    await adapter.whenIdle();

    expect(received).toHaveLength(1);
    const activity = received[0];
    expect(activity).toMatchObject({
      type: 'message',
      text: 'wldi ghab',
      channelId: 'whatsapp',
      id: message.id._serialized,
      from: { id: PARENT_ADDRESS },
      conversation: { id: PARENT_ADDRESS },
    });
    expect(message.id._serialized).toMatch(/^false_212600000001@c\.us_3EB0[0-9A-F]+$/);
    expect(activity?.timestamp).toEqual(new Date(message.timestamp * 1000));
  });

  it('turns a location pin into a Place entity', async () => {
    const { client, adapter, received } = await started();
    client.deliver(
      client.location(PARENT, { latitude: 33.5731, longitude: '-7.5898', name: 'Derb Sultan' }),
    );
    await adapter.whenIdle();

    expect(received[0]?.entities).toEqual([
      {
        type: 'Place',
        geo: { type: 'GeoCoordinates', latitude: 33.5731, longitude: -7.5898 },
        name: 'Derb Sultan',
      },
    ]);
    // The body of a location is a map thumbnail, never text for the bot.
    expect(received[0]?.text).toBe('');
  });

  it('turns a photo into an attachment carrying the same bytes, with its caption as text', async () => {
    const { client, adapter, received } = await started();
    client.deliver(client.image(PARENT, JPEG, 'image/jpeg', { caption: 'hadi tswira dyalo' }));
    await adapter.whenIdle();

    const attachment = received[0]?.attachments?.[0];
    expect(attachment?.contentType).toBe('image/jpeg');
    const dataUrl = /^data:image\/jpeg;base64,(.+)$/.exec(attachment?.contentUrl ?? '');
    expect(Buffer.from(dataUrl?.[1] ?? '', 'base64')).toEqual(Buffer.from(JPEG));
    expect(received[0]?.text).toBe('hadi tswira dyalo');
  });

  it('reports a photo whose download fails as unsupported', async () => {
    const { client, adapter, received, lines } = await started();
    client.deliver(client.image(PARENT, JPEG, 'image/jpeg', { fails: true }));
    await adapter.whenIdle();

    expect(received[0]?.channelData).toEqual({ unsupported: 'other' });
    expect(received[0]?.attachments).toBeUndefined();
    expect(
      lines.some((line) => line.includes('"level":40') && line.includes('could not be downloaded')),
    ).toBe(true);
  });

  it.each([
    ['a voice note', (c: FakeWhatsAppClient) => c.voice(PARENT), 'voice'],
    ['an audio file', (c: FakeWhatsAppClient) => c.voice(PARENT, 'audio'), 'voice'],
    ['a sticker', (c: FakeWhatsAppClient) => c.sticker(PARENT), 'sticker'],
    ['a video', (c: FakeWhatsAppClient) => c.video(PARENT, 'chouf'), 'video'],
    ['a document', (c: FakeWhatsAppClient) => c.document(PARENT), 'document'],
  ])('marks %s as unsupported', async (_name, build, kind) => {
    const { client, adapter, received } = await started();
    client.deliver(build(client));
    await adapter.whenIdle();

    expect(received).toHaveLength(1);
    expect(received[0]?.channelData).toEqual({ unsupported: kind });
    expect(received[0]?.attachments).toBeUndefined();
  });

  it('marks an unknown kind of message as unsupported other', async () => {
    const { client, adapter, received } = await started();
    client.deliver({ ...client.text(PARENT, 'BEGIN:VCARD'), type: 'vcard' });
    await adapter.whenIdle();
    expect(received[0]?.channelData).toEqual({ unsupported: 'other' });
  });

  it('accepts a chat known only by its linked id, and answers it there', async () => {
    const { client, adapter, received } = await started();
    client.deliver(client.text('123456789012345@lid', 'salam'));
    await adapter.whenIdle();
    expect(received[0]?.from?.id).toBe('123456789012345@lid');
    expect(client.sent).toEqual([{ chatId: '123456789012345@lid', content: 'echo: salam' }]);
  });

  it('ignores its own messages, groups, status updates, channels and system notices', async () => {
    const { client, adapter, received } = await started();
    // The library never emits 'message' for its own messages; the adapter checks anyway.
    client.emit('message', client.asMine(client.text(PARENT, 'mine')));
    client.deliver(client.inGroup(client.text(PARENT, 'in a group')));
    client.deliver(client.asStatus(client.image(PARENT, JPEG, 'image/jpeg')));
    client.deliver(client.text('status@broadcast', 'status text'));
    client.deliver(client.text('120363123456789012@newsletter', 'channel post'));
    client.deliver({ ...client.text(PARENT, ''), type: 'e2e_notification' });
    await adapter.whenIdle();

    expect(received).toEqual([]);
    expect(client.sent).toEqual([]);
  });

  it('hands a photo and the text sent right after it to the bot in that order', async () => {
    const { client, adapter, received } = await started();
    client.deliver(client.image(PARENT, JPEG, 'image/jpeg', { delayMs: 50 }));
    client.deliver(client.text(PARENT, 'hadi hiya'));
    await adapter.whenIdle();

    expect(received.map((a) => (a.attachments ? 'image' : a.text))).toEqual(['image', 'hadi hiya']);
  });

  it('does not make one chat wait for another', async () => {
    const { client, adapter, received } = await started();
    client.deliver(client.image(PARENT, JPEG, 'image/jpeg', { delayMs: 50 }));
    client.deliver(client.text('212600000002@c.us', 'other family'));
    await adapter.whenIdle();

    expect(received.map((a) => a.from?.id)).toEqual(['+212600000002', PARENT_ADDRESS]);
  });

  it('keeps serving a chat after one of its turns failed', async () => {
    const { client, adapter, lines } = setup();
    const seen: string[] = [];
    await adapter.start(async (context) => {
      seen.push(context.activity.text ?? '');
      if (context.activity.text === 'boom') throw new Error('bot failure');
    });
    client.deliver(client.text(PARENT, 'boom'));
    client.deliver(client.text(PARENT, 'after'));
    await adapter.whenIdle();

    expect(seen).toEqual(['boom', 'after']);
    expect(lines.some((line) => line.includes('whatsapp turn failed'))).toBe(true);
  });
});

describe('WhatsAppAdapter outbound messages', () => {
  it('sends a reply as text to the chat it came from', async () => {
    const { client, adapter } = await started();
    client.deliver(client.text(PARENT, 'salam'));
    await adapter.whenIdle();

    expect(client.sent).toEqual([{ chatId: PARENT, content: 'echo: salam' }]);
  });

  it('sends an image reply as media with its caption and returns the sent message id', async () => {
    const { client, adapter } = setup();
    let ids: string[] = [];
    await adapter.start(async (context) => {
      const responses = await context.sendActivities([
        { type: 'typing' },
        {
          type: 'message',
          text: 'Avis de recherche',
          attachments: [
            { contentType: 'image/png', contentUrl: 'data:image/png;base64,iVBORw0KGgo=' },
          ],
        },
      ]);
      ids = responses.map((r) => r.id);
    });
    client.deliver(client.text(PARENT, 'alert?'));
    await adapter.whenIdle();

    expect(client.sent).toEqual([
      {
        chatId: PARENT,
        content: { mimetype: 'image/png', data: 'iVBORw0KGgo=', filename: 'photo' },
        options: { caption: 'Avis de recherche' },
      },
    ]);
    expect(ids[1]).toMatch(/^true_212600000001@c\.us_3EB0/);
  });

  it('delivers a proactive message through continueConversation', async () => {
    const { client, adapter } = await started();
    const events: Partial<Activity>[] = [];
    await adapter.continueConversation(
      conversationReferenceFor('whatsapp', PARENT_ADDRESS),
      async (context) => {
        events.push(context.activity);
        await context.sendActivity('Un agent vous écrit');
      },
    );

    expect(events[0]).toMatchObject({
      type: 'event',
      name: 'continueConversation',
      from: { id: PARENT_ADDRESS },
    });
    expect(client.sent).toEqual([{ chatId: PARENT, content: 'Un agent vous écrit' }]);
  });

  it('refuses to edit or delete a sent message', async () => {
    const { adapter } = setup();
    await expect(adapter.updateActivity()).rejects.toThrow('not supported on WhatsApp');
    await expect(adapter.deleteActivity()).rejects.toThrow('not supported on WhatsApp');
  });
});

describe('WhatsAppAdapter shutdown', () => {
  it('finishes the turns under way, ignores new messages and closes the client', async () => {
    const { client, adapter, received } = await started();
    client.deliver(client.image(PARENT, JPEG, 'image/jpeg', { delayMs: 20 }));
    await adapter.stop();
    expect(received).toHaveLength(1);
    expect(client.destroyed).toBe(true);

    client.deliver(client.text(PARENT, 'too late'));
    await adapter.whenIdle();
    expect(received).toHaveLength(1);
    expect(client.sent).toEqual([]);
  });
});

describe('WhatsAppAdapter logs', () => {
  it('never contain phone numbers, message text or photos', async () => {
    const { client, adapter, lines } = await started();
    client.deliver(client.text(PARENT, 'smiya dyalo Yassine'));
    client.deliver(
      client.location(PARENT, { latitude: 33.5731, longitude: -7.5898, name: 'Hay Mohammadi' }),
    );
    client.deliver(client.image(PARENT, JPEG, 'image/jpeg', { caption: 'tswira' }));
    client.deliver(client.inGroup(client.text('212600000003@c.us', 'group text')));
    client.deliver(client.text('123456789012345@lid', 'lid text'));
    await adapter.whenIdle();

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    expect(log).toContain('whatsapp message received');
    for (const secret of [
      '600000001',
      '600000003',
      '123456789012345',
      'Yassine',
      'Hay Mohammadi',
      'tswira',
      'group text',
      'lid text',
      'echo',
      Buffer.from(JPEG).toString('base64'),
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
