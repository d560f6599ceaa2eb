import type { CaseRepository, PhotoStore } from '../bot/ports.js';
import { FAMILY_TALKS_TO_OFFICER } from '../domain/caseLifecycle.js';
import type { CaseStatus } from '../domain/caseStatus.js';
import type { NewCase } from '../domain/report.js';

/**
 * Cases kept in process memory: the same contract as the MongoDB repository
 * (one shared test suite checks both), for benchmarks that isolate the turn
 * pipeline from the database. Not for production: nothing survives a restart.
 */
export class MemoryCaseRepository implements CaseRepository {
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
  private readonly photos = new Map<string, { mimeType: string; data: Buffer }>();

  async save(photo: {
    photoId: string;
    mimeType: string;
    data: Buffer;
    draftId: string;
  }): Promise<void> {
    if (!this.photos.has(photo.photoId))
      this.photos.set(photo.photoId, { mimeType: photo.mimeType, data: photo.data });
  }
}
