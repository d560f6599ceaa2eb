import { type Alert, insideStage } from '../../core/alert/alert.js';
import type { MessagingLimit } from '../ports/messagingLimit.js';
import type { SubscriberIndex } from '../ports/subscriptions.js';

/** What the approval screen says about an alert's first day. */
export interface AlertReachEstimate {
  /** Subscribers within the alert's widest circle. */
  audience: number;
  /** The channel's messaging limit: people per rolling day outside their window; null: none. */
  dailyLimit: number | null;
  /** How many of the audience the first 24 h can reach: the smaller of the two. */
  firstDay: number;
}

/** Counts are kept this long per alert (counting streams a circle's subscribers). */
const CACHE_MS = 60_000;

/**
 * How many people an alert can reach in its first 24 hours: its audience
 * (every subscriber of its widest circle, counted once) bounded by the
 * channel's messaging-limit tier, so a supervisor knows before approving
 * that a number kept for rare alerts may not reach everyone the first day.
 */
export class AlertReach {
  private readonly cache = new Map<string, { at: number; value: AlertReachEstimate }>();

  constructor(
    private readonly deps: {
      subscribers: Pick<SubscriberIndex, 'within'>;
      /** The messaging limit of the channel alerts go out on; none (no limit) by default. */
      limit?: MessagingLimit;
    },
  ) {}

  async of(alert: Alert): Promise<AlertReachEstimate> {
    const key = `${alert._id}:${JSON.stringify(alert.stages)}:${alert.centre.lat},${alert.centre.lon}`;
    const cached = this.cache.get(key);
    if (cached && performance.now() - cached.at < CACHE_MS) return cached.value;
    const widest = alert.stages.reduce(
      (best, stage) => (stage.radiusKm > best.radiusKm ? stage : best),
      alert.stages[0] ?? { afterMinutes: 0, radiusKm: 0 },
    );
    const seen = new Set<string>();
    for await (const subscriber of this.deps.subscribers.within(alert.centre, widest.radiusKm)) {
      if (insideStage(alert.centre, widest, subscriber.centre)) seen.add(subscriber._id);
    }
    const audience = seen.size;
    const dailyLimit = this.deps.limit ? await this.deps.limit.uniqueRecipientsPerDay() : null;
    const value = {
      audience,
      dailyLimit,
      firstDay: dailyLimit === null ? audience : Math.min(dailyLimit, audience),
    };
    this.cache.set(key, { at: performance.now(), value });
    if (this.cache.size > 100) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    return value;
  }
}
