/**
 * When each person last wrote to the channel: a message from them opens a
 * 24 h customer-service window during which any message may be sent; outside
 * it, only an approved template. Keyed by the person's channel address
 * (E.164 or a business-scoped user id).
 */
export interface CustomerWindows {
  /** The person wrote at `at`; an older time than the one kept changes nothing. */
  opened(address: string, at: Date): Promise<void>;
  /** When they last wrote, or null if never (or so long ago it was forgotten). */
  lastInbound(address: string): Promise<Date | null>;
}
