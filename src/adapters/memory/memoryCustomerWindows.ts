import type { CustomerWindows } from '../../app/ports/customerWindows.js';

/** Customer windows in memory (unit tests, benchmarks). */
export class MemoryCustomerWindows implements CustomerWindows {
  private readonly last = new Map<string, number>();

  async opened(address: string, at: Date): Promise<void> {
    const known = this.last.get(address);
    if (known === undefined || known < at.getTime()) this.last.set(address, at.getTime());
  }

  async lastInbound(address: string): Promise<Date | null> {
    const known = this.last.get(address);
    return known === undefined ? null : new Date(known);
  }
}
