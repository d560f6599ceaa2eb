import type { Lease } from '../../app/ports/lease.js';

/** A lease in memory (unit tests, benchmarks): one holder until it runs out. */
export class MemoryLease implements Lease {
  private holder: { owner: string; until: number } | null = null;

  async acquire(owner: string, now: Date, ttlMs: number): Promise<boolean> {
    if (this.holder && this.holder.owner !== owner && this.holder.until >= now.getTime())
      return false;
    this.holder = { owner, until: now.getTime() + ttlMs };
    return true;
  }

  async release(owner: string): Promise<void> {
    if (this.holder?.owner === owner) this.holder = null;
  }
}
