import { createHash } from 'node:crypto';
import type { Collection, Connection } from 'mongoose';
import { z } from 'zod';
import type { CaseQueue } from '../../app/ports/caseStore.js';
import { OPEN_STATUSES } from '../../core/case/caseLifecycle.js';
import type { CaseStatus } from '../../core/case/caseStatus.js';
import type { QueueScope } from '../../core/case/queueScope.js';
import {
  byQueueOrder,
  type QueueEntry,
  queueEntry,
  queueEntrySchema,
} from '../../core/case/storedCase.js';

const isOpen = (status: CaseStatus): boolean => OPEN_STATUSES.some((open) => open === status);

/**
 * How a region's board is cut. A case goes to one of `slots` slots by a hash
 * of its id; a slot is a chain of pages of at most `pageEntries` entries each.
 * A page that is full continues on the next page of its chain, so a region
 * holds any number of open cases while every page stays small: with the
 * defaults, 32 slots of 512 entries hold 16 384 open cases per region before
 * a second page is needed, and a page stays under 3.2 MiB (512 entries of at
 * most 6 KiB, their versions and 512 closed cases' versions), far below
 * FerretDB's missing 16 MiB guard.
 */
export interface QueueBoardShape {
  slots: number;
  pageEntries: number;
  /** Closed cases whose last version a slot's first page remembers (the newest are kept). */
  closedVersions: number;
}

export const DEFAULT_QUEUE_BOARD_SHAPE: QueueBoardShape = {
  slots: 32,
  pageEntries: 512,
  closedVersions: 512,
};

/** The most one entry's JSON may weigh; with `pageEntries` it bounds a page. */
export const MAX_ENTRY_BYTES = 6 * 1024;
/** Free text shown in the queue (the child's name, the city) is cut to this on the board. */
const MAX_SHOWN_TEXT = 200;

/** One page as stored: a map, so one case changes with one `$set`/`$unset` by `_id`. */
const pageSchema = z.object({
  _id: z.string(),
  /**
   * Open cases by case id, each as compact JSON: strings, which the database
   * hands back far faster than as many nested documents.
   */
  entries: z.record(z.string(), z.string()).default({}),
  /** Each entry's `updatedAt`, so an older state never overwrites a newer one. */
  versions: z.record(z.string(), z.coerce.date()).default({}),
  /** On a slot's first page: the last version of cases that left the queue. */
  closed: z.record(z.string(), z.coerce.date()).default({}),
  /** The page is full and its slot continues on the next page. */
  next: z.boolean().default(false),
});
type Page = z.infer<typeof pageSchema>;

interface PageDocument {
  _id: string;
  [field: string]: unknown;
}

/** Case ids become field names: only ids that are safe as such are accepted. */
const safeId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

const NO_REGION = 'none';
const regionKey = (region: string | null) => region ?? NO_REGION;
const pageId = (region: string | null, slot: number, level: number) =>
  level === 0
    ? `queue:${regionKey(region)}:${slot}`
    : `queue:${regionKey(region)}:${slot}:${level}`;
/** The region and slot a page belongs to, from its `_id`. */
function slotOfPage(id: string): { region: string | null; slot: number } | null {
  const match = /^queue:([^:]+):(\d+)(?::\d+)?$/.exec(id);
  if (!match?.[1] || !match[2]) return null;
  return { region: match[1] === NO_REGION ? null : match[1], slot: Number(match[2]) };
}

/** What the board stores of a case: its queue fields, with free text cut to a bounded size. */
function boardJson(stored: QueueEntry): string {
  const entry = queueEntry(stored);
  const json = JSON.stringify({
    ...entry,
    child: { ...entry.child, fullName: entry.child.fullName.slice(0, MAX_SHOWN_TEXT) },
    lastSeen: { ...entry.lastSeen, city: entry.lastSeen.city?.slice(0, MAX_SHOWN_TEXT) ?? null },
  });
  if (Buffer.byteLength(json) > MAX_ENTRY_BYTES) {
    throw new Error(`a queue entry would weigh more than ${MAX_ENTRY_BYTES} bytes`);
  }
  return json;
}

/** A slot's chain as read, first page first; a page that is not stored yet reads as empty. */
interface Chain {
  region: string | null;
  slot: number;
  pages: Page[];
}

const emptyPage = (_id: string): Page => ({
  _id,
  entries: {},
  versions: {},
  closed: {},
  next: false,
});

/** The writes one slot needs, gathered so each page is written once. */
class ChainChanges {
  private readonly sets = new Map<string, Record<string, unknown>>();
  private readonly unsets = new Map<string, Record<string, ''>>();
  /** Pages to flag as continued, written before the page they lead to. */
  readonly continued: string[] = [];

  /** The last of a `set` and an `unset` of one field wins (one update cannot do both). */
  set(page: string, field: string, value: unknown): void {
    const set = this.sets.get(page) ?? {};
    set[field] = value;
    this.sets.set(page, set);
    delete this.unsets.get(page)?.[field];
  }

  unset(page: string, field: string): void {
    const unset = this.unsets.get(page) ?? {};
    unset[field] = '';
    this.unsets.set(page, unset);
    delete this.sets.get(page)?.[field];
  }

  /** One update per changed page, in chain order. */
  updates(): Array<{ page: string; $set?: Record<string, unknown>; $unset?: Record<string, ''> }> {
    const pages = [...new Set([...this.sets.keys(), ...this.unsets.keys()])];
    return pages.map((page) => {
      const $set = this.sets.get(page) ?? {};
      const $unset = this.unsets.get(page) ?? {};
      return {
        page,
        ...(Object.keys($set).length > 0 ? { $set } : {}),
        ...(Object.keys($unset).length > 0 ? { $unset } : {}),
      };
    });
  }
}

/**
 * The officers' queue on the embedded FerretDB, which cannot use secondary
 * indexes and runs one write at a time: a projection of the open cases cut
 * into small pages, written after each change of a case. The cases
 * collection stays the truth. Every read and write goes by `_id` alone (any
 * other filter makes FerretDB read the whole collection): a region's queue is
 * one lookup per page, and a change of a case rewrites one small page, never
 * the region's whole queue.
 *
 * A write never replaces a newer entry with an older one: each entry carries
 * its case's `updatedAt`, and a slot's first page remembers the last version
 * of cases that left the queue, so a late write of an older state neither
 * undoes a claim nor brings a closed case back. This process orders its own
 * writes to a slot one after another; between two processes (a rolling
 * restart) the guard is a read then a write, and the next `rebuild` mends
 * what a rare overlap could leave.
 */
export class QueueBoard implements CaseQueue {
  private readonly pages: Collection<PageDocument>;
  private readonly legacyBoards: Collection<PageDocument>;
  private readonly shape: QueueBoardShape;
  /** The tail of each slot's writes in this process. */
  private readonly slotWrites = new Map<string, Promise<void>>();

  constructor(connection: Connection, shape: Partial<QueueBoardShape> = {}) {
    this.pages = connection.collection<PageDocument>('queue_pages');
    this.legacyBoards = connection.collection<PageDocument>('queue_boards');
    this.shape = { ...DEFAULT_QUEUE_BOARD_SHAPE, ...shape };
  }

  /** The slot a case belongs to in its region: a stable hash of its id. */
  slotOf(caseId: string): number {
    return createHash('sha256').update(caseId).digest().readUInt32BE(0) % this.shape.slots;
  }

  /**
   * Shows the case's current state on its region's board (or takes it off
   * once closed). When its region just changed, it first leaves the old
   * region's board, which remembers its version there as a closed case's, so
   * a late write of the older state does not bring it back.
   */
  async reflect(
    stored: QueueEntry,
    options: { isNew?: boolean; previousRegion?: string | null } = {},
  ): Promise<void> {
    const id = safeId.parse(stored._id);
    const slot = this.slotOf(id);
    const { previousRegion } = options;
    if (previousRegion !== undefined && previousRegion !== stored.region) {
      await this.inSlot(previousRegion, slot, async () => {
        const chain = await this.readChain(previousRegion, slot);
        const changes = new ChainChanges();
        // Off the old board: as if it had closed there, at this version.
        this.place(chain, { ...stored, region: previousRegion, status: 'closed' }, changes, {
          guard: true,
        });
        await this.write(changes);
      });
    }
    await this.inSlot(stored.region, slot, async () => {
      const chain = await this.readChain(stored.region, slot);
      const changes = new ChainChanges();
      this.place(chain, stored, changes, { guard: !options.isNew });
      await this.write(changes);
    });
  }

  /**
   * Open cases in these statuses, by priority then waiting time: of one
   * region, of none (the national queue: the board of cases without a
   * region, read by `_id` like any region's), or of all.
   */
  async list(statuses: readonly CaseStatus[], scope: QueueScope): Promise<QueueEntry[]> {
    const boardOf = async (region: string | null) =>
      (
        await Promise.all(
          Array.from({ length: this.shape.slots }, (_, slot) => this.readChain(region, slot)),
        )
      ).flatMap((chain) => chain.pages);
    const pages =
      scope.kind === 'all'
        ? // Every document of the collection is a page of some region: one pass reads all.
          (await this.pages.find({}).toArray()).map((document) => pageSchema.parse(document))
        : await boardOf(scope.kind === 'region' ? scope.region : null);
    const byId = new Map<string, QueueEntry>();
    for (const page of pages) {
      for (const json of Object.values(page.entries)) {
        const entry = queueEntrySchema.parse(JSON.parse(json));
        const seen = byId.get(entry._id);
        if (!seen || seen.updatedAt.getTime() < entry.updatedAt.getTime())
          byId.set(entry._id, entry);
      }
    }
    return [...byId.values()].filter((entry) => statuses.includes(entry.status)).sort(byQueueOrder);
  }

  /**
   * Restores the boards from the open cases (start-up, and after a crash
   * between a case's write and its board's): adds what is missing, updates
   * what is older than its case, and removes entries of cases that are no
   * longer open. It respects the version guard like `reflect`: an entry newer
   * than the case as the walk read it (a claim made meanwhile) stays, and an
   * entry written during the walk is not taken for a stale one.
   */
  async rebuild(openCases: AsyncIterable<QueueEntry>): Promise<number> {
    // What the boards held before the walk: an entry still unchanged after it
    // and not among the open cases is stale; one written since is not.
    const before = new Map<string, number>();
    const wanted = new Map<
      string,
      { region: string | null; slot: number; entries: QueueEntry[] }
    >();
    const remember = (region: string | null, slot: number) => {
      const key = `${regionKey(region)}:${slot}`;
      const found = wanted.get(key) ?? { region, slot, entries: [] };
      wanted.set(key, found);
      return found;
    };
    for (const document of await this.pages.find({}).toArray()) {
      const page = pageSchema.parse(document);
      for (const [id, version] of Object.entries(page.versions)) before.set(id, version.getTime());
      // A slot that had no open case in the walk may still hold stale entries.
      const owner = slotOfPage(page._id);
      if (owner) remember(owner.region, owner.slot);
    }
    let count = 0;
    for await (const stored of openCases) {
      const id = safeId.parse(stored._id);
      remember(stored.region, this.slotOf(id)).entries.push(queueEntry(stored));
      count++;
    }
    for (const { region, slot, entries } of wanted.values()) {
      await this.inSlot(region, slot, async () => {
        const chain = await this.readChain(region, slot);
        const changes = new ChainChanges();
        const open = new Set(entries.map((entry) => entry._id));
        for (const entry of entries) this.place(chain, entry, changes, { guard: true });
        for (const page of chain.pages) {
          for (const [id, version] of Object.entries(page.versions)) {
            if (open.has(id) || before.get(id) !== version.getTime()) continue;
            changes.unset(page._id, `entries.${id}`);
            changes.unset(page._id, `versions.${id}`);
          }
        }
        await this.write(changes);
      });
    }
    // The one-document-per-region boards of earlier versions: a small collection, emptied once.
    await this.legacyBoards.deleteMany({});
    return count;
  }

  /**
   * Decides where one case's state goes in its slot's chain, and records the
   * writes in `changes` (and in `chain`, so later cases of a rebuild see it).
   */
  private place(
    chain: Chain,
    stored: QueueEntry,
    changes: ChainChanges,
    options: { guard: boolean },
  ): void {
    const id = stored._id;
    const head = chain.pages[0];
    if (!head) throw new Error('a slot chain has at least its first page');
    const holder = chain.pages.find((page) => id in page.entries);
    const version = stored.updatedAt;
    if (options.guard) {
      const known = Math.max(
        holder?.versions[id]?.getTime() ?? Number.NEGATIVE_INFINITY,
        head.closed[id]?.getTime() ?? Number.NEGATIVE_INFINITY,
      );
      if (known > version.getTime()) return;
    }
    if (isOpen(stored.status)) {
      const target =
        holder ??
        chain.pages.find((page) => Object.keys(page.entries).length < this.shape.pageEntries) ??
        this.extend(chain, changes);
      const json = boardJson(stored);
      target.entries[id] = json;
      target.versions[id] = version;
      changes.set(target._id, `entries.${id}`, json);
      changes.set(target._id, `versions.${id}`, version);
      return;
    }
    if (holder) {
      delete holder.entries[id];
      delete holder.versions[id];
      changes.unset(holder._id, `entries.${id}`);
      changes.unset(holder._id, `versions.${id}`);
    }
    head.closed[id] = version;
    changes.set(head._id, `closed.${id}`, version);
    // The oldest closed cases are forgotten first: a write late by that many closures does not happen.
    const closed = Object.entries(head.closed).sort(([, a], [, b]) => a.getTime() - b.getTime());
    for (const [oldId] of closed.slice(0, Math.max(0, closed.length - this.shape.closedVersions))) {
      delete head.closed[oldId];
      changes.unset(head._id, `closed.${oldId}`);
    }
  }

  /** Adds a page at the end of a full chain. */
  private extend(chain: Chain, changes: ChainChanges): Page {
    const last = chain.pages.at(-1);
    if (!last) throw new Error('a slot chain has at least its first page');
    const page = emptyPage(pageId(chain.region, chain.slot, chain.pages.length));
    last.next = true;
    changes.continued.push(last._id);
    chain.pages.push(page);
    return page;
  }

  /**
   * Writes a slot's changes, each page by `_id`. A page is flagged as
   * continued before the next one is written, so a reader never misses it.
   */
  private async write(changes: ChainChanges): Promise<void> {
    for (const page of changes.continued) {
      await this.pages.updateOne({ _id: page }, { $set: { next: true } }, { upsert: true });
    }
    for (const { page, ...update } of changes.updates()) {
      await this.pages.updateOne({ _id: page }, update, { upsert: true });
    }
  }

  /** A slot's pages, first to last. */
  private async readChain(region: string | null, slot: number): Promise<Chain> {
    const chain: Chain = { region, slot, pages: [] };
    for (let level = 0; ; level++) {
      const _id = pageId(region, slot, level);
      const document = await this.pages.findOne({ _id });
      const page = document ? pageSchema.parse(document) : emptyPage(_id);
      chain.pages.push(page);
      if (!page.next) return chain;
    }
  }

  /** Runs this process's writes to one slot one after another (reads of the chain included). */
  private inSlot(region: string | null, slot: number, work: () => Promise<void>): Promise<void> {
    const key = `${regionKey(region)}:${slot}`;
    const result = (this.slotWrites.get(key) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    this.slotWrites.set(key, tail);
    void tail.then(() => {
      if (this.slotWrites.get(key) === tail) this.slotWrites.delete(key);
    });
    return result;
  }
}
