import { randomUUID } from 'node:crypto';
import type { Delivery } from '../../core/alert/delivery.js';
import { ChannelSendError } from '../../core/channelSendError.js';
import { channelErrorSummary } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../ports/clock.js';
import type { Lease } from '../ports/lease.js';
import type { AlertSender } from '../ports/notifier.js';
import type { Outbox } from '../ports/outbox.js';
import type { RecipientCheck } from '../ports/subscriptions.js';

export interface BroadcastWorkerOptions {
  outbox: Outbox;
  lease: Lease;
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
  /**
   * Told once when the channel says the sending account itself is at fault
   * (token, restriction, template): the broadcast has stopped.
   */
  onHalt?(delivery: Delivery, halt: BroadcastHalt): void;
  /** Retries of passing faults and of recipients told to wait. */
  retry?: RetryPolicy;
}

/** How refused sends are tried again. */
export interface RetryPolicy {
  /** The first wait; each retry of the same entry waits twice as long. */
  baseMs: number;
  /** The longest wait. */
  maxMs: number;
  /** Attempts of an entry on passing faults before it is settled as failed. */
  maxAttempts: number;
}

/** Why the broadcast stopped: the channel's code, and when. */
export interface BroadcastHalt {
  code: string;
  at: Date;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 60_000, maxAttempts: 5 };
/**
 * Attempts of an entry whose recipient was told to wait (pair limit, an
 * earlier attempt's outcome still unknown) before it is settled as failed:
 * more than on faults, since waiting is what these ask for.
 */
const MAX_BACKOFF_ATTEMPTS = 30;

/**
 * The most entries held in memory ahead of the sends (a few megabytes): the
 * outbox is the queue, this a window on it.
 */
export const MAX_BUFFERED = 5_000;
/**
 * How many finished entries are remembered. A cursor's batch may have been
 * read just before an entry of it was settled: the entry is then not sent
 * again when the cursor gets to it.
 */
const RECENTLY_DONE = 10_000;

/** What became of one send: finished (settled or never to be), or held back to try again. */
type SendOutcome = 'done' | 'again';

/** One alert's pending entries being read, and whether they must be read again after. */
interface Reader {
  entries: AsyncIterator<Delivery>;
  again: boolean;
}

/**
 * The broadcast worker: sends outbox entries in order at the configured rate.
 * One worker in the whole deployment holds the broadcast lease and sends; the
 * others keep nothing in memory and take over when the lease runs out. The
 * holder reads each alert's pending entries from the outbox by cursor, a
 * bounded window at a time, so an alert of a million recipients costs no
 * more memory than one of a thousand. An entry is settled right after its
 * send, so a worker killed in between leaves at most the entries in flight
 * unsettled: its successor sends those again under the same idempotency key
 * (the entry's `_id`), which the channel uses to deliver once.
 *
 * A channel's refusal ({@link ChannelSendError}) decides what follows: when
 * the number is throttled the whole queue pauses; a recipient told to wait
 * is tried again later; a passing fault is retried with exponential
 * back-off a few times, then settled as failed; a permanent refusal is
 * settled as failed at once, never retried; a fault of the account itself
 * stops the broadcast until an operator restarts it (the entries stay
 * queued, `onHalt` tells the supervisors).
 */
export class BroadcastWorker {
  private readonly owner = randomUUID();
  private readonly queue: Delivery[] = [];
  /** Entries buffered or in flight. */
  private readonly known = new Set<string>();
  private readonly done = new Set<string>();
  private readonly readers = new Map<string, Reader>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Entries to try again, and from when (performance.now). */
  private readonly delayed: Array<{ entry: Delivery; at: number }> = [];
  private readonly attempts = new Map<string, number>();
  /** Nothing is sent before this (performance.now): the number is throttled. */
  private pausedUntil = 0;
  private throttledInARow = 0;
  private halted: BroadcastHalt | null = null;
  private readonly retry: RetryPolicy;
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
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** Why the broadcast stopped, or null while it runs. */
  get halt(): BroadcastHalt | null {
    return this.halted;
  }

  /** Whether this worker is the one sending (the scheduler then hands it the outbox). */
  get holdsLease(): boolean {
    return performance.now() < this.leaseValidUntil;
  }

  /**
   * Reads an alert's pending entries from the outbox and sends them (a new
   * stage, closing messages, what a dead worker left). Read again once the
   * current read is through if one is under way. Ignored unless this worker
   * holds the lease: false then, so the caller asks again later.
   */
  follow(alertId: string): boolean {
    if (!this.holdsLease) return false;
    const reader = this.readers.get(alertId);
    if (reader) reader.again = true;
    else this.readers.set(alertId, this.read(alertId));
    this.wakeUp?.();
    return true;
  }

  /**
   * Takes entries just enqueued straight into the window, sparing a read of
   * the outbox (on the embedded database a scan of every entry), when they
   * fit and the alert's outbox is not being read. False when they do not:
   * the caller then has the outbox read (`follow`). Ignored unless this
   * worker holds the lease.
   */
  offer(alertId: string, entries: readonly Delivery[]): boolean {
    if (!this.holdsLease) return true;
    if (this.readers.has(alertId) || this.queue.length + entries.length > MAX_BUFFERED)
      return false;
    for (const entry of entries) {
      if (this.known.has(entry._id) || this.done.has(entry._id)) continue;
      this.known.add(entry._id);
      this.queue.push(entry);
    }
    this.wakeUp?.();
    return true;
  }

  /** Entries held in memory: buffered, in flight or waiting to be tried again. */
  get backlog(): number {
    return this.queue.length + this.inFlight.size + this.delayed.length;
  }

  /** Whether anything is left to send: entries held, or an outbox still being read. */
  get busy(): boolean {
    return this.backlog > 0 || this.readers.size > 0;
  }

  /**
   * Takes or renews the lease. On taking it over, whatever this worker held
   * is dropped: another worker may have sent it meanwhile, and the outbox
   * (read again by the scheduler's next pass) is the truth.
   */
  async renewLease(): Promise<boolean> {
    const held = this.holdsLease;
    const started = performance.now();
    const ok = await this.options.lease.acquire(
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
    if (!this.holdsLease) {
      // The database took longer than the margin: nothing may be sent on this renewal.
      this.options.logger.warn(
        { renewalMs: Math.round(performance.now() - started), leaseMs: this.options.leaseMs },
        'broadcast lease renewal slower than its margin',
      );
    }
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
    if (this.holdsLease) await this.options.lease.release(this.owner);
    this.leaseValidUntil = 0;
    this.forget();
  }

  /** Sends everything pending now, at the configured rate, and returns when done (tests, bench). */
  async drain(): Promise<void> {
    if (this.running) {
      while (this.busy && !this.halted) await sleep(5);
      return;
    }
    // Retries in flight come back as delayed entries: pump until none is left.
    do {
      await this.pump(() => this.hasWork());
      await Promise.all(this.inFlight);
    } while (this.hasWork() && !this.halted);
  }

  private hasWork(): boolean {
    return this.queue.length > 0 || this.readers.size > 0 || this.delayed.length > 0;
  }

  /** Resolves when the sends under way have finished (an alert's end waits for them). */
  async inFlightSettled(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private read(alertId: string): Reader {
    return { entries: this.options.outbox.pending(alertId)[Symbol.asyncIterator](), again: false };
  }

  private forget(): void {
    for (const reader of this.readers.values()) {
      void reader.entries.return?.().catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'closing an outbox read failed');
      });
    }
    this.readers.clear();
    this.queue.length = 0;
    this.delayed.length = 0;
    this.attempts.clear();
    this.known.clear();
    this.done.clear();
  }

  /** Tops the buffer up from the outbox reads, one alert after the other. */
  private async fill(): Promise<void> {
    while (this.queue.length < MAX_BUFFERED) {
      const first = this.readers.entries().next();
      if (first.done) return;
      const [alertId, reader] = first.value;
      const next = await reader.entries.next();
      // The reader may have been dropped meanwhile (the lease was lost).
      if (this.readers.get(alertId) !== reader) continue;
      if (next.done) {
        this.readers.delete(alertId);
        if (reader.again) this.readers.set(alertId, this.read(alertId));
        continue;
      }
      const entry = next.value;
      if (this.known.has(entry._id) || this.done.has(entry._id)) continue;
      this.known.add(entry._id);
      this.queue.push(entry);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.halted || !this.hasWork()) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        this.wakeUp = null;
        continue;
      }
      try {
        await this.pump(() => this.running && this.hasWork());
      } catch (error) {
        // An outbox read failed: the scheduler's next pass hands the alert over again.
        this.options.logger.error({ err: error }, 'reading the outbox failed');
        this.forget();
      }
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
    while (more() && !this.halted) {
      const paused = this.pausedUntil - performance.now();
      if (paused > 0) {
        await sleep(Math.min(paused, 1000));
        this.slot = Math.max(this.slot, performance.now());
        continue;
      }
      this.takeDue();
      if (this.queue.length < MAX_BUFFERED / 2) await this.fill();
      if (this.queue.length === 0) {
        // Only retries are left, none due yet (or the sends in flight may add some).
        const next = this.delayed.reduce((soonest, item) => Math.min(soonest, item.at), Infinity);
        if (this.inFlight.size > 0) await Promise.race([...this.inFlight, sleep(50)]);
        else if (next !== Infinity)
          await sleep(Math.min(Math.max(1, next - performance.now()), 1000));
        this.slot = Math.max(this.slot, performance.now());
        continue;
      }
      const wait = this.slot - performance.now();
      if (wait > 1) await sleep(wait);
      while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
      if (this.halted || this.pausedUntil > performance.now()) continue;
      if (!this.holdsLease && !(await this.renewLease())) return;
      const entry = this.queue.shift();
      if (entry === undefined) continue;
      this.slot += interval;
      const sending = this.sendOne(entry)
        .then((outcome) => {
          if (outcome === 'done') {
            this.known.delete(entry._id);
            this.attempts.delete(entry._id);
            this.remember(entry._id);
          }
        })
        .finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
  }

  /** Puts the retries whose time has come back at the head of the queue. */
  private takeDue(): void {
    const now = performance.now();
    for (let i = this.delayed.length - 1; i >= 0; i--) {
      const item = this.delayed[i];
      if (item && item.at <= now) {
        this.delayed.splice(i, 1);
        this.queue.unshift(item.entry);
      }
    }
  }

  /** The wait before the n-th retry (1, 2, …): doubling from the base, up to the most. */
  private backoff(attempt: number): number {
    return Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** Math.max(0, attempt - 1));
  }

  private remember(id: string): void {
    this.done.add(id);
    if (this.done.size > RECENTLY_DONE) {
      const oldest = this.done.values().next();
      if (!oldest.done) this.done.delete(oldest.value);
    }
  }

  private async sendOne(delivery: Delivery): Promise<SendOutcome> {
    const { outbox, clock } = this.options;
    try {
      if (!(await this.options.maySend(delivery))) {
        await outbox.settle(delivery, 'cancelled', clock.now());
        return 'done';
      }
      // STOP means no more messages at all, the closing one included.
      if (!(await this.options.recipients.isActive(delivery.subscriptionId))) {
        await outbox.settle(delivery, 'skipped', clock.now());
        return 'done';
      }
      const sent = await this.options.sender.send(delivery);
      this.throttledInARow = 0;
      await outbox.settle(delivery, 'sent', clock.now(), undefined, sent?.channelMessageId);
      this.options.onSent?.(delivery);
      return 'done';
    } catch (error) {
      if (error instanceof ChannelSendError) return this.refused(delivery, error);
      return this.failed(delivery, error);
    }
  }

  /** What a channel's refusal means for this entry and for the whole broadcast. */
  private async refused(delivery: Delivery, error: ChannelSendError): Promise<SendOutcome> {
    const { logger } = this.options;
    const context = { code: error.code, alertId: delivery.alertId, kind: delivery.kind };
    const attempt = (this.attempts.get(delivery._id) ?? 0) + 1;
    switch (error.disposition) {
      case 'throttled': {
        this.throttledInARow += 1;
        const pause = error.retryAfterMs ?? this.backoff(this.throttledInARow);
        this.pausedUntil = Math.max(this.pausedUntil, performance.now() + pause);
        this.queue.unshift(delivery);
        logger.warn({ ...context, pauseMs: pause }, 'channel throttled: broadcast paused');
        return 'again';
      }
      case 'recipientBackoff':
        if (attempt > MAX_BACKOFF_ATTEMPTS) return this.failed(delivery, error);
        return this.later(delivery, attempt, error.retryAfterMs ?? this.backoff(attempt));
      case 'transient':
        if (attempt >= this.retry.maxAttempts) return this.failed(delivery, error);
        logger.warn({ ...context, attempt }, 'alert delivery failed, will retry');
        return this.later(delivery, attempt, error.retryAfterMs ?? this.backoff(attempt));
      case 'permanent':
      case 'outsideWindow':
        return this.failed(delivery, error);
      case 'halt': {
        if (!this.halted) {
          this.halted = { code: error.code, at: this.options.clock.now() };
          logger.error(context, 'broadcast halted: the channel refuses the account');
          this.options.onHalt?.(delivery, this.halted);
        }
        // Left queued in the outbox: sent once an operator has fixed the account and restarted.
        return 'again';
      }
      default: {
        const unreachable: never = error.disposition;
        return this.failed(delivery, new Error(String(unreachable)));
      }
    }
  }

  private later(delivery: Delivery, attempt: number, waitMs: number): SendOutcome {
    this.attempts.set(delivery._id, attempt);
    this.delayed.push({ entry: delivery, at: performance.now() + waitMs });
    return 'again';
  }

  /** Settles the entry as failed with the channel's code; it is never sent again. */
  private async failed(delivery: Delivery, error: unknown): Promise<SendOutcome> {
    const { outbox, clock, logger } = this.options;
    // The error's name and code only: a channel's message may quote the number.
    const summary = channelErrorSummary(error);
    logger.error(
      { ...summary, alertId: delivery.alertId, kind: delivery.kind },
      'alert delivery failed',
    );
    const code = summary.code === undefined ? summary.error : String(summary.code);
    await outbox.settle(delivery, 'failed', clock.now(), code).catch((settleError: unknown) => {
      logger.error({ err: settleError }, 'could not record a failed delivery');
    });
    return 'done';
  }
}

/** Waits, without importing node's timers (the app layer stays free of I/O modules). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
