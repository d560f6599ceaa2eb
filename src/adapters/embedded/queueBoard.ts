import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import { z } from 'zod';
import type { CaseQueue } from '../../app/ports/caseStore.js';
import { OPEN_STATUSES } from '../../core/case/caseLifecycle.js';
import { CASE_STATUSES, type CaseStatus } from '../../core/case/caseStatus.js';
import { type QueueEntry, queueEntry } from '../../core/case/storedCase.js';
import { PRIORITY_REASONS } from '../../core/case/triage.js';
import { REGION_IDS } from '../../core/place/gazetteer.js';

const isOpen = (status: CaseStatus): boolean => OPEN_STATUSES.some((open) => open === status);

interface BoardDocument {
  _id: string;
  /**
   * Open cases of the region by case id, each as compact JSON: a map, so one
   * case changes with one `$set`/`$unset`, and strings, which the database
   * hands back far faster than as many nested documents.
   */
  entries: Record<string, string>;
  /** Each entry's `updatedAt`, so an older state never overwrites a newer one. */
  versions: Record<string, Date>;
}

const boardSchema = new Schema<BoardDocument>(
  {
    _id: String,
    entries: { type: Schema.Types.Mixed, default: {} },
    versions: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, collection: 'queue_boards', minimize: false },
);

const entrySchema = z.object({
  _id: z.string(),
  reference: z.string(),
  status: z.enum(CASE_STATUSES),
  priority: z.object({
    level: z.enum(['critical', 'high', 'normal']),
    score: z.number(),
    reasons: z.array(z.enum(PRIORITY_REASONS)),
  }),
  region: z.string().nullable(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  assignedTo: z.string().nullable(),
  child: z.object({
    fullName: z.string(),
    age: z.object({ years: z.number(), months: z.number().optional() }),
    sex: z.enum(['boy', 'girl']),
  }),
  lastSeen: z.object({ at: z.coerce.date(), city: z.string().nullable() }),
});

const NO_REGION = 'none';
const boardId = (region: string | null) => `queue:${region ?? NO_REGION}`;
/** Case ids become field names: only ids that are safe as such are accepted. */
const safeId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

/**
 * The officers' queue, kept as one small document per region listing its open
 * cases. The cases collection stays the truth; this is a projection written
 * after each change, so reading a region's queue is one lookup by `_id`
 * instead of a scan of every case ever reported (FerretDB cannot use
 * secondary indexes). A write never replaces a newer entry with an older one,
 * and `rebuild` restores the boards from the cases at start-up.
 */
export class QueueBoard implements CaseQueue {
  private readonly boards: Model<BoardDocument>;

  constructor(connection: Connection) {
    this.boards =
      connection.models.QueueBoard ?? connection.model<BoardDocument>('QueueBoard', boardSchema);
  }

  /** Puts the case's current state on its region's board (or takes it off once closed). */
  async reflect(stored: QueueEntry, options: { isNew?: boolean } = {}): Promise<void> {
    const id = safeId.parse(stored._id);
    const version = `versions.${id}`;
    const _id = boardId(stored.region);
    // Compare in code, then write by `_id` alone: a filter on the version too
    // would make FerretDB read every board. Two changes of one case are
    // already ordered by the case document; this only keeps a late, older
    // write from undoing a newer one.
    if (!options.isNew) {
      const board = await this.boards.findOne({ _id }, { [version]: 1 }).lean();
      const current = board?.versions?.[id];
      if (current && new Date(current).getTime() > stored.updatedAt.getTime()) return;
    }
    const update = isOpen(stored.status)
      ? {
          $set: {
            [`entries.${id}`]: JSON.stringify(queueEntry(stored)),
            [version]: stored.updatedAt,
          },
        }
      : { $unset: { [`entries.${id}`]: '' }, $set: { [version]: stored.updatedAt } };
    await this.boards.updateOne({ _id }, update);
  }

  /** Open cases in these statuses, of one region or of all, by priority then waiting time. */
  async list(statuses: readonly CaseStatus[], region: string | null): Promise<QueueEntry[]> {
    const docs =
      region === null
        ? await this.boards.find().lean()
        : [await this.boards.findOne({ _id: boardId(region) }).lean()];
    return docs
      .flatMap((doc) => Object.values(doc?.entries ?? {}))
      .map((json) => entrySchema.parse(JSON.parse(json)))
      .filter((entry) => statuses.includes(entry.status))
      .sort(
        (a, b) =>
          b.priority.score - a.priority.score ||
          new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime(),
      );
  }

  /** Rewrites every board from the open cases (start-up, and after a crash between two writes). */
  async rebuild(openCases: AsyncIterable<QueueEntry>): Promise<number> {
    const byBoard = new Map<
      string,
      { entries: Record<string, string>; versions: Record<string, Date> }
    >([...REGION_IDS, null].map((region) => [boardId(region), { entries: {}, versions: {} }]));
    let count = 0;
    for await (const stored of openCases) {
      const board = byBoard.get(boardId(stored.region)) ?? { entries: {}, versions: {} };
      const id = safeId.parse(stored._id);
      board.entries[id] = JSON.stringify(queueEntry(stored));
      board.versions[id] = stored.updatedAt;
      byBoard.set(boardId(stored.region), board);
      count++;
    }
    for (const [id, board] of byBoard) {
      await this.boards.updateOne({ _id: id }, { $set: board }, { upsert: true });
    }
    return count;
  }
}
