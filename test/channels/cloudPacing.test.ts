import { afterEach, describe, expect, it } from 'vitest';
import type { FakeGraph } from '../../src/adapters/channels/cloud/fake/fakeGraph.js';
import { approve, cloudTestApp, proposedAlert, subscribeOnWhatsApp } from '../support/cloud.js';
import { api } from '../support/officerSession.js';
import type { TestApp } from '../support/testApp.js';

/**
 * Behaviour 7: the Cloud channel keeps the number's throughput and the pair
 * limit, and backs off when Graph says 130429 or 131056, so that in the end
 * everyone gets their message exactly once. No timing is asserted: the fake
 * refuses what comes too fast, and the tests count its refusals.
 */

let h: TestApp | undefined;
let fake: FakeGraph | undefined;
afterEach(async () => {
  await h?.close();
  await fake?.close();
  h = undefined;
  fake = undefined;
});

const addresses = (n: number, prefix = '+21261200') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

/** Every recipient got exactly `times` messages; every idempotency key was accepted once. */
function expectExactly(graph: FakeGraph, recipients: readonly string[], times: number) {
  const byRecipient = graph.countByRecipient();
  expect(recipients.filter((address) => byRecipient.get(address) !== times)).toEqual([]);
  expect([...graph.countByKey().values()].filter((count) => count !== 1)).toEqual([]);
}

describe('pacing on the Cloud channel', () => {
  it('stays within the number’s 80/s while the broadcast asks for more', async () => {
    ({ h, fake } = await cloudTestApp({ fake: { throughput: 80 }, cloud: { throughput: 80 } }));
    const recipients = addresses(240);
    await subscribeOnWhatsApp(h, recipients);
    const { alertId, supervisor } = await proposedAlert(h);
    await approve(h, supervisor, alertId);
    // The worker is set to 200/s; only the channel's bucket holds it to 80.
    await h.app.alertScheduler.runOnce();
    expect(fake.refusals.filter((code) => code === 130429)).toEqual([]);
    expectExactly(fake, recipients, 1);
  }, 60_000);

  it('pauses on 130429 and sends everyone once when the number is slower than configured', async () => {
    // Far slower than the channel believes: even a loaded machine sends faster than 4/s.
    ({ h, fake } = await cloudTestApp({ fake: { throughput: 4 }, cloud: { throughput: 1000 } }));
    const recipients = addresses(40);
    await subscribeOnWhatsApp(h, recipients);
    const { alertId, supervisor } = await proposedAlert(h);
    await approve(h, supervisor, alertId);
    await h.app.alertScheduler.runOnce();
    expect(fake.refusals.filter((code) => code === 130429).length).toBeGreaterThan(0);
    expectExactly(fake, recipients, 1);
    expect(h.logs.join('')).toContain('channel throttled: broadcast paused');
  }, 60_000);

  it('keeps the pair limit between an alert and its closing message', async () => {
    // Ours a little slower than Graph's, as in production: the two clocks measure at
    // different moments of the same send (before it leaves, when it arrives).
    ({ h, fake } = await cloudTestApp({
      fake: { pair: { intervalMs: 400, burst: 1 } },
      cloud: { pair: { intervalMs: 500, burst: 1 } },
    }));
    const recipients = addresses(4);
    await subscribeOnWhatsApp(h, recipients);
    const { alertId, supervisor } = await proposedAlert(h);
    await approve(h, supervisor, alertId);
    await h.app.alertScheduler.runOnce();
    const cancelled = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/cancel`, {});
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    await h.app.alertScheduler.runOnce();
    expect(fake.refusals.filter((code) => code === 131056)).toEqual([]);
    expectExactly(fake, recipients, 2);
    for (const address of recipients) {
      expect(fake.sentTo(address).map((message) => message.template?.name)).toEqual([
        'tifli_alert_text',
        'tifli_closing',
      ]);
    }
  }, 60_000);

  it('backs off a recipient on 131056 and sends the closing message later', async () => {
    ({ h, fake } = await cloudTestApp({
      fake: { pair: { intervalMs: 400, burst: 1 } },
      cloud: { pair: { intervalMs: 10, burst: 5 } },
    }));
    const recipients = addresses(3);
    await subscribeOnWhatsApp(h, recipients);
    const { alertId, supervisor } = await proposedAlert(h);
    await approve(h, supervisor, alertId);
    await h.app.alertScheduler.runOnce();
    await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/cancel`, {});
    await h.app.alertScheduler.runOnce();
    expect(fake.refusals.filter((code) => code === 131056).length).toBeGreaterThan(0);
    expectExactly(fake, recipients, 2);
  }, 60_000);
});
