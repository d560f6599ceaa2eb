import { z } from 'zod';
import { CASE_STATUSES, type CaseStatus } from './caseStatus.js';
import { CASE_FLAGS } from './intakeLimits.js';
import type { NewCase } from './report.js';
import { PRIORITY_REASONS } from './triage.js';

/** A case as stored: the draft id is its `_id`. */
export type StoredCase = Omit<NewCase, 'draftId' | 'status'> & { _id: string; status: CaseStatus };

/** The outcome of an officer's action on a case. */
export type TransitionResult =
  | { ok: true; case: StoredCase }
  | { ok: false; reason: 'not_found' | 'conflict' };

/** What the queue shows of a case: enough to choose, not the whole file. */
export type QueueEntry = Pick<
  StoredCase,
  | '_id'
  | 'reference'
  | 'status'
  | 'priority'
  | 'flags'
  | 'region'
  | 'createdAt'
  | 'updatedAt'
  | 'assignedTo'
> & {
  child: Pick<StoredCase['child'], 'fullName' | 'age' | 'sex'>;
  lastSeen: Pick<StoredCase['lastSeen'], 'at' | 'city'>;
};

/** Copies exactly the queue's fields out of a case (or anything carrying them). */
export function queueEntry(stored: QueueEntry): QueueEntry {
  return {
    _id: stored._id,
    reference: stored.reference,
    status: stored.status,
    priority: stored.priority,
    // Cases stored before flags existed have none.
    flags: stored.flags ?? [],
    region: stored.region,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    assignedTo: stored.assignedTo,
    child: { fullName: stored.child.fullName, age: stored.child.age, sex: stored.child.sex },
    lastSeen: { at: stored.lastSeen.at, city: stored.lastSeen.city },
  };
}

/**
 * A queue entry as read back from a database (a projection of a case, or a
 * board's stored copy): parsed, because stored state is an input like any other.
 */
export const queueEntrySchema: z.ZodType<QueueEntry> = z.object({
  _id: z.string(),
  reference: z.string(),
  status: z.enum(CASE_STATUSES),
  priority: z.object({
    level: z.enum(['critical', 'high', 'normal']),
    score: z.number(),
    reasons: z.array(z.enum(PRIORITY_REASONS)),
  }),
  flags: z.array(z.enum(CASE_FLAGS)).default([]),
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

/** Queue order: higher priority first, then the case that has waited longest. */
export function byQueueOrder(a: QueueEntry, b: QueueEntry): number {
  return (
    b.priority.score - a.priority.score ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)
  );
}
