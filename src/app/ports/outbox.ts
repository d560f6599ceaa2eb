import type {
  Delivery,
  DeliveryProgress,
  ReceiptState,
  StatusRecorded,
  StatusUpdate,
} from '../../core/alert/delivery.js';

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
   * is the channel's code for a failure (never its message, which may quote the number);
   * `channelMessageId` the channel's id for the message it accepted, by which
   * its later statuses name it.
   */
  settle(
    entry: Delivery,
    state: ReceiptState,
    now: Date,
    errorCode?: string,
    channelMessageId?: string,
  ): Promise<void>;
  /**
   * Records a status the channel reported for a message it accepted. Monotonic:
   * sent < delivered < read (`read` may skip `delivered`); `failed` only after
   * `sent`, with its code. A duplicate or an older status is `unchanged`; an id
   * no entry has is `unknown`. Safe to repeat.
   */
  recordStatus(update: StatusUpdate): Promise<StatusRecorded>;
  /** The entry whose message the channel names so (a reply to an alert names its message). */
  findByChannelMessageId(channelMessageId: string): Promise<Delivery | null>;
  /** Whether the alert's message was sent to this subscription. */
  received(alertId: string, subscriptionId: string): Promise<boolean>;
  /** Counts by outcome and channel status; once the alert has `ended`, entries still queued count as cancelled. */
  progress(alertId: string, ended: boolean): Promise<DeliveryProgress>;
  /** Forgets everything about an ended alert's recipients (retention). */
  purge(alertId: string): Promise<void>;
}
