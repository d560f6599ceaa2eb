import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MongoAlertRepository } from '../../adapters/mongo/alertRepository.js';
import type { Delivery } from '../../core/alert/delivery.js';
import { channelErrorSummary, type Logger } from '../../logger.js';
import type { Clock } from '../ports/clock.js';

/** Sends one outbox entry on its channel; the entry's `_id` is its idempotency key. */
export interface AlertSender {
  send(delivery: Delivery): Promise<void>;
}

/** Whether a number may still receive alerts (it may have sent STOP since it was enqueued). */
export interface RecipientCheck {
  isActive(subscriptionId: string): Promise<boolean>;
}

export interface BroadcastWorkerOptions {
  alerts: MongoAlertRepository;
  recipients: RecipientCheck;
  sender: AlertSender;
  clock: Clock;
  logger: Logger;
  /** Messages per second across all alerts (one WhatsApp number's pace; default 20). */
  ratePerSecond: number;
  /** How long the broadcast lease lasts; a dead worker's lease is taken over after it. */
  leaseMs: number;
  /** Whether the alert an entry belongs to may still send it (not cancelled or expired). */
  maySend(delivery: Delivery): Promise<boolean>;
  /** Told after each send, so the console can show progress. */
  onSent?(delivery: Delivery): void;
}

/**
 * The broadcast worker: sends outbox entries in order at the configured rate.
 * One worker in the whole deployment holds the broadcast lease and sends; the
 * others keep nothing in memory and take over when the lease runs out. An
 * entry is marked sent right after its send, so a worker killed in between
 * leaves at most the entries in flight unmarked: its successor sends those
 * again under the same idempotency key (the entry's `_id`), which the channel
 * uses to deliver once.
 */
export class BroadcastWorker {
  private readonly owner = randomUUID();
  private readonly queue: Delivery[] = [];
  private readonly known = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private renewal: NodeJS.Timeout | null = null;
  private slot = 0;
  /** Local time (performance.now) until which this worker may send. */
  private leaseValidUntil = 0;
  private readonly concurrency: number;

  constructor(private readonly options: BroadcastWorkerOptions) {
    // Enough parallel sends to keep the pace when one send takes longer than a slot.
    this.concurrency = Math.max(1, Math.min(16, Math.ceil(options.ratePerSecond / 10)));
  }

  /** Whether this worker is the one sending (the alert service then hands it the outbox). */
  get holdsLease(): boolean {
    return performance.now() < this.leaseValidUntil;
  }

  /**
   * Adds entries to send (a new stage, closing messages, or what the outbox
   * holds). Ignored unless this worker holds the lease: the holder reads the
   * outbox itself.
   */
  add(entries: readonly Delivery[]): void {
    if (!this.holdsLease) return;
    for (const entry of entries) {
      if (this.known.has(entry._id)) continue;
      this.known.add(entry._id);
      this.queue.push(entry);
    }
    this.wakeUp?.();
  }

  /** How many entries wait in this worker. */
  get backlog(): number {
    return this.queue.length + this.inFlight.size;
  }

  /**
   * Takes or renews the lease. On taking it over, whatever this worker held
   * is dropped: another worker may have sent it meanwhile, and the outbox
   * (read by the alert service's next reconcile) is the truth.
   */
  async renewLease(): Promise<boolean> {
    const held = this.holdsLease;
    const started = performance.now();
    const ok = await this.options.alerts.acquireLease(
      this.owner,
      this.options.clock.now(),
      this.options.leaseMs,
    );
    if (!ok) {
      this.leaseValidUntil = 0;
      this.forget();
      return false;
    }
    if (!held) this.forget();
    // A margin, so this worker stops before another may start.
    this.leaseValidUntil = started + this.options.leaseMs * 0.8;
    return true;
  }

  /** Starts sending in the background, renewing the lease as it goes. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const renew = () =>
      void this.renewLease().catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'broadcast lease renewal failed'),
      );
    renew();
    this.renewal = setInterval(renew, Math.max(50, this.options.leaseMs / 4));
    this.renewal.unref();
    this.loop = this.run();
  }

  /** Stops sending, waits for the sends in flight and gives the lease back. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.renewal) clearInterval(this.renewal);
    this.wakeUp?.();
    await this.loop;
    await Promise.all(this.inFlight);
    if (this.holdsLease) await this.options.alerts.releaseLease(this.owner);
    this.leaseValidUntil = 0;
  }

  /** Sends everything queued now, at the configured rate, and returns when done (tests, bench). */
  async drain(): Promise<void> {
    if (this.running) {
      while (this.backlog > 0) await sleep(5);
      return;
    }
    await this.pump(() => this.queue.length > 0);
    await Promise.all(this.inFlight);
  }

  /** Resolves when the sends under way have finished (an alert's end waits for them). */
  async inFlightSettled(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private forget(): void {
    this.queue.length = 0;
    this.known.clear();
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        this.wakeUp = null;
        continue;
      }
      await this.pump(() => this.running && this.queue.length > 0);
    }
  }

  /**
   * Sends entries while `more()` holds, one every 1/rate seconds, with a few
   * in flight at once. The pace restarts after an idle spell rather than
   * catching up in a burst.
   */
  private async pump(more: () => boolean): Promise<void> {
    const interval = 1000 / this.options.ratePerSecond;
    this.slot = Math.max(this.slot, performance.now());
    while (more()) {
      const wait = this.slot - performance.now();
      if (wait > 1) await sleep(wait);
      while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
      if (!this.holdsLease && !(await this.renewLease())) return;
      const entry = this.queue.shift();
      if (entry === undefined) break;
      this.slot += interval;
      const sending = this.sendOne(entry).finally(() => {
        this.inFlight.delete(sending);
        this.known.delete(entry._id);
      });
      this.inFlight.add(sending);
    }
  }

  private async sendOne(delivery: Delivery): Promise<void> {
    const { alerts, clock, logger } = this.options;
    try {
      if (!(await this.options.maySend(delivery))) {
        await alerts.settle(delivery, 'cancelled', clock.now());
        return;
      }
      // STOP means no more messages at all, the closing one included.
      if (!(await this.options.recipients.isActive(delivery.subscriptionId))) {
        await alerts.settle(delivery, 'skipped', clock.now());
        return;
      }
      await this.options.sender.send(delivery);
      await alerts.settle(delivery, 'sent', clock.now());
      this.options.onSent?.(delivery);
    } catch (error) {
      // The error's name and code only: a channel's message may quote the number.
      logger.error(
        { ...channelErrorSummary(error), alertId: delivery.alertId, kind: delivery.kind },
        'alert delivery failed',
      );
      await alerts.settle(delivery, 'failed', clock.now()).catch((settleError: unknown) => {
        logger.error({ err: settleError }, 'could not record a failed delivery');
      });
    }
  }
}
