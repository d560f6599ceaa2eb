import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGraph } from '../../src/adapters/channels/cloud/fake/fakeGraph.js';
import { approve, cloudTestApp, proposedAlert, subscribeOnWhatsApp } from '../support/cloud.js';
import type { TestApp } from '../support/testApp.js';

/**
 * Nothing is sent twice when Graph takes a message but its answer is lost
 * (a timeout, a broken connection): the send stays claimed, and the status
 * Meta reports for it (carrying the idempotency key as
 * `biz_opaque_callback_data`) settles it instead of a second send.
 */

let h: TestApp;
let fake: FakeGraph;
const recipients = ['+212614000001', '+212614000002', '+212614000003'];
let alertId = '';

beforeAll(async () => {
  ({ h, fake } = await cloudTestApp({ cloud: { timeoutMs: 300, unconfirmedGraceMs: 1_500 } }));
  await subscribeOnWhatsApp(h, recipients);
  const proposed = await proposedAlert(h);
  alertId = proposed.alertId;
  await approve(h, proposed.supervisor, alertId);
  fake.acceptWithoutAnswer();
  await h.app.alertScheduler.runOnce();
});
afterAll(async () => {
  await h.close();
  await fake.close();
});

describe('a send whose answer was lost', () => {
  it('is settled by its status, not sent again', async () => {
    expect([...fake.countByKey().values()]).toEqual([1, 1, 1]);
    expect(fake.countByRecipient().size).toBe(recipients.length);
    expect((await h.app.alertOutbox.progress(alertId, false)).sent).toBe(recipients.length);
  });
});
