import type { Collection, Connection } from 'mongoose';
import type { CaseQueue } from '../../app/ports/caseStore.js';
import { OPEN_STATUSES } from '../../core/case/caseLifecycle.js';
import type { CaseStatus } from '../../core/case/caseStatus.js';
import type { QueueScope } from '../../core/case/queueScope.js';
import { type QueueEntry, queueEntrySchema } from '../../core/case/storedCase.js';

/**
 * The most cases one queue read returns: the most urgent first. An officer
 * works from the top of the queue, and a region with more open cases than
 * this is an emergency that needs more than a longer list; the bound keeps
 * one read's cost and memory flat whatever the number of cases.
 */
export const QUEUE_PAGE_SIZE = 1_000;

/** Only the fields the queue shows are read from the cases (queue reads, and rebuilds elsewhere). */
export const QUEUE_PROJECTION = {
  _id: 1,
  reference: 1,
  status: 1,
  priority: 1,
  flags: 1,
  region: 1,
  createdAt: 1,
  updatedAt: 1,
  assignedTo: 1,
  'child.fullName': 1,
  'child.age': 1,
  'child.sex': 1,
  'lastSeen.at': 1,
  'lastSeen.city': 1,
} as const;

/**
 * Queue order. With equality on `region` and `$in` on `status`, MongoDB
 * merges one already-sorted scan of the compound index per status (a
 * SORT_MERGE, no in-memory sort), so a page costs what it returns.
 */
const QUEUE_SORT = { 'priority.score': -1, createdAt: 1 } as const;

/**
 * The indexes that serve the queue, declared on the cases collection by the
 * case repository: a region's queue, and every region's (admins).
 */
export const QUEUE_INDEXES = [
  { region: 1, status: 1, 'priority.score': -1, createdAt: 1 },
  { status: 1, 'priority.score': -1, createdAt: 1 },
] as const;

/**
 * The officers' queue on MongoDB: a query on the cases themselves, served by
 * the compound queue indexes. The cases are the only copy, so there is
 * nothing to reflect and nothing to rebuild.
 */
export class IndexedCaseQueue implements CaseQueue {
  private readonly cases: Collection;

  constructor(
    connection: Connection,
    private readonly pageSize: number = QUEUE_PAGE_SIZE,
  ) {
    this.cases = connection.collection('cases');
  }

  /** Nothing to do: the query reads the case itself. */
  async reflect(): Promise<void> {
    // The case document is the queue entry; its own update already changed it.
  }

  /**
   * Open cases in these statuses, by priority then waiting time: of one
   * region, or of none (`{region: null}`, the national queue: the same
   * compound index serves it, null being a value like any other), or all.
   */
  async list(statuses: readonly CaseStatus[], scope: QueueScope): Promise<QueueEntry[]> {
    // Closed cases are never in the queue, whatever is asked.
    const status = { $in: statuses.filter((s) => OPEN_STATUSES.some((open) => open === s)) };
    const filter =
      scope.kind === 'all'
        ? { status }
        : { region: scope.kind === 'region' ? scope.region : null, status };
    const cursor = this.cases.find(filter, {
      projection: QUEUE_PROJECTION,
      sort: QUEUE_SORT,
      limit: this.pageSize,
      batchSize: Math.min(this.pageSize, 500),
    });
    const entries: QueueEntry[] = [];
    for await (const document of cursor) entries.push(queueEntrySchema.parse(document));
    return entries;
  }

  /** Nothing to restore: the queue is the cases. */
  async rebuild(): Promise<number> {
    return 0;
  }
}
