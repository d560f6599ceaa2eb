/**
 * How many people the channel lets the service reach outside their 24 h
 * window per rolling day (WhatsApp's messaging-limit tier). Null: no limit.
 */
export interface MessagingLimit {
  uniqueRecipientsPerDay(): Promise<number | null>;
}
