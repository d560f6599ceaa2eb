import type { Connection } from 'mongoose';
import { mongo } from 'mongoose';
import { z } from 'zod';
import type { Outbox } from '../../app/ports/outbox.js';
import {
  CHANNEL_STATUSES,
  type ChannelStatus,
  countProgress,
  type Delivery,
  type DeliveryKind,
  type DeliveryProgress,
  deliveryId,
  type ProgressRow,
  parseStoredDelivery,
  RECEIPT_STATES,
  type ReceiptState,
  type StatusRecorded,
  type StatusUpdate,
} from '../../core/alert/delivery.js';
import { refusedAsDuplicates } from '../../mongoErrors.js';

/** How an entry ended, inserted under the entry's `_id`; carries the entry's sort key. */
interface Receipt {
  _id: string;
  alertId: string;
  kind: DeliveryKind;
  state: ReceiptState;
  queuedAt: Date;
  at: Date;
  errorCode: string | null;
}

/**
 * What the channel said of a sent message, each fact inserted once under its
 * own `_id`: `message:<id>` names the entry a channel message id belongs to,
 * `status:<id>:<status>` records that the message reached that status.
 */
type StatusDocument =
  | { _id: string; type: 'message'; deliveryId: string; alertId: string; kind: DeliveryKind }
  | {
      _id: string;
      type: 'status';
      alertId: string;
      kind: DeliveryKind;
      status: ChannelStatus;
      at: Date;
      errorCode: string | null;
    };

const messageDocumentSchema = z.object({
  type: z.literal('message'),
  deliveryId: z.string(),
  alertId: z.string(),
  kind: z.enum(['alert', 'closing']),
});
const statusRowSchema = z.object({
  _id: z.object({ kind: z.enum(['alert', 'closing']), status: z.enum(CHANNEL_STATUSES) }),
  count: z.number(),
});
const messageKey = (channelMessageId: string) => `message:${channelMessageId}`;
const statusKey = (channelMessageId: string, status: ChannelStatus) =>
  `status:${channelMessageId}:${status}`;

const receiptKeySchema = z.object({ _id: z.string(), queuedAt: z.coerce.date() });
type SortKey = z.infer<typeof receiptKeySchema>;

const progressRowSchema = z.object({ _id: z.enum(['alert', 'closing']), count: z.number() });
const receiptRowSchema = z.object({
  _id: z.object({ kind: z.enum(['alert', 'closing']), state: z.enum(RECEIPT_STATES) }),
  count: z.number(),
});

/** How many documents a cursor brings per round trip. */
const BATCH_SIZE = 1000;
/** Queue order: `queuedAt`, then `_id` (outbox ids are ASCII, so both sides compare alike). */
const QUEUE_ORDER = { queuedAt: 1, _id: 1 } as const;

function compareKeys(a: SortKey, b: SortKey): number {
  const byTime = a.queuedAt.getTime() - b.queuedAt.getTime();
  if (byTime !== 0) return byTime;
  return a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

/**
 * The outbox on the embedded FerretDB 1.24. There an update whose filter is
 * not a bare `_id` reads the whole collection, and every update waits its
 * turn behind the launcher's write serialiser: an outbox whose entries
 * change state (MongoDB's shape) would cost a scan of a few hundred thousand
 * entries per message sent. So entries are inserted once and never updated,
 * and each outcome is a receipt inserted under the entry's `_id` (a second
 * one is refused as a duplicate: the first outcome wins).
 *
 * Pending and reached entries are a merge of two cursors in the same order
 * (`queuedAt`, `_id`): the alert's entries and its receipts. Each is one scan
 * on FerretDB, read in batches, so neither side is ever held whole in this
 * process, whatever the size of the alert.
 *
 * The channel's statuses are receipts too: a status is a document inserted
 * under `status:<message id>:<status>` (a duplicate is refused: `unchanged`),
 * found through `message:<message id>`, so a status costs reads and inserts by
 * `_id` only. `read` inserts `delivered` as well, so `delivered` counts every
 * message known delivered and the progress counts stay one aggregate each.
 */
export class EmbeddedOutbox implements Outbox {
  private readonly entries: mongo.Collection<Delivery>;
  private readonly receipts: mongo.Collection<Receipt>;
  private readonly statuses: mongo.Collection<StatusDocument>;

  constructor(connection: Connection) {
    this.entries = connection.collection<Delivery>('alert_deliveries');
    this.receipts = connection.collection<Receipt>('alert_receipts');
    this.statuses = connection.collection<StatusDocument>('alert_statuses');
  }

  async enqueue(entries: readonly Delivery[]): Promise<Delivery[]> {
    if (entries.length === 0) return [];
    try {
      // Copies: the driver adds nothing to ours, but the caller's array stays theirs.
      await this.entries.insertMany(
        entries.map((entry) => ({ ...entry })),
        { ordered: false },
      );
      return [...entries];
    } catch (error) {
      const refused = refusedAsDuplicates(error);
      return entries.filter((_, index) => !refused.has(index));
    }
  }

  pending(alertId: string): AsyncIterable<Delivery> {
    return this.merge({ alertId }, { alertId }, false);
  }

  reached(alertId: string): AsyncIterable<Delivery> {
    return this.merge({ alertId, kind: 'alert' }, { alertId, kind: 'alert', state: 'sent' }, true);
  }

  /**
   * The entries matching `entryFilter` that have (`withReceipt`) or have not
   * a receipt matching `receiptFilter`, in queue order.
   */
  private async *merge(
    entryFilter: Partial<Delivery>,
    receiptFilter: Partial<Receipt>,
    withReceipt: boolean,
  ): AsyncIterable<Delivery> {
    const receipts = this.receipts
      .find(receiptFilter, { projection: { _id: 1, queuedAt: 1 } })
      .sort(QUEUE_ORDER)
      .batchSize(BATCH_SIZE)
      [Symbol.asyncIterator]();
    const nextReceipt = async (): Promise<SortKey | null> => {
      const next = await receipts.next();
      return next.done ? null : receiptKeySchema.parse(next.value);
    };
    let receipt = await nextReceipt();
    try {
      const entries = this.entries.find(entryFilter).sort(QUEUE_ORDER).batchSize(BATCH_SIZE);
      for await (const document of entries) {
        const entry = parseStoredDelivery(document);
        while (receipt && compareKeys(receipt, entry) < 0) receipt = await nextReceipt();
        const settled = receipt !== null && receipt._id === entry._id;
        if (settled === withReceipt) yield entry;
      }
    } finally {
      await receipts.return?.();
    }
  }

  async settle(
    entry: Delivery,
    state: ReceiptState,
    now: Date,
    errorCode?: string,
    channelMessageId?: string,
  ): Promise<void> {
    if (state === 'sent' && channelMessageId) {
      // Settled before: the first outcome, and the message id it named, stay.
      if (await this.receipts.findOne({ _id: entry._id }, { projection: { _id: 1 } })) return;
      // The message's name first: a crash before the receipt leaves the entry queued, named
      // by a message id the channel may report on (its statuses are then counted once sent).
      await insertOnce(this.statuses, {
        _id: messageKey(channelMessageId),
        type: 'message',
        deliveryId: entry._id,
        alertId: entry.alertId,
        kind: entry.kind,
      });
    }
    await insertOnce(this.receipts, {
      _id: entry._id,
      alertId: entry.alertId,
      kind: entry.kind,
      state,
      queuedAt: entry.queuedAt,
      at: now,
      errorCode: errorCode ?? null,
    });
  }

  async recordStatus(update: StatusUpdate): Promise<StatusRecorded> {
    const { channelMessageId: id } = update;
    const named = await this.statuses.findOne({ _id: messageKey(id) });
    if (!named) return 'unknown';
    const message = messageDocumentSchema.parse(named);
    const reached = async (status: ChannelStatus) =>
      (await this.statuses.findOne({ _id: statusKey(id, status) }, { projection: { _id: 1 } })) !==
      null;
    // `failed` is final and follows `sent` only (a `read` message has its `delivered` too).
    if (await reached('failed')) return 'unchanged';
    if (update.status === 'failed' && (await reached('delivered'))) return 'unchanged';
    const receipt = (status: ChannelStatus): StatusDocument => ({
      _id: statusKey(id, status),
      type: 'status',
      alertId: message.alertId,
      kind: message.kind,
      status,
      at: update.at,
      errorCode: status === 'failed' ? (update.errorCode ?? null) : null,
    });
    if (update.status === 'read') await insertOnce(this.statuses, receipt('delivered'));
    return (await insertOnce(this.statuses, receipt(update.status))) ? 'recorded' : 'unchanged';
  }

  async findByChannelMessageId(channelMessageId: string): Promise<Delivery | null> {
    const named = await this.statuses.findOne({ _id: messageKey(channelMessageId) });
    if (!named) return null;
    const { deliveryId: id } = messageDocumentSchema.parse(named);
    const entry = await this.entries.findOne({ _id: id });
    return entry ? parseStoredDelivery(entry) : null;
  }

  async received(alertId: string, subscriptionId: string): Promise<boolean> {
    const receipt = await this.receipts.findOne(
      { _id: deliveryId(alertId, 'alert', subscriptionId) },
      { projection: { state: 1 } },
    );
    return receipt?.state === 'sent';
  }

  async progress(alertId: string, ended: boolean): Promise<DeliveryProgress> {
    const [entryRows, receiptRows, statusRows] = await Promise.all([
      this.entries
        .aggregate([{ $match: { alertId } }, { $group: { _id: '$kind', count: { $sum: 1 } } }])
        .toArray(),
      this.receipts
        .aggregate([
          { $match: { alertId } },
          { $group: { _id: { kind: '$kind', state: '$state' }, count: { $sum: 1 } } },
        ])
        .toArray(),
      this.statuses
        .aggregate([
          { $match: { alertId, type: 'status' } },
          { $group: { _id: { kind: '$kind', status: '$status' }, count: { $sum: 1 } } },
        ])
        .toArray(),
    ]);
    const statusCounts = statusRows.map((row) => statusRowSchema.parse(row));
    const reported = (kind: DeliveryKind, status: ChannelStatus) =>
      statusCounts.find((row) => row._id.kind === kind && row._id.status === status)?.count ?? 0;
    const rows = receiptRows.flatMap((row): ProgressRow[] => {
      const parsed = receiptRowSchema.parse(row);
      const { kind, state } = parsed._id;
      if (state !== 'sent') return [{ kind, state, count: parsed.count }];
      // Sent messages, split by the last status the channel reported for them.
      const failed = reported(kind, 'failed');
      const delivered = reported(kind, 'delivered');
      const read = reported(kind, 'read');
      return [
        { kind, state, status: null, count: parsed.count - failed - delivered },
        { kind, state, status: 'failed', count: failed },
        { kind, state, status: 'delivered', count: delivered - read },
        { kind, state, status: 'read', count: read },
      ];
    });
    // Entries without a receipt are the queued ones.
    const queued = (kind: DeliveryKind) =>
      entryRows.map((row) => progressRowSchema.parse(row)).find((row) => row._id === kind)?.count ??
      0;
    const settled = (kind: DeliveryKind) =>
      rows.filter((row) => row.kind === kind).reduce((sum, row) => sum + row.count, 0);
    return countProgress(
      [
        ...rows,
        { kind: 'alert', state: 'queued', count: queued('alert') - settled('alert') },
        { kind: 'closing', state: 'queued', count: queued('closing') - settled('closing') },
      ],
      ended,
    );
  }

  async purge(alertId: string): Promise<void> {
    await this.entries.deleteMany({ alertId });
    await this.receipts.deleteMany({ alertId });
    await this.statuses.deleteMany({ alertId });
  }
}

/** Inserts a document unless one has its `_id`; whether it was inserted. */
async function insertOnce<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  document: mongo.OptionalUnlessRequiredId<T>,
): Promise<boolean> {
  try {
    await collection.insertOne(document);
    return true;
  } catch (error) {
    if (error instanceof mongo.MongoServerError && error.code === 11000) return false;
    throw error;
  }
}
