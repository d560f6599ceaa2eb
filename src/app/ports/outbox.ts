import type { Delivery, DeliveryProgress, ReceiptState } from '../../core/alert/delivery.js';

/**
 * The broadcast outbox: one entry per alert (or closing) message and
 * recipient, keyed by `deliveryId`, so enqueuing twice stores once and the
 * key is the channel's idempotency key. An outbox may hold an alert's whole
 * audience (hundreds of thousands): reads are streamed, never loaded whole.
 */
export interface Outbox {
  /** Adds entries; those that already exist are left as they are. Returns the new ones. */
  enqueue(entries: readonly Delivery[]): Promise<Delivery[]>;
  /** An alert's entries not yet settled, streamed in queue order (`queuedAt`). */
  pending(alertId: string): AsyncIterable<Delivery>;
  /** The entries of an alert's message that were sent (for the closing message), streamed. */
  reached(alertId: string): AsyncIterable<Delivery>;
  /**
   * How one entry ended; settling twice keeps the first outcome. `errorCode`
   * is the channel's code for a failure (never its message, which may quote the number).
   */
  settle(entry: Delivery, state: ReceiptState, now: Date, errorCode?: string): Promise<void>;
  /** Whether the alert's message was sent to this subscription. */
  received(alertId: string, subscriptionId: string): Promise<boolean>;
  /** Counts by outcome; once the alert has `ended`, entries still queued count as cancelled. */
  progress(alertId: string, ended: boolean): Promise<DeliveryProgress>;
  /** Forgets everything about an ended alert's recipients (retention). */
  purge(alertId: string): Promise<void>;
}
