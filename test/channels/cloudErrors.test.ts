import { afterEach, describe, expect, it } from 'vitest';
import type { FakeGraph } from '../../src/adapters/channels/cloud/fake/fakeGraph.js';
import {
  approve,
  cloudTestApp,
  proposedAlert,
  QUICK_RETRY,
  subscribeOnWhatsApp,
} from '../support/cloud.js';
import { api } from '../support/officerSession.js';
import type { TestApp } from '../support/testApp.js';

/**
 * Behaviour 8: 131026 / 131050 are never retried; 190, 368 and template
 * faults stop the broadcast and tell the supervisors (audit trail, live
 * event, the alert's view); passing faults are retried with back-off a
 * bounded number of times; nothing is sent twice.
 */

let h: TestApp | undefined;
let fake: FakeGraph | undefined;
afterEach(async () => {
  await h?.close();
  await fake?.close();
  h = undefined;
  fake = undefined;
});

const addresses = (n: number) =>
  Array.from({ length: n }, (_, i) => `+21261300${String(i).padStart(4, '0')}`);

async function broadcastTo(
  recipients: readonly string[],
  before?: (graph: FakeGraph) => void,
  cloud: Parameters<typeof cloudTestApp>[0] = {},
) {
  ({ h, fake } = await cloudTestApp(cloud));
  await subscribeOnWhatsApp(h, recipients);
  const proposed = await proposedAlert(h);
  await approve(h, proposed.supervisor, proposed.alertId);
  before?.(fake);
  await h.app.alertScheduler.runOnce();
  const progress = await h.app.alertOutbox.progress(proposed.alertId, false);
  return { ...proposed, progress, h, fake };
}

/** How many sends reached the fake at all: accepted or refused. */
const attempts = (graph: FakeGraph) => graph.accepted.length + graph.refusals.length;

describe('errors on the Cloud channel', () => {
  for (const code of [131026, 131050]) {
    it(`never retries ${code}: the recipient is settled as failed with the code`, async () => {
      const recipients = addresses(5);
      const run = await broadcastTo(recipients, (graph) => graph.failNext(code));
      expect(run.progress).toMatchObject({ sent: 4, failed: 1, queued: 0 });
      expect(run.fake.refusals).toEqual([code]);
      expect(attempts(run.fake)).toBe(5);
      expect(run.h.logs.join('')).toContain(`"code":"${code}"`);
    }, 60_000);
  }

  it('retries passing faults with back-off, then sends once', async () => {
    const recipients = addresses(4);
    const run = await broadcastTo(recipients, (graph) => {
      graph.failNext(131000);
      graph.failNext(1, 1, 500);
    });
    expect(run.progress).toMatchObject({ sent: 4, failed: 0, queued: 0 });
    expect(run.fake.refusals).toEqual([131000, 1]);
    expect([...run.fake.countByKey().values()]).toEqual([1, 1, 1, 1]);
  }, 60_000);

  it('gives up on a passing fault after a bounded number of attempts', async () => {
    const run = await broadcastTo(addresses(1), (graph) => graph.failNext(131000, 50));
    expect(run.progress).toMatchObject({ sent: 0, failed: 1, queued: 0 });
    expect(run.fake.refusals).toHaveLength(QUICK_RETRY.maxAttempts);
  }, 60_000);

  const halts: Array<[string, (graph: FakeGraph) => void, string]> = [
    [
      'a revoked token (190)',
      (graph) => {
        graph.accessToken = 'a-token-revoked-meanwhile';
      },
      '190',
    ],
    ['a restricted account (368)', (graph) => graph.failNext(368, 100), '368'],
    [
      'a paused template (132015)',
      (graph) => graph.setTemplateStatus('tifli_alert_text', 'fr', 'PAUSED'),
      '132015',
    ],
  ];
  for (const [what, breakIt, code] of halts) {
    it(`stops the broadcast on ${what} and tells the supervisors`, async () => {
      const recipients = addresses(30);
      const run = await broadcastTo(recipients, breakIt);
      // Nothing accepted, a handful refused (those already in flight), the rest left queued.
      expect(run.fake.accepted).toEqual([]);
      expect(run.fake.refusals.length).toBeLessThan(recipients.length);
      expect(run.progress.failed).toBe(0);
      expect(run.progress.queued).toBe(recipients.length);
      expect(run.h.app.broadcast.halt?.code).toBe(code);
      // Nothing more is sent while it is halted.
      const refusedBefore = run.fake.refusals.length;
      await run.h.app.alertScheduler.runOnce();
      expect(run.fake.refusals.length).toBe(refusedBefore);

      const view = await api(run.h.app, run.supervisor, 'GET', `/api/alerts/${run.alertId}`);
      expect(
        view.json<{ alert: { broadcastHalt: { code: string } } }>().alert.broadcastHalt.code,
      ).toBe(code);
      // The supervisors are told in the background of the send: wait for the audit entry.
      let halted: Awaited<ReturnType<typeof run.h.app.audit.forCase>> = [];
      for (let i = 0; i < 200 && halted.length === 0; i++) {
        const trail = await run.h.app.audit.forCase(run.caseId);
        halted = trail.filter((entry) => entry.action === 'alert.broadcast_halted');
        if (halted.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(halted).toHaveLength(1);
      expect(halted[0]?.details).toMatchObject({ code, alertId: run.alertId });
    }, 60_000);
  }
});
