import type { RightsRequests, RightsScope } from '../../app/ports/rightsRequests.js';
import type {
  NewRightsRequest,
  RightsDecision,
  RightsRequest,
} from '../../core/rights/rightsRequest.js';

const byCreation = (a: RightsRequest, b: RightsRequest): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

/** Data-subject requests in process memory, for unit tests and transcripts. */
export class MemoryRightsRequests implements RightsRequests {
  private readonly requests = new Map<string, RightsRequest>();

  async file(request: NewRightsRequest): Promise<{ created: boolean; request: RightsRequest }> {
    const existing = this.requests.get(request._id);
    if (existing) return { created: false, request: structuredClone(existing) };
    const stored: RightsRequest = {
      ...structuredClone(request),
      decidedAt: request.status === 'answered' ? request.createdAt : null,
      decidedBy: null,
      reason: null,
      note: null,
    };
    this.requests.set(stored._id, stored);
    return { created: true, request: structuredClone(stored) };
  }

  async get(id: string): Promise<RightsRequest | null> {
    const found = this.requests.get(id);
    return found ? structuredClone(found) : null;
  }

  async pending(scope: RightsScope): Promise<RightsRequest[]> {
    return [...this.requests.values()]
      .filter(
        (request) =>
          request.status === 'pending' &&
          (scope === 'all' || scope.regions.includes(request.region)),
      )
      .sort(byCreation)
      .map((request) => structuredClone(request));
  }

  async forCase(caseId: string): Promise<RightsRequest[]> {
    return [...this.requests.values()]
      .filter((request) => request.caseId === caseId)
      .sort(byCreation)
      .map((request) => structuredClone(request));
  }

  async decide(
    id: string,
    decision: RightsDecision,
  ): Promise<
    { ok: true; request: RightsRequest } | { ok: false; reason: 'not_found' | 'conflict' }
  > {
    const found = this.requests.get(id);
    if (!found) return { ok: false, reason: 'not_found' };
    if (found.status !== 'pending') return { ok: false, reason: 'conflict' };
    const decided: RightsRequest = {
      ...found,
      status: decision.status,
      decidedAt: decision.at,
      decidedBy: decision.by,
      reason: decision.reason,
      note: decision.note,
    };
    this.requests.set(id, decided);
    return { ok: true, request: structuredClone(decided) };
  }

  async forgetSubject(channel: string, address: string): Promise<number> {
    let forgotten = 0;
    for (const request of this.requests.values()) {
      if (request.channel !== channel || request.address !== address) continue;
      request.address = null;
      forgotten++;
    }
    return forgotten;
  }

  async purgeDecided(before: Date): Promise<number> {
    let purged = 0;
    for (const [id, request] of this.requests) {
      if (request.status === 'pending' || !request.decidedAt || request.decidedAt >= before)
        continue;
      this.requests.delete(id);
      purged++;
    }
    return purged;
  }
}
