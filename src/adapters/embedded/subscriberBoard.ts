import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import type { SubscriberIndex, SubscriberPoint } from '../../app/ports/subscriptions.js';
import type { GeoPoint } from '../../core/alert/alert.js';
import { AppError } from '../../core/errors.js';
import { languageSchema } from '../../core/nlu/language.js';
import { cellsCovering, subscriberCell } from '../../core/place/cellCover.js';

const COLLECTION = 'subscriber_pages';
/** The board before it had pages: one document per 150 km cell, up to 54 MiB each. */
const LEGACY_COLLECTION = 'subscriber_cells';
const META_ID = 'meta';
/** The cells that have subscribers, for circles too wide to look their cells up one by one. */
const CELLS_ID = 'cells';
/**
 * Above this many cells (a circle of about 500 km), a selection reads the
 * list of cells with subscribers rather than each cell's directory: a
 * country-wide stage names tens of thousands of cells, most of them empty.
 */
const DIRECT_CELLS = 1_000;
/**
 * Members a page holds on average before its cell splits one more page
 * (about 14 KB at 70 bytes a member). FerretDB rewrites a whole document
 * for any change of it, and its cost grows with the number of fields
 * (measured: an update of a page of 250 members about 8 ms, of 1 000 about
 * 35 ms), so pages stay small; a 160 km stage then reads a few thousand.
 */
const MEMBERS_PER_PAGE = 200;
/** The longest member key accepted, so a page's size follows from its count. */
const MAX_KEY_LENGTH = 200;
/** Pages read at once by a selection (reads run in parallel on FerretDB, writes do not). */
const READ_AHEAD = 8;
/** Documents per insert while rebuilding: a few megabytes. */
const REBUILD_BATCH = 50;

/** A cell's directory: how its members are spread over its pages. */
interface DirectoryDocument {
  _id: string;
  /** Members ever put in the cell; never decreases, so pages only get smaller for it. */
  added: number;
  /** Splits claimed: the cell has `splits + 1` pages, numbered from 0. */
  splits: number;
}

/** One page of a cell: members by key, `language \t lat \t lon` each. */
interface PageDocument {
  _id: string;
  members: Record<string, string>;
  /** Members put on the page (an overcount when a member is put again): the page's guard. */
  n: number;
}

interface MetaDocument {
  _id: string;
  builtAt: Date;
}

interface CellListDocument {
  _id: string;
  /** A few thousand geohashes for a whole country: tens of kilobytes. */
  cells: Record<string, 1>;
}

const directorySchema = z.object({
  _id: z.string(),
  added: z.number().int(),
  splits: z.number().int().min(0),
});
const pageSchema = z.object({
  _id: z.string(),
  members: z.record(z.string(), z.string()).default({}),
  n: z.number().int().default(0),
});
const cellListSchema = z.object({ cells: z.record(z.string(), z.literal(1)).default({}) });
const pageCountSchema = z.object({ n: z.number().int() });
const memberSchema = z.tuple([
  languageSchema,
  z.coerce.number().min(-90).max(90),
  z.coerce.number().min(-180).max(180),
]);

const directoryId = (cell: string) => `cell:${cell}`;
const pageId = (cell: string, page: number) => `cell:${cell}:${page}`;

/**
 * A subscription id as a field name: no `.` (a path) and no leading `$`
 * (an operator), and reversible.
 */
function memberKey(subscriptionId: string): string {
  const key = encodeURIComponent(subscriptionId).replaceAll('.', '%2E');
  if (key.length > MAX_KEY_LENGTH)
    throw new AppError('bad_request', 'a subscription id too long for the subscriber board');
  return key;
}

const memberValue = (point: SubscriberPoint) =>
  `${point.language}\t${point.centre.lat}\t${point.centre.lon}`;

/** FNV-1a, 32 bits: which page of its cell a member goes to, the same on every instance. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The largest power of two not above `n` (n ≥ 1). */
const powerBelow = (n: number) => 2 ** (31 - Math.clz32(n));

/**
 * Linear hashing: with `splits + 1` pages, pages below the split point have
 * been split this round and are addressed with one more bit.
 */
export function pageOf(hash: number, splits: number): number {
  const pages = splits + 1;
  const round = powerBelow(pages);
  const low = hash % round;
  return low < pages - round ? hash % (round * 2) : low;
}

/** Split number `ticket` moves some members of page `source` to the new page `target`. */
function splitOf(ticket: number): { source: number; target: number; modulus: number } {
  const round = powerBelow(ticket + 1);
  const source = ticket + 1 - round;
  return { source, target: source + round, modulus: round * 2 };
}

/** The page a page was split from. */
const parentOf = (page: number): number | null => (page === 0 ? null : page - powerBelow(page));

/** Every page a page descends from, nearest first. */
function ancestorsOf(page: number): number[] {
  const ancestors: number[] = [];
  for (let above = parentOf(page); above !== null; above = parentOf(above)) ancestors.push(above);
  return ancestors;
}

/** Options of the board; tests make pages small to see many of them. */
export interface SubscriberBoardOptions {
  membersPerPage?: number;
}

/**
 * Where subscribers are, on the embedded FerretDB, which finds documents
 * quickly only by a bare `_id`: the active subscriptions projected into
 * cells of `SUBSCRIBER_CELL_PRECISION` (about 33 km × 20 km), each cell a
 * small directory document and pages of about two hundred members, all read
 * and written by `_id` alone (`cell:<geohash>` and `cell:<geohash>:<n>`).
 *
 * A member's page is fixed by a hash of its id (linear hashing), so a
 * subscribe writes the directory's counter and one page, and STOP unsets
 * one field on the member's page and on those it was split from, without
 * reading any. When a cell's pages hold more than
 * `membersPerPage` on average, one more page is split off one page (two
 * small writes); a page that still grows past twice that is split until it
 * is not. However dense a spot (a whole city subscribed to its centre), no
 * document grows past a few tens of kilobytes.
 *
 * The board is kept a superset of the active subscriptions: a member is put
 * before the subscription is stored and taken off after STOP is stored, and
 * a member put while its page was being split stays readable where it
 * landed (removal looks there too). The broadcast checks the subscription
 * itself before each send.
 */
export class SubscriberBoard implements SubscriberIndex {
  private readonly directories: mongo.Collection<DirectoryDocument>;
  private readonly pages: mongo.Collection<PageDocument>;
  private readonly meta: mongo.Collection<MetaDocument>;
  private readonly cellList: mongo.Collection<CellListDocument>;
  private readonly membersPerPage: number;
  /** Cells this instance has made sure are on the list. */
  private readonly listed = new Set<string>();

  constructor(
    private readonly connection: Connection,
    options: SubscriberBoardOptions = {},
  ) {
    this.directories = connection.collection<DirectoryDocument>(COLLECTION);
    this.pages = connection.collection<PageDocument>(COLLECTION);
    this.meta = connection.collection<MetaDocument>(COLLECTION);
    this.cellList = connection.collection<CellListDocument>(COLLECTION);
    this.membersPerPage = options.membersPerPage ?? MEMBERS_PER_PAGE;
  }

  /**
   * The most bytes a page may hold: twice `membersPerPage` members of the
   * longest key, with room for the members put while it is being split.
   */
  get maxPageBytes(): number {
    return Math.ceil(2.2 * this.membersPerPage) * (MAX_KEY_LENGTH + 64) + 1_024;
  }

  /** Puts a subscriber on the board, off the cell they were in before if they moved. */
  async put(point: SubscriberPoint, previous: GeoPoint | null): Promise<void> {
    const cell = subscriberCell(point.centre);
    const key = memberKey(point._id);
    const sameCell = previous !== null && subscriberCell(previous) === cell;
    if (previous && !sameCell) await this.remove(point._id, previous);
    if (!this.listed.has(cell)) {
      // Listed before anything is written in the cell, so a crash never leaves it unlisted.
      await this.cellList.updateOne(
        { _id: CELLS_ID },
        { $set: { [`cells.${cell}`]: 1 } },
        { upsert: true },
      );
      this.listed.add(cell);
    }
    const directory = directorySchema.parse(
      await this.directories.findOneAndUpdate(
        { _id: directoryId(cell) },
        { $inc: { added: 1 }, $setOnInsert: { splits: 0 } },
        { upsert: true, returnDocument: 'after' },
      ),
    );
    const page = pageOf(hashOf(key), directory.splits);
    // The whole page comes back (FerretDB has no projection on findAndModify): only its count is read.
    const written = pageCountSchema.parse(
      await this.pages.findOneAndUpdate(
        { _id: pageId(cell, page) },
        { $set: { [`members.${key}`]: memberValue(point) }, $inc: { n: 1 } },
        { upsert: true, returnDocument: 'after' },
      ),
    );
    // Moved within the cell: the older line may be on a page this one was split from.
    if (sameCell) await this.unsetAbove(cell, page, key);
    if (directory.added > this.membersPerPage * (directory.splits + 1)) await this.split(cell);
    if (written.n > 2 * this.membersPerPage) await this.splitUntil(cell, page, directory.splits);
  }

  /** Takes a subscriber off the board (after STOP). */
  async remove(subscriptionId: string, centre: GeoPoint): Promise<void> {
    const cell = subscriberCell(centre);
    const key = memberKey(subscriptionId);
    let seenSplits: number | null = null;
    // Again if the cell split meanwhile: the member may have been moved below.
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await this.directories.findOne({ _id: directoryId(cell) });
      if (!found) return;
      const { splits } = directorySchema.parse(found);
      if (splits === seenSplits) return;
      seenSplits = splits;
      const page = pageOf(hashOf(key), splits);
      await this.unsetWherePresent(cell, [page, ...ancestorsOf(page)], key);
    }
  }

  /** Subscribers whose area centre may lie within `radiusKm` of `centre`: the pages of the cells it touches. */
  async *within(centre: GeoPoint, radiusKm: number): AsyncIterable<SubscriberPoint> {
    const cells = await this.cellsWithSubscribers(cellsCovering(centre, radiusKm));
    const pageIds: Array<{ cell: string; id: string }> = [];
    for await (const found of readAhead(cells, (cell) =>
      this.directories.findOne({ _id: directoryId(cell) }),
    )) {
      if (!found) continue;
      const directory = directorySchema.parse(found);
      const cell = directory._id.slice('cell:'.length);
      for (let page = 0; page <= directory.splits; page++)
        pageIds.push({ cell, id: pageId(cell, page) });
    }
    // A member seen twice in a cell (put during a split) is given once.
    let seen = new Set<string>();
    let currentCell = '';
    for await (const { where, found } of readAhead(pageIds, async (where) => ({
      where,
      found: await this.pages.findOne({ _id: where.id }),
    }))) {
      if (!found) continue;
      if (where.cell !== currentCell) {
        currentCell = where.cell;
        seen = new Set();
      }
      for (const [key, value] of Object.entries(pageSchema.parse(found).members)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const member = memberSchema.safeParse(value.split('\t'));
        // A line that does not parse cannot be written to: it is not a recipient.
        if (!member.success) continue;
        const [language, lat, lon] = member.data;
        const subscriptionId = decodeURIComponent(key);
        const separator = subscriptionId.indexOf(':');
        yield {
          _id: subscriptionId,
          channel: subscriptionId.slice(0, separator),
          address: subscriptionId.slice(separator + 1),
          language,
          centre: { lat, lon },
        };
      }
    }
  }

  /** Of these cells, those that may have subscribers (all of them, when there are few). */
  private async cellsWithSubscribers(cells: string[]): Promise<string[]> {
    if (cells.length <= DIRECT_CELLS) return cells;
    const list = cellListSchema.parse((await this.cellList.findOne({ _id: CELLS_ID })) ?? {});
    return cells.filter((cell) => list.cells[cell] === 1);
  }

  /** Builds the board if it was never built (a database from before it existed). */
  async ensureBuilt(source: AsyncIterable<SubscriberPoint>): Promise<void> {
    if (await this.meta.findOne({ _id: META_ID })) return;
    await this.rebuild(source);
  }

  /**
   * Rebuilds the whole board from the subscriptions (start-up of an old
   * database, or after subscriptions were loaded in bulk): every cell gets
   * as many pages, a power of two, as keep them at most full, written in a few
   * large inserts. Not safe while people subscribe: run it before taking traffic.
   */
  async rebuild(source: AsyncIterable<SubscriberPoint>): Promise<void> {
    const byCell = new Map<string, Array<[string, string]>>();
    for await (const point of source) {
      const cell = subscriberCell(point.centre);
      const members = byCell.get(cell) ?? [];
      members.push([memberKey(point._id), memberValue(point)]);
      byCell.set(cell, members);
    }
    await this.dropLegacyBoard();
    await this.pages.deleteMany({});
    // Directories and pages share the collection, each inserted through its own view of it.
    let directories: DirectoryDocument[] = [];
    let pages: PageDocument[] = [];
    const flush = async () => {
      if (directories.length > 0) await this.directories.insertMany(directories);
      if (pages.length > 0) await this.pages.insertMany(pages);
      directories = [];
      pages = [];
    };
    for (const [cell, members] of byCell) {
      // Between half full and full: the first subscribes after it split nothing.
      const wanted = Math.ceil(members.length / this.membersPerPage);
      const count = wanted <= 1 ? 1 : 2 ** Math.ceil(Math.log2(wanted));
      const contents = Array.from({ length: count }, (): Record<string, string> => ({}));
      for (const [key, value] of members) {
        const page = contents[pageOf(hashOf(key), count - 1)];
        if (page) page[key] = value;
      }
      directories.push({ _id: directoryId(cell), added: members.length, splits: count - 1 });
      for (const [page, content] of contents.entries()) {
        pages.push({ _id: pageId(cell, page), members: content, n: Object.keys(content).length });
        if (pages.length >= REBUILD_BATCH) await flush();
      }
    }
    await flush();
    await this.cellList.insertOne({
      _id: CELLS_ID,
      cells: Object.fromEntries([...byCell.keys()].map((cell) => [cell, 1] as const)),
    });
    this.listed.clear();
    await this.meta.insertOne({ _id: META_ID, builtAt: new Date() });
  }

  /**
   * Claims the cell's next split and moves the members of its source page
   * whose hash now points to the new page: one write to each.
   */
  private async split(cell: string): Promise<{ source: number }> {
    const claimed = directorySchema.parse(
      await this.directories.findOneAndUpdate(
        { _id: directoryId(cell) },
        { $inc: { splits: 1 } },
        { returnDocument: 'after' },
      ),
    );
    const { source, target, modulus } = splitOf(claimed.splits - 1);
    const found = await this.pages.findOne({ _id: pageId(cell, source) });
    const moving = Object.entries(found ? pageSchema.parse(found).members : {}).filter(
      ([key]) => hashOf(key) % modulus === target,
    );
    if (moving.length === 0) return { source };
    await this.pages.updateOne(
      { _id: pageId(cell, target) },
      {
        $set: Object.fromEntries(moving.map(([key, value]) => [`members.${key}`, value])),
        $inc: { n: moving.length },
      },
      { upsert: true },
    );
    await this.pages.updateOne(
      { _id: pageId(cell, source) },
      {
        $unset: Object.fromEntries(moving.map(([key]) => [`members.${key}`, ''])),
        $inc: { n: -moving.length },
      },
    );
    return { source };
  }

  /** Splits the cell until `page` has been split (at most one round of its pages). */
  private async splitUntil(cell: string, page: number, splits: number): Promise<void> {
    for (let attempt = 0; attempt <= splits + 1; attempt++) {
      if ((await this.split(cell)).source === page) return;
    }
  }

  /**
   * Unsets a member from every page `page` descends from: a member put, or
   * moved by a split, while its page was being split may have stayed on any
   * of them (never elsewhere: each page a member was ever meant for is one).
   */
  private async unsetAbove(cell: string, page: number, key: string): Promise<void> {
    await this.unsetWherePresent(cell, ancestorsOf(page), key);
  }

  /**
   * Looks for the member on these pages at once (reads run in parallel on
   * FerretDB) and writes only to those that hold it: usually one, since
   * writes wait for each other.
   */
  private async unsetWherePresent(cell: string, pages: number[], key: string): Promise<void> {
    const field = `members.${key}`;
    const holding = await Promise.all(
      pages.map(async (page) => {
        const found = await this.pages.findOne(
          { _id: pageId(cell, page) },
          { projection: { [field]: 1 } },
        );
        return found?.members?.[key] === undefined ? null : page;
      }),
    );
    for (const page of holding) {
      if (page !== null)
        await this.pages.updateOne({ _id: pageId(cell, page) }, { $unset: { [field]: '' } });
    }
  }

  private async dropLegacyBoard(): Promise<void> {
    const legacy = await this.connection.db
      ?.listCollections({ name: LEGACY_COLLECTION }, { nameOnly: true })
      .toArray();
    if (legacy && legacy.length > 0) await this.connection.dropCollection(LEGACY_COLLECTION);
  }
}

/** Reads every item with up to `READ_AHEAD` reads in flight, in order. */
async function* readAhead<T, R>(items: readonly T[], read: (item: T) => Promise<R>) {
  const inFlight: Array<Promise<R>> = [];
  let next = 0;
  while (next < items.length || inFlight.length > 0) {
    while (next < items.length && inFlight.length < READ_AHEAD) {
      const item = items[next++];
      if (item === undefined) continue;
      const reading = read(item);
      // Awaited below in its turn; this only keeps a failure from being
      // reported as unhandled while an earlier read is still awaited.
      reading.catch(() => undefined);
      inFlight.push(reading);
    }
    const first = inFlight.shift();
    if (first) yield await first;
  }
}
