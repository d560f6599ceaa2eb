import { createHash } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import {
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

/** A page of the board of pending ids: field (a hash of the id) → the id. */
interface BoardPage {
  _id: string;
  ids?: Record<string, string>;
}

const boardPageSchema = z.object({
  _id: z.string(),
  ids: z.record(z.string(), z.string()).default({}),
});

/**
 * How many pages the board of pending ids is cut into. An id weighs about
 * 100 bytes on its page, so a page stays under 4 MiB up to some 35 000
 * pending ids and the board up to half a million: far more than a working
 * processor ever leaves behind, which is a handful.
 */
const BOARD_PAGES = 16;

/**
 * An id as a field name: message ids carry dots (`wamid.HBg…`), which a
 * field name may not, so the field is a hash and the value the id.
 */
const fieldOf = (id: string) => createHash('sha256').update(id).digest('base64url').slice(0, 22);
const pageOf = (id: string) =>
  `pending:${createHash('sha256').update(id).digest().readUInt16BE(0) % BOARD_PAGES}`;

/**
 * The inbound journal on the embedded FerretDB 1.24, which indexes nothing
 * but `_id` and has no TTL indexes. Entries are inserted by `_id` (a
 * redelivered id is refused by that index) and read back by `_id`; which
 * ones are not processed yet is a small board of pending ids, a few pages
 * read by `_id`, instead of a query that would scan the whole journal. The
 * retention job forgets processed ids (`purgeProcessed`), as MongoDB's TTL
 * index would.
 *
 * An entry is inserted before its id is put on the board and taken off the
 * board after it is marked processed, so a crash in between leaves at worst
 * an id on the board whose entry is already processed (dropped when read),
 * or an entry stored and not on the board yet: the channel was not
 * acknowledged then, the batch comes again, and `record` puts it on the board.
 */
export class EmbeddedInboundJournal implements InboundJournal {
  private readonly entries: mongo.Collection<JournalDocument>;
  private readonly board: mongo.Collection<BoardPage>;

  constructor(connection: Connection) {
    this.entries = connection.collection<JournalDocument>('inbound_journal');
    this.board = connection.collection<BoardPage>('inbound_journal_board');
  }

  async record(entries: readonly JournalEntry[]): Promise<JournalEntry[]> {
    if (entries.length === 0) return [];
    let refused = new Set<number>();
    try {
      await this.entries.insertMany(entries.map(documentOf), { ordered: false });
    } catch (error) {
      refused = refusedAsDuplicates(error);
    }
    const toProcess: JournalEntry[] = [];
    for (const [index, entry] of entries.entries()) {
      if (!refused.has(index)) {
        toProcess.push(entry);
        continue;
      }
      // Stored before: processed again only if it never was (a crash before the acknowledgement).
      const stored = await this.entries.findOne({ _id: entry.id });
      if (stored?.pending) toProcess.push(storedJournalEntrySchema.parse(stored));
    }
    await this.putOnBoard(toProcess.map((entry) => entry.id));
    return toProcess;
  }

  /**
   * One update per entry (FerretDB serves a bare `_id` filter from its index,
   * not `$in`), then one per board page touched.
   */
  async markProcessed(ids: readonly string[], at: Date): Promise<void> {
    for (const id of ids) {
      await this.entries.updateOne(
        { _id: id, pending: true },
        { $set: { processedAt: at }, $unset: { pending: '', payload: '' } },
      );
    }
    await this.takeOffBoard(ids);
  }

  async unprocessed(limit: number): Promise<JournalEntry[]> {
    const pages = await Promise.all(
      Array.from({ length: BOARD_PAGES }, (_, page) =>
        this.board.findOne({ _id: `pending:${page}` }),
      ),
    );
    const ids = pages.flatMap((page) =>
      page ? Object.values(boardPageSchema.parse(page).ids) : [],
    );
    const found: JournalEntry[] = [];
    for (const id of ids) {
      const stored = await this.entries.findOne({ _id: id });
      if (stored?.pending) found.push(storedJournalEntrySchema.parse(stored));
      // Processed (a crash between its two writes) or purged: off the board.
      else await this.takeOffBoard([id]);
    }
    return found
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.position - b.position)
      .slice(0, limit);
  }

  /** A scan on FerretDB, run by the retention job every quarter of an hour. */
  async purgeProcessed(before: Date): Promise<number> {
    const result = await this.entries.deleteMany({ processedAt: { $lt: before } });
    return result.deletedCount;
  }

  /** One update per board page touched. */
  private async putOnBoard(ids: readonly string[]): Promise<void> {
    for (const [page, fields] of byPage(ids, (id) => id)) {
      await this.board.updateOne({ _id: page }, { $set: fields }, { upsert: true });
    }
  }

  private async takeOffBoard(ids: readonly string[]): Promise<void> {
    for (const [page, fields] of byPage(ids, (): '' => '')) {
      await this.board.updateOne({ _id: page }, { $unset: fields });
    }
  }
}

/** The board fields of `ids`, by page: `ids.<hash of the id>` → `value(id)`. */
function byPage<V>(
  ids: readonly string[],
  value: (id: string) => V,
): Map<string, Record<string, V>> {
  const pages = new Map<string, Record<string, V>>();
  for (const id of ids) {
    const fields = pages.get(pageOf(id)) ?? {};
    fields[`ids.${fieldOf(id)}`] = value(id);
    pages.set(pageOf(id), fields);
  }
  return pages;
}

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
