import type { GeoPoint } from './alert/alert.js';
import type { Place } from './case/report.js';
import type { Language } from './nlu/language.js';
import { haversineKm } from './place/gazetteer.js';

/** What a citizen reported having seen, linked to the alert and its case. */
export interface Sighting {
  /** The sighting flow's draft id: a retried submission stores one sighting. */
  _id: string;
  alertId: string;
  caseId: string;
  channel: string;
  /** The citizen's number; shown to officers only when `mayCallBack`. */
  address: string;
  language: Language;
  seenAt: Date;
  place: Place;
  /** From the place the child was last seen, when the sighting has a pin or a known city. */
  distanceKm: number | null;
  description: string;
  photoId: string | null;
  mayCallBack: boolean;
  /** This number sent many sightings in a short time: the officer should weigh it. */
  flagged: boolean;
  createdAt: Date;
}

/** A sighting as the flow submits it: the store links, measures and weighs it. */
export type NewSighting = Omit<Sighting, 'flagged' | 'distanceKm' | 'caseId'>;

/** From the fourth sighting of one number within the hour, each is flagged for the officer. */
export const FLAG_AFTER_PER_HOUR = 3;
/** From the seventh, they are no longer stored: the bot asks the person to call 19. */
export const THROTTLE_AFTER_PER_HOUR = 6;
/** The window the two counts above are taken over. */
export const SIGHTING_WINDOW_MS = 60 * 60 * 1000;

/** What a sighting is linked and measured with: its alert's case and region, where the child was last seen. */
export interface SightingLink {
  caseId: string;
  region: string | null;
  lastSeen: GeoPoint | null;
}

/**
 * The sighting to store: linked to the case, with its distance from the
 * place last seen when both places are points, flagged when this number sent
 * many in the last hour (`recent`), and not to be stored at all when it floods.
 */
export function assessSighting(
  sighting: NewSighting,
  link: SightingLink,
  seenAt: GeoPoint | null,
  recent: number,
): { sighting: Sighting; throttled: boolean } {
  const from = link.lastSeen;
  return {
    sighting: {
      ...sighting,
      caseId: link.caseId,
      distanceKm: from && seenAt ? Math.round(haversineKm(from, seenAt) * 10) / 10 : null,
      flagged: recent >= FLAG_AFTER_PER_HOUR,
    },
    throttled: recent >= THROTTLE_AFTER_PER_HOUR,
  };
}
