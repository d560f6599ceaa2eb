import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  StatusRecorder,
  StatusUpdate,
} from '../../src/adapters/channels/cloud/inboundProcessor.js';
import {
  CLOUD,
  fakeMeta,
  postNotification,
  processed,
  RecordingSink,
} from '../support/cloudWebhook.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * A status may reach the webhook before the broadcast wrote the outbox entry
 * naming its message (Graph answered, Meta's status followed at once, the
 * database was slow). A status of an outbox message (it carries the
 * message's idempotency key) is then kept and tried again until the outbox
 * knows it, so the console counts it; the status of any other message (a
 * bot's reply) is not waited for. After half an hour it is given up.
 */

/** An outbox that does not know a message until it is told to. */
class LateOutbox implements StatusRecorder {
  readonly calls: StatusUpdate[] = [];
  readonly known = new Set<string>();

  async recordStatus(update: StatusUpdate): Promise<'recorded' | 'unknown'> {
    this.calls.push(update);
    return this.known.has(update.channelMessageId) ? 'recorded' : 'unknown';
  }

  callsFor(id: string): StatusUpdate[] {
    return this.calls.filter((update) => update.channelMessageId === id);
  }
}

let h: TestApp;
const outbox = new LateOutbox();
const meta = fakeMeta();

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A `delivered` status, with the idempotency key of an outbox entry or without. */
function delivered(id: string, key?: string) {
  const item = meta.status(id, 'delivered', '212641000011');
  return key ? { ...item, status: { ...item.status, biz_opaque_callback_data: key } } : item;
}

beforeAll(async () => {
  h = await createTestApp({
    whatsappCloud: {
      appSecret: CLOUD.appSecret,
      verifyToken: CLOUD.verifyToken,
      accessToken: CLOUD.accessToken,
      graphUrl: 'http://127.0.0.1:1',
      graphVersion: CLOUD.graphVersion,
      sink: new RecordingSink(),
      outbox,
      processing: { firstRetryMs: 20, maxRetryMs: 100 },
    },
  });
});
afterAll(async () => {
  await h.close();
});

describe('a status ahead of its outbox entry', () => {
  it('is tried again until the outbox names the message, then recorded', async () => {
    const id = 'wamid.HBgMahead-of-the-outbox-1';
    const answer = await postNotification(
      h.app,
      meta.notification([delivered(id, 'alert-1:alert:whatsapp:+212641000011')]),
    );
    expect(answer.statusCode).toBe(200);
    await waitFor(() => outbox.callsFor(id).length >= 3, 'the status to be tried again');
    outbox.known.add(id);
    await processed(h.app);
    const calls = outbox.callsFor(id).length;
    expect(calls).toBeGreaterThanOrEqual(4);
    // Recorded: not tried again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(outbox.callsFor(id)).toHaveLength(calls);
  });

  it("is not waited for when it is not an outbox message's (no idempotency key)", async () => {
    const id = 'wamid.HBgMa-reply-of-the-bot-1';
    const answer = await postNotification(h.app, meta.notification([delivered(id)]));
    expect(answer.statusCode).toBe(200);
    await processed(h.app);
    expect(outbox.callsFor(id)).toHaveLength(1);
  });

  it('is given up after half an hour, and that is logged', async () => {
    const id = 'wamid.HBgMnever-named-1';
    const answer = await postNotification(
      h.app,
      meta.notification([delivered(id, 'alert-2:alert:whatsapp:+212641000011')]),
    );
    expect(answer.statusCode).toBe(200);
    await waitFor(() => outbox.callsFor(id).length >= 2, 'the status to be tried again');
    h.clock.advance(31 * 60_000);
    await processed(h.app);
    expect(h.logs.join('')).toContain('status of an outbox message no entry names, dropped');
    const calls = outbox.callsFor(id).length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(outbox.callsFor(id)).toHaveLength(calls);
  });
});
