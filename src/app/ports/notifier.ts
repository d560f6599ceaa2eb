import type { Delivery } from '../../core/alert/delivery.js';
import type { Text } from '../../core/conversation/text.js';

/**
 * Writes to a family outside a turn (an officer's message, "your case was
 * confirmed"…), in the family's language, on the channel they reported on.
 */
export interface Notifier {
  send(family: { channel: string; address: string; language: string }, text: Text): Promise<void>;
}

/**
 * Sends one outbox entry on its channel; the entry's `_id` is its idempotency
 * key. Returns the channel's message id when the channel has one.
 */
export interface AlertSender {
  // biome-ignore lint/suspicious/noConfusingVoidType: a sender without message ids returns nothing
  send(delivery: Delivery): Promise<{ channelMessageId?: string } | void>;
}
