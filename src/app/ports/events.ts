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
 * Delivery is best effort: a console that missed one re-reads on its next
 * refresh, so nothing depends on an event arriving.
 */
export interface Events {
  /** Tells this instance's listeners at once, and the other instances as soon as they hear of it. */
  publish(event: CaseEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: CaseEvent) => void): () => void;
  /** Stops hearing other instances and drops the listeners; publishing after it is a no-op. */
  close(): Promise<void>;
}
