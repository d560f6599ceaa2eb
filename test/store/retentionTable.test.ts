import { afterEach, describe, expect, it } from 'vitest';
import { RETENTION } from '../../src/core/retention.js';
import { say, sayAll } from '../support/chat.js';
import { api, caseIdOf, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const DAY = 24 * 3_600_000;

describe('the retention table enforced by the purge job', () => {
  it('deletes a closed case two years after its last change, never an open one', async () => {
    harness = await createTestApp();
    const { app, connection, clock } = harness;
    const closedRef = await submitReport(app, '+212600001301', { photo: true });
    const openRef = await submitReport(app, '+212600001302');
    const officer = await signIn(app, 'off.casa', 'officer', 'casablanca-settat');
    const closedId = await caseIdOf(app, closedRef);
    const rejected = await api(app, officer, 'POST', `/api/cases/${closedId}/reject`, {
      reason: 'duplicate',
    });
    expect(rejected.statusCode, rejected.body).toBe(200);

    clock.advance(RETENTION.closedCaseMs - DAY);
    expect(await app.purge()).toMatchObject({ closedCases: 0 });
    clock.advance(2 * DAY);
    expect(await app.purge()).toMatchObject({ closedCases: 1 });
    expect(
      await connection.collection<{ _id: string }>('cases').countDocuments({ _id: closedId }),
    ).toBe(0);
    expect(await connection.collection('photos').countDocuments()).toBe(0);
    expect(await app.cases.findIdByReference(openRef)).not.toBeNull();
    const trail = await connection.collection('audit').find({ caseId: closedId }).toArray();
    expect(trail.map((entry) => entry.action)).toContain('case.purged');
    expect(await app.purge()).toMatchObject({ closedCases: 0 });
  });

  it('forgets an opt-out 30 days after STOP, and decided rights requests after a year', async () => {
    harness = await createTestApp();
    const { app, connection, clock } = harness;
    const citizen = '+212600001303';
    await sayAll(app, citizen, [
      'Je veux recevoir les alertes',
      { location: { latitude: 33.5731, longitude: -7.5898 } },
      'ok',
      'oui',
      'ok',
      'STOP',
    ]);
    await say(app, citizen, 'voir mes données');
    expect(await app.subscriptions.find('dev', citizen)).toMatchObject({ status: 'stopped' });

    clock.advance(RETENTION.stoppedSubscriptionMs - DAY);
    expect(await app.purge()).toMatchObject({ stoppedSubscriptions: 0, rightsRequests: 0 });
    clock.advance(2 * DAY);
    expect(await app.purge()).toMatchObject({ stoppedSubscriptions: 1 });
    expect(await app.subscriptions.find('dev', citizen)).toBeNull();
    expect(await connection.collection('rights_requests').countDocuments()).toBe(1);
    clock.advance(RETENTION.decidedRightsRequestMs);
    expect(await app.purge()).toMatchObject({ rightsRequests: 1 });
    expect(await connection.collection('rights_requests').countDocuments()).toBe(0);
  });
});
