import { beforeEach, expect, it } from 'vitest';
import { EmbeddedOutbox } from '../../src/adapters/embedded/embeddedOutbox.js';
import { MemoryOutbox } from '../../src/adapters/memory/memoryOutbox.js';
import { MongoOutbox } from '../../src/adapters/mongo/mongoOutbox.js';
import type { Outbox } from '../../src/app/ports/outbox.js';
import { type Delivery, deliveryId } from '../../src/core/alert/delivery.js';
import { type Backend, describeContract } from './backends.js';

async function outboxFor(backend: Backend): Promise<Outbox> {
  switch (backend.kind) {
    case 'memory':
      return new MemoryOutbox();
    case 'embedded':
      return new EmbeddedOutbox(backend.connection);
    case 'mongo': {
      const outbox = new MongoOutbox(backend.connection);
      await outbox.init();
      return outbox;
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const START = new Date('2026-11-28T16:00:00Z');

/** An invented recipient's entry; `minute` orders the queue (the stage's enqueue time). */
function entry(
  alertId: string,
  n: number,
  options: { kind?: Delivery['kind']; minute?: number } = {},
): Delivery {
  const kind = options.kind ?? 'alert';
  const address = `+2126110${String(n).padStart(5, '0')}`;
  const subscriptionId = `dev:${address}`;
  return {
    _id: deliveryId(alertId, kind, subscriptionId),
    alertId,
    kind,
    subscriptionId,
    channel: 'dev',
    address,
    language: (['ar', 'fr', 'ary'] as const)[n % 3] ?? 'ar',
    stage: options.minute === undefined ? 0 : 1,
    queuedAt: new Date(START.getTime() + (options.minute ?? 0) * 60_000),
  };
}

async function collect(source: AsyncIterable<Delivery>): Promise<Delivery[]> {
  const all: Delivery[] = [];
  for await (const item of source) all.push(item);
  return all;
}

const ids = (entries: readonly Delivery[]) => entries.map((e) => e._id).sort();

describeContract('Outbox', (backend) => {
  let outbox: Outbox;
  let alertId: string;
  let counter = 0;
  beforeEach(async () => {
    outbox = await outboxFor(backend());
    counter += 1;
    alertId = `alert-${counter}-${Math.random().toString(16).slice(2, 10)}`;
  });

  it('stores an entry enqueued twice once, and returns only the new ones', async () => {
    const first = entry(alertId, 1);
    const second = entry(alertId, 2);
    expect(await outbox.enqueue([first])).toEqual([first]);
    expect(await outbox.enqueue([first, second])).toEqual([second]);
    expect(await outbox.enqueue([])).toEqual([]);
    expect(ids(await collect(outbox.pending(alertId)))).toEqual(ids([first, second]));
  });

  it('streams the pending entries in queue order, without the settled ones', async () => {
    const later = Array.from({ length: 30 }, (_, i) => entry(alertId, 5_000 + i, { minute: 120 }));
    const first = Array.from({ length: 1_200 }, (_, i) => entry(alertId, i));
    // The later ring is written first: the order is the queue's, not the insertion's.
    await outbox.enqueue(later);
    await outbox.enqueue(first.slice(0, 600));
    await outbox.enqueue(first.slice(600));
    const settled = [first[3], first[700], later[0]].filter((e) => e !== undefined);
    for (const done of settled) await outbox.settle(done, 'sent', START);

    const pending = await collect(outbox.pending(alertId));
    expect(pending).toHaveLength(first.length + later.length - settled.length);
    const times = pending.map((e) => e.queuedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(pending.map((e) => e._id)).not.toContain(first[3]?._id);
    expect(pending[0]).toEqual(first[0]);
    expect(await collect(outbox.pending('no-such-alert'))).toEqual([]);
  });

  it('can be read while entries are settled, and a new read resumes where sends stopped', async () => {
    await outbox.enqueue(Array.from({ length: 50 }, (_, i) => entry(alertId, i)));
    let read = 0;
    for await (const pending of outbox.pending(alertId)) {
      await outbox.settle(pending, 'sent', START);
      read += 1;
      if (read === 20) break;
    }
    expect(await collect(outbox.pending(alertId))).toHaveLength(30);
  });

  it('keeps the first outcome of an entry', async () => {
    const one = entry(alertId, 1);
    const two = entry(alertId, 2);
    await outbox.enqueue([one, two]);
    await outbox.settle(one, 'sent', START);
    await outbox.settle(one, 'failed', START, 'ECONNRESET');
    await outbox.settle(two, 'failed', START, 'ECONNRESET');
    await outbox.settle(two, 'sent', START);
    expect(await outbox.received(alertId, one.subscriptionId)).toBe(true);
    expect(await outbox.received(alertId, two.subscriptionId)).toBe(false);
    expect(await outbox.progress(alertId, false)).toEqual({
      queued: 0,
      sent: 1,
      delivered: 0,
      read: 0,
      failed: 1,
      skipped: 0,
      cancelled: 0,
      closingSent: 0,
    });
  });

  it('reaches only the alert entries that were sent', async () => {
    const sent = entry(alertId, 1);
    const skipped = entry(alertId, 2);
    const queued = entry(alertId, 3);
    const closing = entry(alertId, 1, { kind: 'closing' });
    await outbox.enqueue([sent, skipped, queued, closing]);
    await outbox.settle(sent, 'sent', START);
    await outbox.settle(skipped, 'skipped', START);
    await outbox.settle(closing, 'sent', START);
    expect(await collect(outbox.reached(alertId))).toEqual([sent]);
    expect(await outbox.received(alertId, queued.subscriptionId)).toBe(false);
    expect(await outbox.received(alertId, 'dev:+212600099999')).toBe(false);
  });

  it('counts progress, and counts what is still queued as cancelled once the alert ended', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => entry(alertId, i));
    await outbox.enqueue(entries);
    const [a, b, c, d] = entries;
    if (!a || !b || !c || !d) throw new Error('fixture');
    await outbox.settle(a, 'sent', START);
    await outbox.settle(b, 'sent', START);
    await outbox.settle(c, 'skipped', START);
    await outbox.settle(d, 'cancelled', START);
    const closing = entry(alertId, 0, { kind: 'closing' });
    await outbox.enqueue([closing, entry(alertId, 1, { kind: 'closing' })]);
    await outbox.settle(closing, 'sent', START);
    expect(await outbox.progress(alertId, false)).toEqual({
      queued: 2,
      sent: 2,
      delivered: 0,
      read: 0,
      failed: 0,
      skipped: 1,
      cancelled: 1,
      closingSent: 1,
    });
    expect(await outbox.progress(alertId, true)).toMatchObject({ queued: 0, cancelled: 3 });
  });

  it('purges one alert and leaves the others', async () => {
    const other = `${alertId}-other`;
    const mine = entry(alertId, 1);
    await outbox.enqueue([mine, entry(other, 1)]);
    await outbox.settle(mine, 'sent', START);
    await outbox.purge(alertId);
    expect(await collect(outbox.pending(alertId))).toEqual([]);
    expect(await collect(outbox.reached(alertId))).toEqual([]);
    expect(await outbox.received(alertId, mine.subscriptionId)).toBe(false);
    expect(await outbox.progress(alertId, false)).toMatchObject({ queued: 0, sent: 0 });
    expect(await collect(outbox.pending(other))).toHaveLength(1);
    // Purged entries may be enqueued again (they are new).
    expect(await outbox.enqueue([mine])).toEqual([mine]);
  });

  it('finds an entry by the message id the channel gave it when it was sent', async () => {
    const one = entry(alertId, 1);
    const two = entry(alertId, 2);
    await outbox.enqueue([one, two]);
    await outbox.settle(one, 'sent', START, undefined, `wamid.${alertId}.1`);
    await outbox.settle(two, 'sent', START);
    expect(await outbox.findByChannelMessageId(`wamid.${alertId}.1`)).toEqual(one);
    expect(await outbox.findByChannelMessageId(`wamid.${alertId}.2`)).toBeNull();
    // A second settle keeps the first outcome and its message id.
    await outbox.settle(one, 'sent', START, undefined, `wamid.${alertId}.other`);
    expect(await outbox.findByChannelMessageId(`wamid.${alertId}.other`)).toBeNull();
    expect(await outbox.findByChannelMessageId(`wamid.${alertId}.1`)).toEqual(one);
  });

  it('records statuses monotonically: sent < delivered < read, a duplicate or an older one is unchanged', async () => {
    const one = entry(alertId, 1);
    await outbox.enqueue([one]);
    const id = `wamid.${alertId}.1`;
    const at = new Date(START.getTime() + 5_000);
    expect(await outbox.recordStatus({ channelMessageId: id, status: 'delivered', at })).toBe(
      'unknown',
    );
    await outbox.settle(one, 'sent', START, undefined, id);
    expect(await outbox.recordStatus({ channelMessageId: id, status: 'delivered', at })).toBe(
      'recorded',
    );
    expect(await outbox.recordStatus({ channelMessageId: id, status: 'delivered', at })).toBe(
      'unchanged',
    );
    expect(await outbox.recordStatus({ channelMessageId: id, status: 'read', at })).toBe(
      'recorded',
    );
    // Reordered by the channel: an older status after a newer one changes nothing.
    expect(await outbox.recordStatus({ channelMessageId: id, status: 'delivered', at })).toBe(
      'unchanged',
    );
    expect(
      await outbox.recordStatus({
        channelMessageId: id,
        status: 'failed',
        at,
        errorCode: '131047',
      }),
    ).toBe('unchanged');
    expect(
      await outbox.recordStatus({ channelMessageId: 'wamid.nobody', status: 'read', at }),
    ).toBe('unknown');
    expect(await outbox.progress(alertId, false)).toMatchObject({
      sent: 1,
      delivered: 1,
      read: 1,
      failed: 0,
    });
  });

  it('counts a read that came without delivered as delivered too', async () => {
    const entries = Array.from({ length: 4 }, (_, i) => entry(alertId, i));
    await outbox.enqueue(entries);
    for (const [i, one] of entries.entries()) {
      await outbox.settle(one, 'sent', START, undefined, `wamid.${alertId}.${i}`);
    }
    const at = START;
    await outbox.recordStatus({ channelMessageId: `wamid.${alertId}.0`, status: 'read', at });
    await outbox.recordStatus({ channelMessageId: `wamid.${alertId}.1`, status: 'delivered', at });
    expect(await outbox.progress(alertId, false)).toEqual({
      queued: 0,
      sent: 4,
      delivered: 2,
      read: 1,
      failed: 0,
      skipped: 0,
      cancelled: 0,
      closingSent: 0,
    });
  });

  it('records a failure after sent once, with its code; nothing moves it afterwards', async () => {
    const one = entry(alertId, 1);
    const two = entry(alertId, 2);
    await outbox.enqueue([one, two]);
    const failing = `wamid.${alertId}.1`;
    const delivered = `wamid.${alertId}.2`;
    await outbox.settle(one, 'sent', START, undefined, failing);
    await outbox.settle(two, 'sent', START, undefined, delivered);
    const at = START;
    expect(
      await outbox.recordStatus({
        channelMessageId: failing,
        status: 'failed',
        at,
        errorCode: '131047',
      }),
    ).toBe('recorded');
    expect(
      await outbox.recordStatus({
        channelMessageId: failing,
        status: 'failed',
        at,
        errorCode: '131047',
      }),
    ).toBe('unchanged');
    expect(await outbox.recordStatus({ channelMessageId: failing, status: 'read', at })).toBe(
      'unchanged',
    );
    // A message delivered did not fail afterwards.
    await outbox.recordStatus({ channelMessageId: delivered, status: 'delivered', at });
    expect(
      await outbox.recordStatus({
        channelMessageId: delivered,
        status: 'failed',
        at,
        errorCode: '1',
      }),
    ).toBe('unchanged');
    expect(await outbox.progress(alertId, false)).toMatchObject({
      sent: 1,
      delivered: 1,
      read: 0,
      failed: 1,
    });
    // The entry still counts as reached: the closing message is tried again later.
    expect(await outbox.received(alertId, one.subscriptionId)).toBe(true);
  });

  it('forgets the message ids and statuses of a purged alert', async () => {
    const one = entry(alertId, 1);
    await outbox.enqueue([one]);
    const id = `wamid.${alertId}.1`;
    await outbox.settle(one, 'sent', START, undefined, id);
    await outbox.recordStatus({ channelMessageId: id, status: 'read', at: START });
    await outbox.purge(alertId);
    expect(await outbox.findByChannelMessageId(id)).toBeNull();
    expect(await outbox.recordStatus({ channelMessageId: id, status: 'read', at: START })).toBe(
      'unknown',
    );
  });
});
