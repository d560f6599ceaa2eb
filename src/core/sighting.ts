import type { Place } from './case/report.js';
import type { Language } from './nlu/language.js';

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
