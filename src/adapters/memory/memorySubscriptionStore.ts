import type {
  RecipientCheck,
  SubscriberIndex,
  SubscriberPoint,
  SubscriptionStore,
} from '../../app/ports/subscriptions.js';
import type { Language } from '../../core/nlu/language.js';
import {
  coarseArea,
  type SubscriberArea,
  type Subscription,
  subscriptionKey,
} from '../../core/subscription.js';

/**
 * Citizens' subscriptions in memory (unit tests and benchmarks), with the
 * same order of writes as on a database: on the index before the
 * subscription is stored, off it after STOP is stored.
 */
export class MemorySubscriptionStore implements SubscriptionStore, RecipientCheck {
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(private readonly index: SubscriberIndex) {}

  async subscribe(subscription: {
    channel: string;
    address: string;
    language: Language;
    area: SubscriberArea;
    now: Date;
  }): Promise<void> {
    const { channel, address, language, now } = subscription;
    const area = coarseArea(subscription.area);
    const _id = subscriptionKey(channel, address);
    const previous = this.subscriptions.get(_id);
    await this.index.put(
      { _id, channel, address, language, centre: area.centre },
      previous?.area?.centre ?? null,
    );
    this.subscriptions.set(_id, {
      _id,
      channel,
      address,
      language,
      area,
      status: 'active',
      consentAt: now,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      stoppedAt: null,
    });
  }

  async unsubscribe(
    channel: string,
    address: string,
    now: Date,
  ): Promise<{ wasSubscribed: boolean }> {
    const _id = subscriptionKey(channel, address);
    const current = this.subscriptions.get(_id);
    if (!current || current.status === 'stopped') return { wasSubscribed: false };
    this.subscriptions.set(_id, {
      ...current,
      status: 'stopped',
      stoppedAt: now,
      updatedAt: now,
      area: null,
    });
    if (current.area) await this.index.remove(_id, current.area.centre);
    return { wasSubscribed: true };
  }

  async find(channel: string, address: string): Promise<Subscription | null> {
    const found = this.subscriptions.get(subscriptionKey(channel, address));
    return found ? structuredClone(found) : null;
  }

  async isActive(subscriptionId: string): Promise<boolean> {
    return this.subscriptions.get(subscriptionId)?.status === 'active';
  }

  /** Every active subscriber, to build an index from. */
  async *eachActive(): AsyncIterable<SubscriberPoint> {
    for (const { _id, channel, address, language, area, status } of this.subscriptions.values()) {
      if (status === 'active' && area)
        yield { _id, channel, address, language, centre: area.centre };
    }
  }

  /** What is stored, as a database would hold it (tests look for a precise point in it). */
  stored(): Subscription[] {
    return [...this.subscriptions.values()].map((subscription) => structuredClone(subscription));
  }
}
