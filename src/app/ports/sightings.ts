import type { Sighting } from '../../core/sighting.js';

/** Sightings citizens send (flows/sighting.yaml) and officers read. */
export interface SightingStore {
  /**
   * Stores a sighting once per draft id. Counts this number's sightings of the
   * last hour and flags the new one when the number floods.
   */
  add(sighting: Omit<Sighting, 'flagged' | 'distanceKm' | 'caseId'>): Promise<{
    created: boolean;
    sighting: Sighting;
    throttled: boolean;
    /** The case's region, for the console's live events. */
    region: string | null;
  }>;
  /** How many sightings this number sent since `since` (the throttle asks before the flow starts). */
  countSince(channel: string, address: string, since: Date): Promise<number>;
}

/** The officers' read side of sightings. */
export interface SightingReader {
  exists(id: string): Promise<boolean>;
  /** A case's sightings, newest first. */
  forCase(caseId: string): Promise<Sighting[]>;
}
