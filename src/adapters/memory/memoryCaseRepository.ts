import type { AuditTrail } from '../../app/ports/auditTrail.js';
import type { CaseStore } from '../../app/ports/caseStore.js';
import type { PhotoStore } from '../../app/ports/photoStore.js';
import {
  FAMILY_TALKS_TO_OFFICER,
  OPEN_STATUSES,
  TRANSITIONS,
  type TransitionName,
} from '../../core/case/caseLifecycle.js';
import type { CaseStatus } from '../../core/case/caseStatus.js';
import { inScope, type QueueScope } from '../../core/case/queueScope.js';
import type { CaseMessage, CaseNote, NewCase } from '../../core/case/report.js';
import {
  byQueueOrder,
  type QueueEntry,
  queueEntry,
  type StoredCase,
  type TransitionResult,
} from '../../core/case/storedCase.js';

const isOpen = (status: CaseStatus): boolean => OPEN_STATUSES.some((open) => open === status);

/**
 * Cases kept in process memory: the same contract as the MongoDB repository
 * (one shared suite checks both), for unit tests and for benchmarks that
 * isolate the turn pipeline from the database. Each call copies what it hands
 * out, so a caller never changes a stored case by accident. Not for
 * production: nothing survives a restart.
 */
export class MemoryCaseStore implements CaseStore {
  private readonly cases = new Map<string, StoredCase>();
  private readonly counters = new Map<number, number>();

  /** Without an audit trail, the entries are dropped (benchmarks of the conversation). */
  constructor(private readonly audit: Pick<AuditTrail, 'append'> | null = null) {}

  async findByDraftId(draftId: string): Promise<{ reference: string } | null> {
    const found = this.cases.get(draftId);
    return found ? { reference: found.reference } : null;
  }

  async nextSequence(year: number): Promise<number> {
    const next = (this.counters.get(year) ?? 0) + 1;
    this.counters.set(year, next);
    return next;
  }

  async insertNew(newCase: NewCase): Promise<{ reference: string; created: boolean }> {
    const existing = this.cases.get(newCase.draftId);
    if (existing) return { reference: existing.reference, created: false };
    const { draftId, ...fields } = structuredClone(newCase);
    this.cases.set(draftId, { _id: draftId, ...fields });
    await this.audit?.append({
      at: newCase.createdAt,
      actor: 'family',
      action: 'case.created',
      caseId: draftId,
      details: { reference: newCase.reference, priority: newCase.priority.level },
    });
    return { reference: newCase.reference, created: true };
  }

  async latestForReporter(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string; status: CaseStatus } | null> {
    let latest: StoredCase | null = null;
    for (const c of this.cases.values()) {
      if (c.channel !== channel || c.reporter.address !== address) continue;
      // As on MongoDB: the latest creation wins, a tie goes to the greater id.
      const later =
        !latest ||
        c.createdAt.getTime() > latest.createdAt.getTime() ||
        (c.createdAt.getTime() === latest.createdAt.getTime() && c._id > latest._id);
      if (later) latest = c;
    }
    return latest ? { id: latest._id, reference: latest.reference, status: latest.status } : null;
  }

  async activeCaseFor(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string } | null> {
    const latest = await this.latestForReporter(channel, address);
    return latest && FAMILY_TALKS_TO_OFFICER.includes(latest.status)
      ? { id: latest.id, reference: latest.reference }
      : null;
  }

  async addFamilyMessage(
    caseId: string,
    message: { id: string; text: string; at: Date; audio?: { audioId: string; mimeType: string } },
  ): Promise<{ region: string | null }> {
    const found = this.cases.get(caseId);
    if (found && !found.messages.some((m) => m.id === message.id)) {
      found.messages.push({ ...message, from: 'family' });
      found.updatedAt = message.at;
    }
    return { region: found?.region ?? null };
  }

  async queue(statuses: readonly CaseStatus[], scope: QueueScope): Promise<QueueEntry[]> {
    return [...this.cases.values()]
      .filter((c) => isOpen(c.status) && statuses.includes(c.status) && inScope(scope, c.region))
      .map((c) => structuredClone(queueEntry(c)))
      .sort(byQueueOrder);
  }

  async findIdByReference(reference: string): Promise<string | null> {
    for (const c of this.cases.values()) if (c.reference === reference) return c._id;
    return null;
  }

  async get(id: string): Promise<StoredCase | null> {
    const found = this.cases.get(id);
    return found ? structuredClone(found) : null;
  }

  /** Checks and changes the state in one step (no `await` between), as one guarded update does. */
  async transition(
    id: string,
    name: TransitionName,
    by: string,
    now: Date,
    set: Record<string, unknown> = {},
  ): Promise<TransitionResult> {
    const { from, to } = TRANSITIONS[name];
    const current = this.cases.get(id);
    if (!current) return { ok: false, reason: 'not_found' };
    if (!from.some((status) => status === current.status)) return { ok: false, reason: 'conflict' };
    const updated: StoredCase = Object.assign(structuredClone(current), set, {
      status: to,
      updatedAt: now,
    });
    updated.history.push({ status: to, at: now, by });
    this.cases.set(id, updated);
    await this.audit?.append({
      at: now,
      actor: by,
      action: `case.${name}`,
      caseId: id,
      details: { status: to },
    });
    return { ok: true, case: structuredClone(updated) };
  }

  /** Sets top-level fields, as the officers' actions pass them. */
  async update(
    id: string,
    set: Record<string, unknown>,
    audit: { by: string; action: string; now: Date },
  ): Promise<StoredCase | null> {
    const current = this.cases.get(id);
    if (!current) return null;
    const updated: StoredCase = Object.assign(structuredClone(current), set, {
      updatedAt: audit.now,
    });
    this.cases.set(id, updated);
    await this.audit?.append({
      at: audit.now,
      actor: audit.by,
      action: audit.action,
      caseId: id,
      details: {},
    });
    return structuredClone(updated);
  }

  async setRegion(
    id: string,
    from: string | null,
    to: string,
    audit: { by: string; now: Date },
  ): Promise<TransitionResult> {
    const current = this.cases.get(id);
    if (!current) return { ok: false, reason: 'not_found' };
    if (current.region !== from) return { ok: false, reason: 'conflict' };
    current.region = to;
    current.updatedAt = audit.now;
    await this.audit?.append({
      at: audit.now,
      actor: audit.by,
      action: 'case.region_set',
      caseId: id,
      details: { from, to },
    });
    return { ok: true, case: structuredClone(current) };
  }

  async addMessage(id: string, message: CaseMessage): Promise<void> {
    const found = this.cases.get(id);
    if (!found) return;
    found.messages.push(structuredClone(message));
    found.updatedAt = message.at;
  }

  async addNote(id: string, note: CaseNote): Promise<void> {
    const found = this.cases.get(id);
    if (!found) return;
    found.notes.push(structuredClone(note));
    found.updatedAt = note.at;
    await this.audit?.append({
      at: note.at,
      actor: note.officer,
      action: 'case.note',
      caseId: id,
      details: {},
    });
  }

  async recordAlert(
    caseId: string,
    entry: {
      at: Date;
      actor: string;
      action: string;
      details: Record<string, string | number | boolean | null>;
    },
  ): Promise<void> {
    await this.audit?.append({ ...entry, caseId });
  }

  async recordView(
    id: string,
    by: string,
    now: Date,
    what: 'case' | 'photo' | 'audio',
  ): Promise<void> {
    await this.audit?.append({
      at: now,
      actor: by,
      action: `${what}.viewed`,
      caseId: id,
      details: {},
    });
  }

  get size(): number {
    return this.cases.size;
  }
}

/** Photos in process memory, for benchmarks. */
export class MemoryPhotoStore implements PhotoStore {
  private readonly photos = new Map<
    string,
    { mimeType: string; data: Buffer; draftId: string; at: number }
  >();

  /** The clock dates each photo on arrival, so the purge can tell the old ones. */
  constructor(private readonly clock: () => Date = () => new Date()) {}

  async save(photo: {
    photoId: string;
    mimeType: string;
    data: Buffer;
    draftId: string;
  }): Promise<void> {
    if (!this.photos.has(photo.photoId))
      this.photos.set(photo.photoId, {
        mimeType: photo.mimeType,
        data: photo.data,
        draftId: photo.draftId,
        at: this.clock().getTime(),
      });
  }

  async load(photoId: string): Promise<{ mimeType: string; data: Buffer } | null> {
    const found = this.photos.get(photoId);
    return found ? { mimeType: found.mimeType, data: found.data } : null;
  }

  async purgeUnsubmitted(
    olderThan: Date,
    submitted: (draftId: string) => Promise<boolean>,
  ): Promise<number> {
    let removed = 0;
    for (const [id, photo] of this.photos) {
      if (photo.at >= olderThan.getTime() || (await submitted(photo.draftId))) continue;
      this.photos.delete(id);
      removed++;
    }
    return removed;
  }
}
