/**
 * The most reports one number's counter remembers: enough to count past the
 * limit and flag the earlier ones, and a bound however many a number files.
 */
export const REMEMBERED_REPORTS = 20;

/** What the limiter knows about a number's reports when one more is filed. */
export interface ReportCount {
  /** Reports of the number within the last 24 h, this one included (each draft counted once). */
  reportsInDay: number;
  /** The draft ids of those reports, oldest first (to flag the earlier ones too). */
  drafts: string[];
  /** The number exceeded the message rate within the flood memory. */
  flooding: boolean;
}

/**
 * Counters of what each number sends, for flood control. `sender` is an
 * opaque pseudonym of the number (the caller hashes it): these counters never
 * hold a phone number. Every counter is one document read and changed by its
 * `_id`, and expires on its own.
 */
export interface IntakeLimiter {
  /** Counts one message in the minute of `now`; the minute's count, this one included. */
  countMessage(sender: string, now: Date): Promise<number>;
  /** Remembers that the number flooded messages, until `until` (the latest date wins). */
  markFlooding(sender: string, until: Date): Promise<void>;
  /** Counts one report, once per draft id however often it is retried. */
  countReport(sender: string, draftId: string, now: Date): Promise<ReportCount>;
  /** Forgets counters that expired before `now` (the embedded database has no TTL index). */
  purgeExpired(now: Date): Promise<number>;
}
