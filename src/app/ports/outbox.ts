import type { Delivery, DeliveryProgress, ReceiptState } from '../../core/alert/delivery.js';

/**
 * The broadcast outbox: one entry per alert (or closing) message and
 * recipient, keyed by `deliveryId`, so enqueuing twice stores once and the
 * key is the channel's idempotency key.
 */
export interface Outbox {
  /** Adds entries; those that already exist are left as they are. Returns the new ones. */
  enqueue(entries: Delivery[]): Promise<Delivery[]>;
  /** An alert's entries not yet settled, streamed in queue order. */
  pending(alertId: string): AsyncIterable<Delivery>;
  /** Recipients an alert's message was sent to (for the closing message), streamed. */
  reached(alertId: string): AsyncIterable<Delivery>;
  /** How one entry ended; settling twice keeps the first outcome. */
  settle(entry: Delivery, state: ReceiptState, now: Date): Promise<void>;
  /** Whether the alert's message was sent to this subscription. */
  received(alertId: string, subscriptionId: string): Promise<boolean>;
  progress(alertId: string, ended: boolean): Promise<DeliveryProgress>;
  /** Forgets everything about an ended alert's recipients (retention). */
  purge(alertId: string): Promise<void>;
}
