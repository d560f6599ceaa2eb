import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGraph } from '../../src/adapters/channels/cloud/fake/fakeGraph.js';
import {
  approve,
  cloudTestApp,
  inboundActivity,
  proposedAlert,
  statusErrors,
  subscribeOnWhatsApp,
} from '../support/cloud.js';
import type { TestApp } from '../support/testApp.js';

/**
 * Behaviours 6, 9 and 10 on the Cloud channel, through the real app, its
 * database and a fake Graph API on a real port: free-form only inside the
 * 24 h window, the approved template otherwise (and after a 131047); an
 * alert's photo uploaded once for every recipient; a person known only by a
 * business-scoped id answered through `recipient`.
 */

let h: TestApp;
let fake: FakeGraph;

/** Wrote 1 h ago, and the fake's window agrees. */
const inWindow = '+212611000001';
/** Never wrote. */
const outside = ['+212611000002', '+212611000003', '+212611000004', '+212611000005'];
/** Our window says open, Meta's does not: free-form is taken (200), then fails with 131047. */
const staleWindow = '+212611000006';

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  ({ h, fake } = await cloudTestApp());
  const anHourAgo = new Date(h.clock.now().getTime() - 3600_000);
  await h.app.customerWindows.opened(inWindow, anHourAgo);
  fake.inbound(inWindow, anHourAgo);
  await h.app.customerWindows.opened(staleWindow, anHourAgo);
  await subscribeOnWhatsApp(h, [inWindow, ...outside, staleWindow]);
  const { alertId, supervisor } = await proposedAlert(h, { photo: true });
  await approve(h, supervisor, alertId);
  await h.app.alertScheduler.runOnce();
});
afterAll(async () => {
  await h.close();
  await fake.close();
});

describe('the Cloud channel and the 24 h window', () => {
  it('sends free-form (the photo with the alert as caption) inside the window', () => {
    const sent = fake.sentTo(inWindow);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.type).toBe('image');
    expect(sent[0]?.outsideWindow).toBe(false);
    expect(JSON.stringify(sent[0]?.body)).toContain('Yassine');
  });

  it('sends the approved utility template, photo as header, outside the window', () => {
    for (const address of outside) {
      const sent = fake.sentTo(address);
      expect(sent, address).toHaveLength(1);
      expect(sent[0]?.template).toEqual({ name: 'tifli_alert', language: 'fr' });
      const components = JSON.stringify(sent[0]?.body);
      expect(components).toContain('"type":"header"');
      expect(components).toContain('TF-');
      // Only the public projection: nothing the family said about hobbies or friends.
      expect(components).not.toMatch(/football|Bennani|cousin|Karima/);
    }
  });

  it('never attempts free-form where the window is closed', () => {
    expect(
      fake.accepted.filter((message) => message.outsideWindow && message.address !== staleWindow),
    ).toEqual([]);
  });

  it('sends the template again after a 131047 reported as a failed status', async () => {
    await waitFor(() => fake.sentTo(staleWindow).length === 2, 'the template resend');
    const [freeForm, template] = fake.sentTo(staleWindow);
    expect(freeForm?.outsideWindow).toBe(true);
    expect(template?.template).toEqual({ name: 'tifli_alert', language: 'fr' });
    // The journal knows the new message under the same idempotency key.
    const found = template ? await h.app.sendJournal.byChannelMessageId(template.wamid) : null;
    expect(found?.key).toBe(freeForm?.callbackData);
    expect(statusErrors).toEqual([]);
  });

  it('uploads the alert photo once for every recipient', () => {
    expect(fake.uploads).toBe(1);
    const mediaIds = new Set(
      fake.accepted.map((message) => JSON.stringify(message.body).match(/"id":"(\d+)"/)?.[1]),
    );
    expect(mediaIds.size).toBe(1);
  });

  it('answers a person known only by a business-scoped id through `recipient`', async () => {
    const userId = 'MA.4821337';
    fake.inbound(userId, h.clock.now());
    await h.app.cloud?.processActivity(
      inboundActivity(userId, 'Bonjour', h.clock.now(), 'wamid.inbound-user-id-1'),
    );
    const sent = fake.sentTo(userId);
    expect(sent.length).toBeGreaterThan(0);
    for (const message of sent) {
      expect(message.field).toBe('recipient');
      expect(message.dropped).toBe(false);
      expect(message.body.recipient).toBe(userId);
      expect(message.body.to).toBeUndefined();
    }
  });
});
