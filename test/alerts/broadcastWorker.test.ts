import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemoryLease } from '../../src/adapters/memory/memoryLease.js';
import { MemoryOutbox } from '../../src/adapters/memory/memoryOutbox.js';
import { BroadcastWorker, MAX_BUFFERED } from '../../src/app/alerts/broadcastWorker.js';
import type { AlertSender } from '../../src/app/ports/notifier.js';
import { type Delivery, deliveryId } from '../../src/core/alert/delivery.js';
import { createLogger } from '../../src/logger.js';

/**
 * The broadcast worker on the in-memory outbox and lease: it reads an
 * alert's pending entries through a bounded window, sends each once, and
 * only while it holds the lease.
 */

const NOW = new Date('2026-11-28T16:00:00Z');
const clock = { now: () => NOW };
const logger = createLogger(
  { level: 'silent' },
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  }),
);

function entries(alertId: string, count: number): Delivery[] {
  return Array.from({ length: count }, (_, i) => {
    const address = `+2126120${String(i).padStart(5, '0')}`;
    const subscriptionId = `dev:${address}`;
    return {
      _id: deliveryId(alertId, 'alert', subscriptionId),
      alertId,
      kind: 'alert',
      subscriptionId,
      channel: 'dev',
      address,
      language: 'fr',
      stage: 0,
      queuedAt: NOW,
    };
  });
}

/** A channel that records what it was asked to send, and how much the worker held meanwhile. */
class RecordingSender implements AlertSender {
  readonly sent: string[] = [];
  maxBacklog = 0;
  worker: BroadcastWorker | null = null;
  async send(delivery: Delivery): Promise<void> {
    this.sent.push(delivery._id);
    this.maxBacklog = Math.max(this.maxBacklog, this.worker?.backlog ?? 0);
  }
}

function workerWith(outbox: MemoryOutbox, lease: MemoryLease, sender: RecordingSender) {
  const worker = new BroadcastWorker({
    outbox,
    lease,
    recipients: { isActive: async (id) => !id.endsWith('00007') },
    sender,
    clock,
    logger,
    ratePerSecond: 20_000,
    leaseMs: 30_000,
    maySend: async () => true,
  });
  sender.worker = worker;
  return worker;
}

/** A channel that names every message it accepts, as WhatsApp's Cloud API does with a wamid. */
class NamingSender implements AlertSender {
  async send(delivery: Delivery): Promise<{ channelMessageId: string }> {
    return { channelMessageId: `wamid.${delivery.subscriptionId}` };
  }
}

describe('the broadcast worker', () => {
  it('records the message id the channel gave each message, so its statuses find the entry', async () => {
    const outbox = new MemoryOutbox();
    const worker = new BroadcastWorker({
      outbox,
      lease: new MemoryLease(),
      recipients: { isActive: async () => true },
      sender: new NamingSender(),
      clock,
      logger,
      ratePerSecond: 20_000,
      leaseMs: 30_000,
      maySend: async () => true,
    });
    const [first, second] = await outbox.enqueue(entries('alert-w', 2));
    expect(await worker.renewLease()).toBe(true);
    worker.follow('alert-w');
    await worker.drain();
    expect(await outbox.findByChannelMessageId(`wamid.${first?.subscriptionId}`)).toEqual(first);
    expect(
      await outbox.recordStatus({
        channelMessageId: `wamid.${second?.subscriptionId}`,
        status: 'read',
        at: NOW,
      }),
    ).toBe('recorded');
    expect(await outbox.progress('alert-w', false)).toMatchObject({
      sent: 2,
      delivered: 1,
      read: 1,
    });
  });

  it('sends every pending entry once, holding a bounded window of them in memory', async () => {
    const outbox = new MemoryOutbox();
    const sender = new RecordingSender();
    const worker = workerWith(outbox, new MemoryLease(), sender);
    await outbox.enqueue(entries('alert-a', 3 * MAX_BUFFERED));
    expect(await worker.renewLease()).toBe(true);
    worker.follow('alert-a');
    // Asked twice while reading: read again after, and nothing goes out twice.
    worker.follow('alert-a');
    await worker.drain();
    const total = 3 * MAX_BUFFERED - 1;
    expect(sender.sent).toHaveLength(total);
    expect(new Set(sender.sent).size).toBe(total);
    expect(sender.maxBacklog).toBeLessThanOrEqual(MAX_BUFFERED);
    expect(await outbox.progress('alert-a', false)).toMatchObject({
      queued: 0,
      sent: total,
      skipped: 1,
    });
    expect(worker.busy).toBe(false);
  });

  it('sends entries it was offered as they were enqueued, and has the outbox read when they do not fit', async () => {
    const outbox = new MemoryOutbox();
    const sender = new RecordingSender();
    const worker = workerWith(outbox, new MemoryLease(), sender);
    expect(await worker.renewLease()).toBe(true);
    const few = await outbox.enqueue(entries('alert-c', 20));
    expect(worker.offer('alert-c', few)).toBe(true);
    await worker.drain();
    expect(sender.sent).toHaveLength(19);
    const many = await outbox.enqueue(entries('alert-d', MAX_BUFFERED + 1));
    expect(worker.offer('alert-d', many)).toBe(false);
    expect(worker.busy).toBe(false);
    worker.follow('alert-d');
    await worker.drain();
    expect(sender.sent).toHaveLength(19 + MAX_BUFFERED);
  });

  it('sends nothing without the lease, and the next holder sends what is left', async () => {
    const outbox = new MemoryOutbox();
    const lease = new MemoryLease();
    const first = new RecordingSender();
    const second = new RecordingSender();
    const holder = workerWith(outbox, lease, first);
    const other = workerWith(outbox, lease, second);
    await outbox.enqueue(entries('alert-b', 50));
    expect(await holder.renewLease()).toBe(true);
    expect(await other.renewLease()).toBe(false);
    other.follow('alert-b');
    await other.drain();
    expect(second.sent).toEqual([]);

    holder.follow('alert-b');
    await holder.drain();
    await holder.stop();
    await outbox.enqueue(entries('alert-b', 60));
    expect(await other.renewLease()).toBe(true);
    other.follow('alert-b');
    await other.drain();
    expect(first.sent).toHaveLength(49);
    expect(second.sent).toHaveLength(10);
    expect(new Set([...first.sent, ...second.sent]).size).toBe(59);
  });

  it('takes nothing to send when its lease ran out while it was being renewed (a slow database)', async () => {
    /** A lease that answers after the worker's own margin has passed. */
    class SlowLease extends MemoryLease {
      override async acquire(owner: string, now: Date, ttlMs: number): Promise<boolean> {
        await new Promise((resolve) => setTimeout(resolve, 120));
        return super.acquire(owner, now, ttlMs);
      }
    }
    const outbox = new MemoryOutbox();
    await outbox.enqueue(entries('alert-d', 5));
    const sender = new RecordingSender();
    const worker = new BroadcastWorker({
      outbox,
      lease: new SlowLease(),
      recipients: { isActive: async () => true },
      sender,
      clock,
      logger,
      ratePerSecond: 20_000,
      leaseMs: 100,
      maySend: async () => true,
    });
    expect(await worker.renewLease()).toBe(true);
    // The scheduler marks an outbox as read only when the worker took it.
    expect(worker.follow('alert-d')).toBe(false);
    expect(worker.holdsLease).toBe(false);
  });
});
