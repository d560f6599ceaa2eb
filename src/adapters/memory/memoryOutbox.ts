import type { Outbox } from '../../app/ports/outbox.js';
import {
  type ChannelStatus,
  countProgress,
  type Delivery,
  type DeliveryProgress,
  deliveryId,
  type OutboxState,
  type ReceiptState,
  type StatusRecorded,
  type StatusUpdate,
  statusAdvances,
} from '../../core/alert/delivery.js';

interface Entry {
  delivery: Delivery;
  state: OutboxState;
  errorCode?: string | undefined;
  /** The channel's id for the message, once sent, and the last status it reported. */
  channelMessageId?: string;
  status?: 'sent' | ChannelStatus;
  /** Insertion order, which breaks ties of `queuedAt` as a database's natural order would. */
  seq: number;
}

/** The outbox in memory (unit tests, benchmarks): first outcome wins, reads in queue order. */
export class MemoryOutbox implements Outbox {
  private readonly entries = new Map<string, Entry>();
  /** Channel message id → entry id. */
  private readonly byMessageId = new Map<string, string>();
  private seq = 0;

  async enqueue(entries: readonly Delivery[]): Promise<Delivery[]> {
    const fresh: Delivery[] = [];
    for (const delivery of entries) {
      if (this.entries.has(delivery._id)) continue;
      this.entries.set(delivery._id, {
        delivery: { ...delivery },
        state: 'queued',
        seq: this.seq++,
      });
      fresh.push(delivery);
    }
    return fresh;
  }

  async *pending(alertId: string): AsyncIterable<Delivery> {
    const queued = [...this.entries.values()]
      .filter((entry) => entry.delivery.alertId === alertId && entry.state === 'queued')
      .sort(
        (a, b) => a.delivery.queuedAt.getTime() - b.delivery.queuedAt.getTime() || a.seq - b.seq,
      );
    for (const entry of queued) {
      // Settled while the reader was behind: a cursor would not return it either.
      if (entry.state === 'queued') yield { ...entry.delivery };
    }
  }

  async *reached(alertId: string): AsyncIterable<Delivery> {
    for (const entry of [...this.entries.values()]) {
      const { delivery } = entry;
      if (delivery.alertId === alertId && delivery.kind === 'alert' && entry.state === 'sent')
        yield { ...delivery };
    }
  }

  async settle(
    entry: Delivery,
    state: ReceiptState,
    _now: Date,
    errorCode?: string,
    channelMessageId?: string,
  ): Promise<void> {
    const stored = this.entries.get(entry._id);
    if (stored?.state !== 'queued') return;
    stored.state = state;
    stored.errorCode = errorCode;
    if (state === 'sent' && channelMessageId) {
      stored.channelMessageId = channelMessageId;
      stored.status = 'sent';
      this.byMessageId.set(channelMessageId, entry._id);
    }
  }

  async recordStatus(update: StatusUpdate): Promise<StatusRecorded> {
    const id = this.byMessageId.get(update.channelMessageId);
    const stored = id === undefined ? undefined : this.entries.get(id);
    if (!stored?.status) return 'unknown';
    if (!statusAdvances(stored.status, update.status)) return 'unchanged';
    stored.status = update.status;
    if (update.status === 'failed') stored.errorCode = update.errorCode;
    return 'recorded';
  }

  async findByChannelMessageId(channelMessageId: string): Promise<Delivery | null> {
    const id = this.byMessageId.get(channelMessageId);
    const stored = id === undefined ? undefined : this.entries.get(id);
    return stored ? { ...stored.delivery } : null;
  }

  async received(alertId: string, subscriptionId: string): Promise<boolean> {
    return this.entries.get(deliveryId(alertId, 'alert', subscriptionId))?.state === 'sent';
  }

  async progress(alertId: string, ended: boolean): Promise<DeliveryProgress> {
    const rows = [...this.entries.values()]
      .filter((entry) => entry.delivery.alertId === alertId)
      .map((entry) => ({
        kind: entry.delivery.kind,
        state: entry.state,
        status: entry.status ?? null,
        count: 1,
      }));
    return countProgress(rows, ended);
  }

  async purge(alertId: string): Promise<void> {
    for (const [id, entry] of this.entries) {
      if (entry.delivery.alertId !== alertId) continue;
      this.entries.delete(id);
      if (entry.channelMessageId) this.byMessageId.delete(entry.channelMessageId);
    }
  }
}
