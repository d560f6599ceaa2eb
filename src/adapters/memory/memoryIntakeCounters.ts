import {
  type IntakeLimiter,
  REMEMBERED_REPORTS,
  type ReportCount,
} from '../../app/ports/intakeLimiter.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The flood counters in memory (unit tests, transcripts, benchmarks). */
export class MemoryIntakeCounters implements IntakeLimiter {
  private readonly minutes = new Map<string, { count: number; expiresAt: number }>();
  private readonly floods = new Map<string, number>();
  private readonly reports = new Map<string, Map<string, number>>();

  async countMessage(sender: string, now: Date): Promise<number> {
    const minute = Math.floor(now.getTime() / MINUTE_MS);
    const key = `${sender}:${minute}`;
    const counter = this.minutes.get(key) ?? { count: 0, expiresAt: (minute + 2) * MINUTE_MS };
    counter.count += 1;
    this.minutes.set(key, counter);
    return counter.count;
  }

  async markFlooding(sender: string, until: Date): Promise<void> {
    this.floods.set(sender, Math.max(this.floods.get(sender) ?? 0, until.getTime()));
  }

  async countReport(sender: string, draftId: string, now: Date): Promise<ReportCount> {
    const filed = this.reports.get(sender) ?? new Map<string, number>();
    filed.set(draftId, now.getTime());
    const dayAgo = now.getTime() - DAY_MS;
    const recent = [...filed].filter(([, at]) => at > dayAgo).sort(([, a], [, b]) => a - b);
    this.reports.set(sender, new Map(recent.slice(-REMEMBERED_REPORTS)));
    return {
      reportsInDay: recent.length,
      drafts: recent.slice(-REMEMBERED_REPORTS).map(([draft]) => draft),
      flooding: (this.floods.get(sender) ?? 0) > now.getTime(),
    };
  }

  async purgeExpired(now: Date): Promise<number> {
    let purged = 0;
    for (const [key, counter] of this.minutes) {
      if (counter.expiresAt < now.getTime()) purged += Number(this.minutes.delete(key));
    }
    for (const [sender, until] of this.floods) {
      if (until < now.getTime()) purged += Number(this.floods.delete(sender));
    }
    for (const [sender, filed] of this.reports) {
      const last = Math.max(...filed.values());
      if (last + DAY_MS < now.getTime()) purged += Number(this.reports.delete(sender));
    }
    return purged;
  }
}
