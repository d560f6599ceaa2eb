import type { SendAttempt } from '../../core/sendAttempt.js';

/**
 * What became of each message sent under an idempotency key (an outbox
 * entry's `_id`), so that none is sent twice across retries, restarts and
 * instances. A key is claimed before the send; it is `accepted` once the
 * channel answered with its message id, or left `unconfirmed` when the
 * process died or the connection broke before the answer came.
 */
export type { SendAttempt };

export interface SendJournal {
  /**
   * Claims `key` for a send to `address`. Null when the key is new: the
   * caller sends. Otherwise what an earlier attempt left, and nothing is claimed.
   * `resend` is what to send again should the channel later report it could
   * not deliver a free-form message (a template, serialised by the channel).
   */
  begin(
    key: string,
    address: string,
    now: Date,
    resend: string | null,
  ): Promise<SendAttempt | null>;
  /** The channel accepted the message under this id. */
  accepted(key: string, channelMessageId: string): Promise<void>;
  /**
   * The channel reported later that an `unconfirmed` send was accepted under
   * this id; false when the key is not unconfirmed (already accepted, or unknown).
   */
  confirm(key: string, channelMessageId: string): Promise<boolean>;
  /**
   * Takes an accepted message back to send it again in another form (a
   * template after the channel reported it outside the window): it becomes
   * `unconfirmed` until {@link SendJournal.accepted} records the new id. False
   * when it is no longer accepted under that id (someone else took it).
   */
  claimResend(key: string, channelMessageId: string, now: Date): Promise<boolean>;
  /** The channel refused it outright (nothing was accepted): the key may be sent again. */
  release(key: string): Promise<void>;
  /**
   * Takes over an `unconfirmed` claim whose outcome never came (still claimed
   * `since` then); false when someone else took it or it was settled meanwhile.
   */
  retake(key: string, since: Date, now: Date): Promise<boolean>;
  /** The key and attempt a channel message id belongs to, if it was sent under one. */
  byChannelMessageId(
    channelMessageId: string,
  ): Promise<{ key: string; attempt: Extract<SendAttempt, { state: 'accepted' }> } | null>;
}
