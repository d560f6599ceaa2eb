import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import type { Outbox } from '../../app/ports/outbox.js';
import {
  CHANNEL_STATUSES,
  type ChannelStatus,
  countProgress,
  type Delivery,
  type DeliveryProgress,
  deliveryId,
  OUTBOX_STATES,
  type OutboxState,
  parseStoredDelivery,
  type ReceiptState,
  STATUS_RANK,
  type StatusRecorded,
  type StatusUpdate,
} from '../../core/alert/delivery.js';
import { refusedAsDuplicates } from '../../mongoErrors.js';

/** One outbox entry: the delivery and how it went, in one document. */
interface OutboxDocument extends Delivery {
  state: OutboxState;
  settledAt: Date | null;
  errorCode: string | null;
  /** The channel's id for the message it accepted; absent until then (the sparse index skips it). */
  channelMessageId?: string;
  /** The last status the channel reported, and its rank on the monotonic scale. */
  status?: 'sent' | ChannelStatus;
  statusRank?: number;
  statusAt?: Date;
}

/** How many entries a cursor brings per round trip: bounded memory, few round trips. */
const BATCH_SIZE = 1000;

const progressRowSchema = z.object({
  _id: z.object({
    kind: z.enum(['alert', 'closing']),
    state: z.enum(OUTBOX_STATES),
    status: z.enum(['sent', ...CHANNEL_STATUSES]).nullish(),
  }),
  count: z.number().int().min(0),
});

/**
 * The outbox on MongoDB: one document per entry that carries its own state,
 * so a worker's outcome is one `updateOne` by `_id` guarded by `queued` (the
 * first outcome wins), and the pending entries of an alert are one range of
 * the `{alertId, state, queuedAt}` index, read by cursor in queue order.
 * `{alertId, kind, state}` serves who was reached and the progress counts.
 * An alert of a few hundred thousand recipients is that many small
 * documents, never one that grows. The channel's statuses find their entry
 * through a unique sparse index on the channel's message id and move it with
 * one `updateOne` guarded by the status's rank, so they never go back.
 */
export class MongoOutbox implements Outbox {
  private readonly entries: mongo.Collection<OutboxDocument>;

  constructor(connection: Connection) {
    this.entries = connection.collection<OutboxDocument>('alert_outbox');
  }

  /** Builds the declared indexes; call once at start-up. */
  async init(): Promise<void> {
    await this.entries.createIndexes([
      { key: { alertId: 1, state: 1, queuedAt: 1 }, name: 'pending' },
      { key: { alertId: 1, kind: 1, state: 1 }, name: 'reached' },
      {
        key: { channelMessageId: 1 },
        name: 'channelMessageId',
        unique: true,
        // Only sent entries carry the field: the others stay out of the index.
        sparse: true,
      },
    ]);
  }

  async enqueue(entries: readonly Delivery[]): Promise<Delivery[]> {
    if (entries.length === 0) return [];
    const documents: OutboxDocument[] = entries.map((entry) => ({
      ...entry,
      state: 'queued',
      settledAt: null,
      errorCode: null,
    }));
    try {
      await this.entries.insertMany(documents, { ordered: false });
      return [...entries];
    } catch (error) {
      const refused = refusedAsDuplicates(error);
      return entries.filter((_, index) => !refused.has(index));
    }
  }

  async *pending(alertId: string): AsyncIterable<Delivery> {
    // Sorted on the index alone: adding `_id` would make MongoDB sort the
    // whole range in memory. Entries of one stage share their `queuedAt`.
    const cursor = this.entries
      .find({ alertId, state: 'queued' })
      .sort({ queuedAt: 1 })
      .batchSize(BATCH_SIZE);
    for await (const document of cursor) yield parseStoredDelivery(document);
  }

  async *reached(alertId: string): AsyncIterable<Delivery> {
    const cursor = this.entries
      .find({ alertId, kind: 'alert', state: 'sent' })
      .batchSize(BATCH_SIZE);
    for await (const document of cursor) yield parseStoredDelivery(document);
  }

  async settle(
    entry: Delivery,
    state: ReceiptState,
    now: Date,
    errorCode?: string,
    channelMessageId?: string,
  ): Promise<void> {
    const message: Partial<OutboxDocument> =
      state === 'sent' && channelMessageId
        ? { channelMessageId, status: 'sent', statusRank: STATUS_RANK.sent, statusAt: now }
        : {};
    await this.entries.updateOne(
      { _id: entry._id, state: 'queued' },
      { $set: { state, settledAt: now, errorCode: errorCode ?? null, ...message } },
    );
  }

  async recordStatus(update: StatusUpdate): Promise<StatusRecorded> {
    const rank = STATUS_RANK[update.status];
    // `failed` follows `sent` only; the others move up the scale, never down.
    const guard =
      update.status === 'failed' ? { statusRank: STATUS_RANK.sent } : { statusRank: { $lt: rank } };
    const moved = await this.entries.updateOne(
      { channelMessageId: update.channelMessageId, ...guard },
      {
        $set: {
          status: update.status,
          statusRank: rank,
          statusAt: update.at,
          ...(update.status === 'failed' ? { errorCode: update.errorCode ?? null } : {}),
        },
      },
    );
    if (moved.matchedCount > 0) return 'recorded';
    const known = await this.entries.findOne(
      { channelMessageId: update.channelMessageId },
      { projection: { _id: 1 } },
    );
    return known ? 'unchanged' : 'unknown';
  }

  async findByChannelMessageId(channelMessageId: string): Promise<Delivery | null> {
    const found = await this.entries.findOne({ channelMessageId });
    return found ? parseStoredDelivery(found) : null;
  }

  async received(alertId: string, subscriptionId: string): Promise<boolean> {
    const found = await this.entries.findOne(
      { _id: deliveryId(alertId, 'alert', subscriptionId) },
      { projection: { state: 1 } },
    );
    return found?.state === 'sent';
  }

  async progress(alertId: string, ended: boolean): Promise<DeliveryProgress> {
    const rows = await this.entries
      .aggregate([
        { $match: { alertId } },
        {
          $group: {
            _id: { kind: '$kind', state: '$state', status: '$status' },
            count: { $sum: 1 },
          },
        },
      ])
      .toArray();
    return countProgress(
      rows.map((row) => {
        const parsed = progressRowSchema.parse(row);
        const { kind, state, status } = parsed._id;
        return { kind, state, status: status ?? null, count: parsed.count };
      }),
      ended,
    );
  }

  async purge(alertId: string): Promise<void> {
    await this.entries.deleteMany({ alertId });
  }
}
