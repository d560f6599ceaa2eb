import type { Connection } from 'mongoose';
import { mongo } from 'mongoose';
import { z } from 'zod';
import type { Outbox } from '../../app/ports/outbox.js';
import {
  countProgress,
  type Delivery,
  type DeliveryKind,
  type DeliveryProgress,
  deliveryId,
  parseStoredDelivery,
  RECEIPT_STATES,
  type ReceiptState,
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
 */
export class EmbeddedOutbox implements Outbox {
  private readonly entries: mongo.Collection<Delivery>;
  private readonly receipts: mongo.Collection<Receipt>;

  constructor(connection: Connection) {
    this.entries = connection.collection<Delivery>('alert_deliveries');
    this.receipts = connection.collection<Receipt>('alert_receipts');
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

  async settle(entry: Delivery, state: ReceiptState, now: Date, errorCode?: string): Promise<void> {
    try {
      await this.receipts.insertOne({
        _id: entry._id,
        alertId: entry.alertId,
        kind: entry.kind,
        state,
        queuedAt: entry.queuedAt,
        at: now,
        errorCode: errorCode ?? null,
      });
    } catch (error) {
      if (!(error instanceof mongo.MongoServerError) || error.code !== 11000) throw error;
    }
  }

  async received(alertId: string, subscriptionId: string): Promise<boolean> {
    const receipt = await this.receipts.findOne(
      { _id: deliveryId(alertId, 'alert', subscriptionId) },
      { projection: { state: 1 } },
    );
    return receipt?.state === 'sent';
  }

  async progress(alertId: string, ended: boolean): Promise<DeliveryProgress> {
    const [entryRows, receiptRows] = await Promise.all([
      this.entries
        .aggregate([{ $match: { alertId } }, { $group: { _id: '$kind', count: { $sum: 1 } } }])
        .toArray(),
      this.receipts
        .aggregate([
          { $match: { alertId } },
          { $group: { _id: { kind: '$kind', state: '$state' }, count: { $sum: 1 } } },
        ])
        .toArray(),
    ]);
    const rows = receiptRows.map((row) => {
      const parsed = receiptRowSchema.parse(row);
      return { kind: parsed._id.kind, state: parsed._id.state, count: parsed.count };
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
  }
}
