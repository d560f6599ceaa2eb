/**
 * The pace Graph allows one phone number, kept on the sending side so that
 * it is rarely told off: a token bucket at the number's throughput, shared by
 * every message it sends, and a small bucket per recipient (the pair limit).
 * Both are the "generic cell rate" form of a token bucket: one theoretical
 * arrival time per bucket, so no timer runs while nothing is sent.
 */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A token bucket: `ratePerSecond` on average, up to `burst` at once. */
export class TokenBucket {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  private arrival = 0;

  constructor(
    ratePerSecond: number,
    burst = Math.max(1, Math.ceil(ratePerSecond / 20)),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = 1000 / ratePerSecond;
    this.toleranceMs = (burst - 1) * this.intervalMs;
  }

  /** Waits for a token; callers are served in the order they asked. */
  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await sleep(wait);
  }

  /** Takes a token if one is there now; takes nothing otherwise (how Graph counts). */
  tryTake(): boolean {
    const now = this.now();
    const arrival = Math.max(this.arrival, now);
    if (arrival - this.toleranceMs - now > 0) return false;
    this.arrival = arrival + this.intervalMs;
    return true;
  }

  /** Takes a token now and says how long to wait before using it. */
  reserve(): number {
    const now = this.now();
    this.arrival = Math.max(this.arrival, now);
    const wait = this.arrival - this.toleranceMs - now;
    this.arrival += this.intervalMs;
    return Math.max(0, wait);
  }
}

/**
 * Defaults of the pair limit: Meta allows about one message per 6 s to one
 * person, a few at once. Ours is a little slower: we measure when a message
 * leaves, Meta when it arrives, and a slow send would otherwise be over.
 */
export const PAIR_INTERVAL_MS = 6_500;
export const PAIR_BURST = 5;

/** How many idle recipients may be remembered before the map is swept. */
const SWEEP_EVERY = 10_000;

/**
 * The pair limit: a bucket per recipient. A turn's replies (a few messages)
 * pass at once; a burst beyond it waits or is refused, as the caller prefers.
 */
export class PairLimiter {
  private readonly arrivals = new Map<string, number>();
  private readonly toleranceMs: number;

  constructor(
    private readonly intervalMs = PAIR_INTERVAL_MS,
    burst = PAIR_BURST,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.toleranceMs = (burst - 1) * intervalMs;
  }

  /** How long until `address` may receive one more message (0: now), taking nothing. */
  delayFor(address: string): number {
    const now = this.now();
    const arrival = Math.max(this.arrivals.get(address) ?? 0, now);
    return Math.max(0, arrival - this.toleranceMs - now);
  }

  /** Takes one message of `address`'s allowance and says how long to wait before sending it. */
  reserve(address: string): number {
    const now = this.now();
    const arrival = Math.max(this.arrivals.get(address) ?? 0, now);
    const wait = Math.max(0, arrival - this.toleranceMs - now);
    this.arrivals.set(address, arrival + this.intervalMs);
    if (this.arrivals.size > SWEEP_EVERY) this.sweep(now);
    return wait;
  }

  /** Waits for `address`'s allowance. */
  async take(address: string): Promise<void> {
    const wait = this.reserve(address);
    if (wait > 0) await sleep(wait);
  }

  /** Forgets the recipients whose allowance is whole again. */
  private sweep(now: number): void {
    for (const [address, arrival] of this.arrivals) {
      if (arrival <= now) this.arrivals.delete(address);
    }
  }
}
