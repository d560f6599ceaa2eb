import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../bot/ports.js';
import type { Logger } from '../logger.js';
import type { Delivery, MongoAlertRepository } from '../store/alertRepository.js';

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
  /** Messages per second across all alerts (WhatsApp limits senders; default 20). */
  ratePerSecond: number;
  /** A claim older than this belongs to a worker that died mid-send. */
  claimLeaseMs: number;
  /** Whether the alert an entry belongs to may still send it (not cancelled or expired). */
  maySend(delivery: Delivery): Promise<boolean>;
  /** Told after each send, so the console can show progress. */
  onSent?(delivery: Delivery): void;
}

/**
 * The broadcast worker: takes outbox entries in order and sends them at the
 * configured rate. Each entry is claimed by `_id` before it is sent and
 * settled after, so a worker that crashes resumes without sending an entry
 * twice: an entry claimed but not settled is taken up again only when its
 * claim has gone stale, and is re-sent under the same idempotency key.
 */
export class BroadcastWorker {
  private readonly queue: string[] = [];
  private readonly known = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private slot = 0;
  private readonly concurrency: number;

  constructor(private readonly options: BroadcastWorkerOptions) {
    // Enough parallel sends to keep the pace when one send takes longer than a slot.
    this.concurrency = Math.max(1, Math.min(16, Math.ceil(options.ratePerSecond / 10)));
  }

  /** Adds entries to send (new stage, closing messages, or what a restart found pending). */
  add(entries: readonly Pick<Delivery, '_id'>[]): void {
    for (const entry of entries) {
      if (this.known.has(entry._id)) continue;
      this.known.add(entry._id);
      this.queue.push(entry._id);
    }
    this.wakeUp?.();
  }

  /** How many entries wait in this worker. */
  get backlog(): number {
    return this.queue.length + this.inFlight.size;
  }

  /** Starts sending in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops taking entries and waits for the sends in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  /** Sends everything queued now, at the configured rate, and returns when done (tests, CLI). */
  async drain(): Promise<void> {
    if (this.running) {
      while (this.backlog > 0) await sleep(5);
      return;
    }
    await this.pump(() => this.queue.length > 0);
    await Promise.all(this.inFlight);
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
      const id = this.queue.shift();
      if (id === undefined) break;
      this.slot += interval;
      const sending = this.sendOne(id).finally(() => {
        this.inFlight.delete(sending);
        this.known.delete(id);
      });
      this.inFlight.add(sending);
    }
  }

  private async sendOne(id: string): Promise<void> {
    const { alerts, clock, logger } = this.options;
    const now = clock.now();
    const delivery = await alerts.claim(
      id,
      now,
      new Date(now.getTime() - this.options.claimLeaseMs),
    );
    // Another worker has it, or it was settled already.
    if (!delivery) return;
    try {
      if (!(await this.options.maySend(delivery))) {
        await alerts.settle(id, 'cancelled', clock.now());
        return;
      }
      if (
        delivery.kind === 'alert' &&
        !(await this.options.recipients.isActive(delivery.subscriptionId))
      ) {
        await alerts.settle(id, 'skipped', clock.now());
        return;
      }
      await this.options.sender.send(delivery);
      await alerts.settle(id, 'sent', clock.now());
      this.options.onSent?.(delivery);
    } catch (error) {
      logger.error(
        { err: error, alertId: delivery.alertId, kind: delivery.kind },
        'alert delivery failed',
      );
      await alerts.settle(id, 'failed', clock.now()).catch((settleError: unknown) => {
        logger.error({ err: settleError }, 'could not record a failed delivery');
      });
    }
  }
}
