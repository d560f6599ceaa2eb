import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoAlertRepository } from '../../src/adapters/mongo/alertRepository.js';
import { connectTestDatabase } from '../support/database.js';

/** Stored alerts and outbox entries are parsed when read back, never trusted. */

let connection: Awaited<ReturnType<typeof connectTestDatabase>>['connection'];
let alerts: MongoAlertRepository;

beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
  alerts = new MongoAlertRepository(connection);
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

describe('the alert repository', () => {
  it('refuses to act on a stored alert that does not parse', async () => {
    await connection
      .collection<{ _id: string; state: string }>('alerts')
      .insertOne({ _id: 'broken-alert', state: 'active' });
    await expect(alerts.get('broken-alert')).rejects.toMatchObject({ code: 'internal' });
    await expect(alerts.open()).rejects.toMatchObject({ code: 'internal' });
    expect(await alerts.get('no-such-alert')).toBeNull();
  });

  it('enqueues an entry once, and settles it once', async () => {
    const entry = {
      _id: 'a1:alert:dev:+212611000001',
      alertId: 'a1',
      kind: 'alert' as const,
      subscriptionId: 'dev:+212611000001',
      channel: 'dev',
      address: '+212611000001',
      language: 'fr' as const,
      stage: 0,
      queuedAt: new Date('2026-11-28T16:00:00Z'),
    };
    expect(await alerts.enqueue([entry])).toHaveLength(1);
    expect(await alerts.enqueue([entry, { ...entry, _id: 'a1:alert:dev:+212611000002' }])).toEqual([
      { ...entry, _id: 'a1:alert:dev:+212611000002' },
    ]);
    expect((await alerts.pending('a1')).map((e) => e._id)).toHaveLength(2);
    await alerts.settle(entry, 'sent', new Date());
    await alerts.settle(entry, 'failed', new Date());
    expect((await alerts.pending('a1')).map((e) => e._id)).toEqual(['a1:alert:dev:+212611000002']);
    expect(await alerts.received('a1', 'dev:+212611000001')).toBe(true);
    expect(await alerts.progress('a1', false)).toMatchObject({ queued: 1, sent: 1, failed: 0 });
  });
});
