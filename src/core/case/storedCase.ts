import type { CaseStatus } from './caseStatus.js';
import type { NewCase } from './report.js';

/** A case as stored: the draft id is its `_id`. */
export type StoredCase = Omit<NewCase, 'draftId' | 'status'> & { _id: string; status: CaseStatus };

/** The outcome of an officer's action on a case. */
export type TransitionResult =
  | { ok: true; case: StoredCase }
  | { ok: false; reason: 'not_found' | 'conflict' };

/** What the queue shows of a case: enough to choose, not the whole file. */
export type QueueEntry = Pick<
  StoredCase,
  '_id' | 'reference' | 'status' | 'priority' | 'region' | 'createdAt' | 'updatedAt' | 'assignedTo'
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
    region: stored.region,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    assignedTo: stored.assignedTo,
    child: { fullName: stored.child.fullName, age: stored.child.age, sex: stored.child.sex },
    lastSeen: { at: stored.lastSeen.at, city: stored.lastSeen.city },
  };
}
