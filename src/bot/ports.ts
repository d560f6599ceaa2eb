import type { CaseStatus } from '../domain/caseStatus.js';
import type { NewCase } from '../domain/report.js';
import type { Sighting } from '../domain/sighting.js';
import type { SubscriberArea, Subscription } from '../domain/subscription.js';
import type { Language } from '../i18n/language.js';

/** What the bot needs from case storage. Implemented in store/, checked with `satisfies`. */
export interface CaseRepository {
  /** The case a draft already became, if its submission ran before (a retried turn). */
  findByDraftId(draftId: string): Promise<{ reference: string } | null>;
  /** Takes the next number of the year's atomic counter. */
  nextSequence(year: number): Promise<number>;
  /**
   * Stores a new pending case. Two submissions of one draft store one case:
   * the second gets the first one's reference back.
   */
  insertNew(newCase: NewCase): Promise<{ reference: string; created: boolean }>;
  /** The most recent case a family filed from this address, for "where is my report?". */
  latestForReporter(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string; status: CaseStatus } | null>;
  /** The case a family is talking about with an officer (in review, confirmed, alert), if any. */
  activeCaseFor(
    channel: string,
    address: string,
  ): Promise<{ id: string; reference: string } | null>;
  /** Adds what the family wrote to the case conversation, once per message id. */
  addFamilyMessage(
    caseId: string,
    message: { id: string; text: string; at: Date },
  ): Promise<{ region: string | null }>;
}

/** Where report photos are kept, by content hash. */
export interface PhotoStore {
  save(photo: { photoId: string; mimeType: string; data: Buffer; draftId: string }): Promise<void>;
}

/** The time, passed in so tests and benchmarks control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Citizens' subscriptions to alerts (flows/subscribe.yaml, STOP). */
export interface SubscriptionRepository {
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

/** An active alert as a citizen may be asked about it ("which child?"). */
export interface AlertChoice {
  alertId: string;
  caseId: string;
  firstName: string;
  ageYears: number;
  city: string | null;
  /** The alert reached this number (otherwise it is simply active). */
  received: boolean;
}

/** Sightings citizens send (flows/sighting.yaml). */
export interface SightingRepository {
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

/** What the bot asks about alerts. */
export interface AlertDirectory {
  /** Active alerts, those this number received first; empty when none is active. */
  activeFor(channel: string, address: string): Promise<AlertChoice[]>;
}
