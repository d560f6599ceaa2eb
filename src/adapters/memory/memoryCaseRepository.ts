import type { FamilyCaseStore } from '../../app/ports/caseStore.js';
import type { PhotoStore } from '../../app/ports/photoStore.js';
import { FAMILY_TALKS_TO_OFFICER } from '../../core/case/caseLifecycle.js';
import type { CaseStatus } from '../../core/case/caseStatus.js';
import type { NewCase } from '../../core/case/report.js';

/**
 * Cases kept in process memory: the same contract as the MongoDB repository
 * (one shared test suite checks both), for benchmarks that isolate the turn
 * pipeline from the database. Not for production: nothing survives a restart.
 */
export class MemoryCaseRepository implements FamilyCaseStore {
  private readonly cases: Array<Omit<NewCase, 'status'> & { status: CaseStatus }> = [];
  private readonly counters = new Map<number, number>();

  async findByDraftId(draftId: string): Promise<{ reference: string } | null> {
    const found = this.cases.find((c) => c.draftId === draftId);
    return found ? { reference: found.reference } : null;
  }

  async nextSequence(year: number): Promise<number> {
    const next = (this.counters.get(year) ?? 0) + 1;
    this.counters.set(year, next);
    return next;
  }

  async insertNew(newCase: NewCase): Promise<{ reference: string; created: boolean }> {
    const existing = this.cases.find((c) => c.draftId === newCase.draftId);
    if (existing) return { reference: existing.reference, created: false };
    this.cases.push(structuredClone(newCase));
    return { reference: newCase.reference, created: true };
  }

  async latestForReporter(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string; status: CaseStatus } | null> {
    const found = this.cases
      .filter((c) => c.channel === channel && c.reporter.address === address)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .at(-1);
    return found ? { id: found.draftId, reference: found.reference, status: found.status } : null;
  }

  async activeCaseFor(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string } | null> {
    const found = this.cases
      .filter((c) => c.channel === channel && c.reporter.address === address)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .at(-1);
    return found && FAMILY_TALKS_TO_OFFICER.includes(found.status)
      ? { id: found.draftId, reference: found.reference }
      : null;
  }

  async addFamilyMessage(
    caseId: string,
    message: { id: string; text: string; at: Date },
  ): Promise<{ region: string | null }> {
    const found = this.cases.find((c) => c.draftId === caseId);
    if (found && !found.messages.some((m) => m.id === message.id)) {
      found.messages.push({ ...message, from: 'family' });
    }
    return { region: found?.region ?? null };
  }

  get size(): number {
    return this.cases.length;
  }
}

/** Photos in process memory, for benchmarks. */
export class MemoryPhotoStore implements PhotoStore {
  private readonly photos = new Map<
    string,
    { mimeType: string; data: Buffer; draftId: string; at: number }
  >();

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
        at: Date.now(),
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
