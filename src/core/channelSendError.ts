/**
 * What a channel's refusal means for the broadcast, whatever the channel:
 * - `throttled`: the number is over its throughput; pause the whole queue and retry later;
 * - `recipientBackoff`: too many messages to this person lately (or the outcome of an
 *   earlier attempt is not known yet); retry this recipient later;
 * - `transient`: a passing fault; retry with back-off, a bounded number of times;
 * - `permanent`: this recipient cannot be reached (not on the channel, opted out); never retry;
 * - `halt`: the sending account itself is at fault (token, restriction, template); stop the
 *   broadcast until an operator fixes it;
 * - `outsideWindow`: only an approved template may reach this person now and none was given.
 */
export const SEND_DISPOSITIONS = [
  'throttled',
  'recipientBackoff',
  'transient',
  'permanent',
  'halt',
  'outsideWindow',
] as const;
export type SendDisposition = (typeof SEND_DISPOSITIONS)[number];

/**
 * A channel refused or could not take a message. `code` is the channel's own
 * code (e.g. Graph's `error.code`), never its message, which may quote the
 * recipient.
 */
export class ChannelSendError extends Error {
  constructor(
    readonly disposition: SendDisposition,
    readonly code: string,
    /** When the channel said (or the sender knows) how long to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(`channel send ${disposition} (${code})`);
    this.name = 'ChannelSendError';
  }
}
