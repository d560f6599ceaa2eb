import type { Alert } from '../../core/alert/alert.js';
import type { Delivery, DeliveryProgress } from '../../core/alert/delivery.js';
import type { Logger } from '../../logger.js';
import type { AlertStore } from '../ports/alertStore.js';
import type { Events } from '../ports/events.js';
import type { Outbox } from '../ports/outbox.js';
import { publishAlert } from './alertSteps.js';

/** How long counts and progress events are held back per alert. */
const THROTTLE_MS = 1000;

/**
 * How an alert's broadcast is going, for the console: counts of its outbox,
 * read at most once a second per alert (on the embedded database counting
 * reads the whole outbox), and a live event at most once a second while it sends.
 */
export class AlertProgress {
  private readonly cache = new Map<string, { at: number; value: DeliveryProgress }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: {
      alerts: Pick<AlertStore, 'get'>;
      outbox: Pick<Outbox, 'progress'>;
      events: Events;
      logger: Logger;
    },
  ) {}

  async of(alert: Alert): Promise<DeliveryProgress> {
    const cacheKey = `${alert._id}:${alert.state}`;
    const cached = this.cache.get(cacheKey);
    if (cached && performance.now() - cached.at < THROTTLE_MS) return cached.value;
    const value = await this.deps.outbox.progress(alert._id, alert.state === 'ended');
    this.cache.set(cacheKey, { at: performance.now(), value });
    return value;
  }

  /** A delivery went out: the console hears of it within a second. */
  sent(delivery: Delivery): void {
    if (this.timers.has(delivery.alertId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(delivery.alertId);
      void this.deps.alerts.get(delivery.alertId).then(
        (alert) => alert && publishAlert(this.deps.events, alert),
        (error: unknown) => this.deps.logger.warn({ err: error }, 'progress event failed'),
      );
    }, THROTTLE_MS);
    timer.unref();
    this.timers.set(delivery.alertId, timer);
  }

  /** Whoever asks next reads the outbox again (after a test's or benchmark's run). */
  forget(): void {
    this.cache.clear();
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
