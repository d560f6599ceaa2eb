import type {
  NewRightsRequest,
  RightsDecision,
  RightsRequest,
} from '../../core/rights/rightsRequest.js';

/** Which pending requests a reader may see: those of some regions (`null`: no region), or all. */
export type RightsScope = { regions: ReadonlyArray<string | null> } | 'all';

/**
 * Data-subject requests (Law 09-08: access, rectification, erasure), kept
 * durably: filed by the bot, decided by an officer or a supervisor, each
 * decision made once (a guarded update on the pending state).
 */
export interface RightsRequests {
  /** Files a request once per `_id`: filing it again returns the first one. */
  file(request: NewRightsRequest): Promise<{ created: boolean; request: RightsRequest }>;
  get(id: string): Promise<RightsRequest | null>;
  /** The pending requests in the scope, oldest first. */
  pending(scope: RightsScope): Promise<RightsRequest[]>;
  /** A case's requests, oldest first (the console's timeline). */
  forCase(caseId: string): Promise<RightsRequest[]>;
  /** Decides a pending request; of two decisions at once, one wins and the other is a conflict. */
  decide(
    id: string,
    decision: RightsDecision,
  ): Promise<
    { ok: true; request: RightsRequest } | { ok: false; reason: 'not_found' | 'conflict' }
  >;
  /** Replaces the number by nothing on every request of it (its pseudonym stays); returns how many. */
  forgetSubject(channel: string, address: string): Promise<number>;
  /** Deletes requests decided (or answered) before `before` (retention); returns how many. */
  purgeDecided(before: Date): Promise<number>;
}
