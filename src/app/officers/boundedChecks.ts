/**
 * A cap on expensive work running at once in this process (password checks:
 * argon2 takes 19 MiB and tens of milliseconds each). Up to `active` tasks
 * run; up to `waiting` more wait their turn, first come first served; beyond
 * that a task is turned away at once, so a flood of logins cannot queue up
 * unbounded memory or starve the event loop.
 */
export class BoundedChecks {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly active: number,
    private readonly waiting: number,
  ) {}

  /** Runs the task when a place is free, or answers `busy` at once if too many wait already. */
  async run<T>(task: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (this.running >= this.active) {
      if (this.queue.length >= this.waiting) return { ok: false };
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running++;
    }
    try {
      return { ok: true, value: await task() };
    } finally {
      // The place goes straight to the next in line (running stays the same), or is freed.
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** How many tasks are running now (tests and metrics). */
  get inFlight(): number {
    return this.running;
  }
}
