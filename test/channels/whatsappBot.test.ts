import { afterEach, describe, expect, it } from 'vitest';
import { WhatsAppAdapter } from '../../src/adapters/channels/whatsappAdapter.js';
import { createLogger } from '../../src/logger.js';
import { FakeWhatsAppClient } from '../fakes/fakeWhatsAppClient.js';
import { PNG_1PX, sentence } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The WhatsApp channel wired to the real bot and database, with the fake client in place of WhatsApp Web. */
async function connectWhatsApp() {
  harness = await createTestApp();
  const client = new FakeWhatsAppClient({ session: 'restored' });
  const adapter = new WhatsAppAdapter({
    client,
    logger: createLogger({ level: 'silent' }),
    hashId: (id) => `h:${id.length}`,
    mediaFactory: (mimetype, data) => ({ mimetype, data }),
    printQr: () => undefined,
  });
  adapter.onTurnError = harness.app.bot.onTurnError;
  await adapter.start(harness.app.bot.onTurn);
  return { h: harness, client, adapter };
}

const sentTexts = (client: FakeWhatsAppClient) =>
  client.sent.map((s) =>
    typeof s.content === 'string' ? s.content : `[media] ${s.options?.caption ?? ''}`,
  );

describe('WhatsApp channel end to end (fake WhatsApp Web, real bot and database)', () => {
  it('answers a Darija message in Darija, on the same chat, and handles a redelivery once', async () => {
    const { h, client, adapter } = await connectWhatsApp();
    const message = client.text('212600000501@c.us', 'salam, wldi tlef lia mn sba7');
    client.deliver(message);
    await adapter.whenIdle();
    expect(client.sent.every((s) => s.chatId === '212600000501@c.us')).toBe(true);
    expect(sentTexts(client)).toEqual([
      sentence(h.app, 'ary', 'report:greeting.text'),
      sentence(h.app, 'ary', 'report:consent.prompt'),
    ]);

    client.deliver(message);
    await adapter.whenIdle();
    expect(client.sent).toHaveLength(2);

    client.deliver(client.text('212600000501@c.us', 'ah'));
    client.deliver(client.voice('212600000501@c.us'));
    await adapter.whenIdle();
    const texts = sentTexts(client);
    expect(texts[2]).toContain(sentence(h.app, 'ary', 'report:relationship.prompt'));
    expect(texts[3]).toContain(sentence(h.app, 'ary', 'common:unsupported_media'));
    await adapter.stop();
  });

  it('keeps a photo sent at the photo question, in order with the text that follows it', async () => {
    const { h, client, adapter } = await connectWhatsApp();
    const chat = '212600000502@c.us';
    for (const text of [
      'Bonjour, ma fille a disparu',
      'oui',
      '1',
      'Nadia Idrissi',
      'Salma Idrissi',
      'fille',
      '6 ans',
    ]) {
      client.deliver(client.text(chat, text));
    }
    client.deliver(
      client.image(chat, Buffer.from(PNG_1PX, 'base64'), 'image/png', { delayMs: 40 }),
    );
    client.deliver(client.text(chat, '1m10'));
    await adapter.whenIdle();
    const texts = sentTexts(client);
    expect(texts.at(-2)).toContain(sentence(h.app, 'fr', 'report:child_height.prompt'));
    expect(texts.at(-1)).toContain(sentence(h.app, 'fr', 'report:child_build.prompt'));
    expect(await h.connection.collection('photos').countDocuments()).toBe(1);
    await adapter.stop();
  });
});
