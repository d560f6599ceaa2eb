import type { GeoPoint } from './alert/alert.js';
import type { Language } from './nlu/language.js';

/**
 * Where a citizen wants alerts for, kept coarse (never a precise point): the geohash cell
 * of a shared pin (about 5 km) or a city of the gazetteer. `centre` is the
 * cell's or the city's centre, never the point the citizen shared.
 */
export type SubscriberArea =
  | { kind: 'cell'; geohash: string; centre: GeoPoint }
  | { kind: 'city'; cityId: string; centre: GeoPoint };

/** A citizen's subscription to alerts, one per number and channel. */
export interface Subscription {
  /** `channel:address`. */
  _id: string;
  channel: string;
  address: string;
  language: Language;
  /** Forgotten (null) when the number sends STOP: the opt-out is all that is kept. */
  area: SubscriberArea | null;
  /** `stopped` after STOP: that number never receives another alert until it subscribes again. */
  status: 'active' | 'stopped';
  consentAt: Date;
  createdAt: Date;
  updatedAt: Date;
  stoppedAt: Date | null;
}

export const subscriptionKey = (channel: string, address: string): string =>
  `${channel}:${address}`;

/**
 * Only the coarse area, field by field: nothing else a caller passed in
 * (a precise pin slipped in beside it) is ever stored.
 */
export function coarseArea(area: SubscriberArea): SubscriberArea {
  const centre = { lat: area.centre.lat, lon: area.centre.lon };
  return area.kind === 'cell'
    ? { kind: 'cell', geohash: area.geohash, centre }
    : { kind: 'city', cityId: area.cityId, centre };
}
