import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  FakeMetaWebhook,
  metaSignature,
} from '../../src/adapters/channels/cloud/fake/fakeMetaWebhook.js';

/** Meta's webhook sender, faked: it retries until 200, and can repeat and reorder on purpose. */
describe('the fake Meta webhook sender', () => {
  it('posts signed bytes and retries with back-off until it is answered 200', async () => {
    const server = Fastify();
    const seen: Array<{ body: string; signature: string | undefined }> = [];
    server.removeAllContentTypeParsers();
    server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    server.post('/webhooks/whatsapp', async (request, reply) => {
      const signature = request.headers['x-hub-signature-256'];
      seen.push({
        body: String(request.body),
        signature: typeof signature === 'string' ? signature : undefined,
      });
      return reply.status(seen.length < 3 ? 500 : 200).send('');
    });
    const address = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const meta = new FakeMetaWebhook({
        url: `${address}/webhooks/whatsapp`,
        appSecret: 'fake-secret',
        phoneNumberId: '106540352242922',
        retry: { firstDelayMs: 5, maxDelayMs: 20 },
      });
      const item = meta.message({ waId: '212600000401' }, { type: 'text', body: 'سلام' });
      const delivery = await meta.send([item]);
      expect(delivery.statuses).toEqual([500, 500, 200]);
      expect(new Set(seen.map((request) => request.body))).toEqual(new Set([delivery.body]));
      expect(seen[0]?.signature).toBe(metaSignature(delivery.body, 'fake-secret'));
    } finally {
      await server.close();
    }
  });

  it('builds statuses skipped, reordered and repeated on purpose', () => {
    const meta = new FakeMetaWebhook({
      url: 'http://127.0.0.1:1',
      appSecret: 's',
      phoneNumberId: '1',
    });
    const names = (items: ReturnType<typeof meta.lifecycle>) => items.map((i) => i.status.status);
    expect(names(meta.lifecycle('wamid.a', '212600000401'))).toEqual(['sent', 'delivered', 'read']);
    expect(names(meta.lifecycle('wamid.a', '212600000401', { skip: ['delivered'] }))).toEqual([
      'sent',
      'read',
    ]);
    expect(names(meta.lifecycle('wamid.a', '212600000401', { reorder: true }))).toEqual([
      'read',
      'delivered',
      'sent',
    ]);
    expect(names(meta.lifecycle('wamid.a', 'MA.123', { duplicate: true }))).toHaveLength(6);
    expect(meta.status('wamid.a', 'read', 'MA.123').status).toMatchObject({
      recipient_user_id: 'MA.123',
    });
  });
});
