import type { Connection, mongo } from 'mongoose';
import {
  INBOUND_JOURNAL_KEEP_MS,
  type InboundJournal,
  type JournalEntry,
  storedJournalEntrySchema,
} from '../../app/ports/inboundJournal.js';
import { refusedAsDuplicates } from '../../mongoErrors.js';

/** One entry as stored: keyed by its id; `pending` until processed, then `processedAt`. */
interface JournalDocument {
  _id: string;
  kind: JournalEntry['kind'];
  chat: string;
  payload?: string;
  receivedAt: Date;
  position: number;
  pending?: true;
  processedAt?: Date;
}

/**
 * Written to a majority of the replica set and to its journal before the
 * channel is told the item was received: a failover right after the
 * acknowledgement must not lose it.
 */
const DURABLE = { w: 'majority', j: true } as const;

/**
 * The inbound journal on MongoDB: one document per item, keyed by its id, so
 * a redelivered id is refused by the `_id` index itself, whatever the number
 * of instances. A TTL index on `processedAt` forgets an id 8 days after it
 * was processed (an entry never processed has no `processedAt` and stays);
 * the unprocessed ones are found through an index on `{pending, receivedAt,
 * position}`. Marking one processed removes its payload: what a person wrote
 * is not kept longer than it takes to answer.
 */
export class MongoInboundJournal implements InboundJournal {
  private readonly entries: mongo.Collection<JournalDocument>;

  constructor(connection: Connection) {
    this.entries = connection.collection<JournalDocument>('inbound_journal');
  }

  /** Declares the indexes (start-up). */
  async init(): Promise<void> {
    await this.entries.createIndex(
      { processedAt: 1 },
      { expireAfterSeconds: Math.round(INBOUND_JOURNAL_KEEP_MS / 1000) },
    );
    await this.entries.createIndex({ pending: 1, receivedAt: 1, position: 1 });
  }

  async record(entries: readonly JournalEntry[]): Promise<JournalEntry[]> {
    if (entries.length === 0) return [];
    let refused = new Set<number>();
    try {
      await this.entries.insertMany(entries.map(documentOf), {
        ordered: false,
        writeConcern: DURABLE,
      });
    } catch (error) {
      refused = refusedAsDuplicates(error);
    }
    if (refused.size === 0) return [...entries];
    // Ids stored before: only those a crash left unprocessed are processed again.
    const seen = entries.filter((_, index) => refused.has(index)).map((entry) => entry.id);
    const stillPending = await this.entries.find({ _id: { $in: seen }, pending: true }).toArray();
    const pending = new Map(
      stillPending.map((document) => {
        const entry = storedJournalEntrySchema.parse(document);
        return [entry.id, entry];
      }),
    );
    return entries.flatMap((entry, index) => {
      if (!refused.has(index)) return [entry];
      const stored = pending.get(entry.id);
      return stored ? [stored] : [];
    });
  }

  async markProcessed(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.entries.updateMany(
      { _id: { $in: [...ids] }, pending: true },
      { $set: { processedAt: at }, $unset: { pending: '', payload: '' } },
      { writeConcern: DURABLE },
    );
  }

  async unprocessed(limit: number): Promise<JournalEntry[]> {
    const documents = await this.entries
      .find({ pending: true })
      .sort({ pending: 1, receivedAt: 1, position: 1 })
      .limit(limit)
      .toArray();
    return documents.map((document) => storedJournalEntrySchema.parse(document));
  }

  async purgeProcessed(before: Date): Promise<number> {
    const result = await this.entries.deleteMany({ processedAt: { $lt: before } });
    return result.deletedCount;
  }
}

/** The document of a new entry. */
function documentOf(entry: JournalEntry): JournalDocument {
  return {
    _id: entry.id,
    kind: entry.kind,
    chat: entry.chat,
    payload: entry.payload,
    receivedAt: entry.receivedAt,
    position: entry.position,
    pending: true,
  };
}
