import { z } from 'zod';

/**
 * What became of one message sent under an idempotency key: `accepted` by
 * the channel under its message id, or `unconfirmed` since a time (claimed,
 * and no answer came yet). `resend` is what to send instead should the
 * channel later report the message undeliverable as it was (a template,
 * serialised by the channel).
 */
export const sendAttemptSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('accepted'),
    channelMessageId: z.string(),
    address: z.string(),
    resend: z.string().nullable().catch(null),
  }),
  z.object({
    state: z.literal('unconfirmed'),
    since: z.coerce.date(),
    address: z.string(),
    resend: z.string().nullable().catch(null),
  }),
]);
export type SendAttempt = z.infer<typeof sendAttemptSchema>;

/** Reads a stored attempt; one that does not parse is an error, so nothing is sent on a guess. */
export function parseSendAttempt(document: unknown): SendAttempt {
  const parsed = sendAttemptSchema.safeParse(document);
  if (!parsed.success) throw new Error('a stored send attempt does not parse');
  return parsed.data;
}
