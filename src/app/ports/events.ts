/** Something that happened to a case, for the console's live view (ids only, never content). */
export type CaseEvent =
  | { type: 'created' | 'updated' | 'message'; caseId: string; region: string | null }
  /** An alert changed state or its broadcast progressed. */
  | { type: 'alert'; caseId: string; region: string | null; alertId: string }
  /** A citizen sent a sighting. */
  | { type: 'sighting'; caseId: string; region: string | null; sightingId: string };

/**
 * Live events across the deployment. In one process an in-memory bus; on a
 * MongoDB replica set, events written by any instance reach every instance.
 */
export interface Events {
  publish(event: CaseEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: CaseEvent) => void): () => void;
}
