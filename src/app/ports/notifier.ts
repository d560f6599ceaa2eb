import type { Delivery } from '../../core/alert/delivery.js';
import type { Text } from '../../core/conversation/text.js';

/**
 * Writes to a family outside a turn (an officer's message, "your case was
 * confirmed"…), in the family's language, on the channel they reported on.
 */
export interface Notifier {
  send(family: { channel: string; address: string; language: string }, text: Text): Promise<void>;
}

/** What a channel says of a message it accepted: its id there, when it has one. */
export interface SentMessage {
  channelMessageId?: string;
}

/**
 * Sends one outbox entry on its channel; the entry's `_id` is its
 * idempotency key. Resolves with the channel's message id when the channel
 * gives one (its statuses and replies name the message by it).
 */
export interface AlertSender {
  // biome-ignore lint/suspicious/noConfusingVoidType: a channel that has no message id keeps its `Promise<void>`.
  send(delivery: Delivery): Promise<SentMessage | void>;
}
