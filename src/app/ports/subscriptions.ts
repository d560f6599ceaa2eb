import type { GeoPoint } from '../../core/alert/alert.js';
import type { Language } from '../../core/nlu/language.js';
import type { SubscriberArea, Subscription } from '../../core/subscription.js';

/** Citizens' subscriptions to alerts (flows/subscribe.yaml, STOP). */
export interface SubscriptionStore {
  /** Subscribes or re-subscribes a number (one area per number; the newest wins). */
  subscribe(subscription: {
    channel: string;
    address: string;
    language: Language;
    area: SubscriberArea;
    now: Date;
  }): Promise<void>;
  /** STOP: the number receives no alert from now on, including from broadcasts in progress. */
  unsubscribe(channel: string, address: string, now: Date): Promise<{ wasSubscribed: boolean }>;
  find(channel: string, address: string): Promise<Subscription | null>;
}

/** Whether a number may still receive alerts (it may have sent STOP since it was enqueued). */
export interface RecipientCheck {
  isActive(subscriptionId: string): Promise<boolean>;
}

/** A subscriber as the broadcast selects it: where (a cell's or city's centre) and how to write. */
export interface SubscriberPoint {
  _id: string;
  channel: string;
  address: string;
  language: Language;
  centre: GeoPoint;
}

/**
 * Where subscribers are, for choosing an alert's recipients. A selection may
 * return a few subscribers just outside the circle (a cell it touches), and
 * rarely one twice: the caller keeps those within the exact distance, and
 * the outbox keeps one entry per recipient. An index that is the
 * subscriptions themselves (an indexed field of each) has nothing to do in
 * `put`, `remove`, `ensureBuilt` and `rebuild`.
 */
export interface SubscriberIndex {
  /** Those whose area may lie within the circle, streamed (never loaded whole). */
  within(centre: GeoPoint, radiusKm: number): AsyncIterable<SubscriberPoint>;
  /** Called before a subscription is stored: the index is kept a superset of the active ones. */
  put(point: SubscriberPoint, previous: GeoPoint | null): Promise<void>;
  /** Called after STOP is stored. */
  remove(subscriptionId: string, centre: GeoPoint): Promise<void>;
  /** Builds the index from the active subscriptions when it is missing (start-up). */
  ensureBuilt(source: AsyncIterable<SubscriberPoint>): Promise<void>;
  /** Rebuilds it after a bulk load (tests, benchmarks, a migration). */
  rebuild(source: AsyncIterable<SubscriberPoint>): Promise<void>;
}
