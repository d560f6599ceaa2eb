import { z } from 'zod';

/**
 * The notifications WhatsApp's Cloud API posts to the webhook, parsed where
 * they enter. One envelope carries entries, each with changes; a `messages`
 * change carries the business number (`metadata`), the senders (`contacts`)
 * and any number of messages, statuses and errors. A message of a type this
 * schema does not know (or a known type in a shape it does not expect) never
 * fails the batch: it becomes `unsupported`, so the person still gets a
 * polite answer and the rest of the batch goes on.
 */

const idSchema = z.string().min(1).max(512);
/** Seconds since the epoch, as a string (Meta) or a number. */
const timestampSchema = z.union([z.string().regex(/^\d{1,12}$/), z.number().int().min(0)]);

/** One error as the Cloud API reports it (in a status, an unsupported message or a change). */
export const cloudErrorSchema = z.object({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});

/** A sender: the phone number (`wa_id`) and/or the business-scoped user id (`user_id`). */
export const cloudContactSchema = z.object({
  wa_id: z.string().min(1).max(32).optional(),
  user_id: z.string().min(1).max(256).optional(),
  profile: z.object({ name: z.string().optional() }).optional(),
});
export type CloudContact = z.infer<typeof cloudContactSchema>;

const messageBase = {
  id: idSchema,
  /** The sender's phone number, absent for a username user who hides it. */
  from: z.string().min(1).max(32).optional(),
  /** The sender's business-scoped user id. */
  from_user_id: z.string().min(1).max(256).optional(),
  timestamp: timestampSchema.optional(),
  /** Present when the person replied to a given message. */
  context: z.object({ from: z.string().optional(), id: z.string().optional() }).optional(),
};

const mediaSchema = z.object({
  id: idSchema,
  mime_type: z.string().min(1).max(200),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  /** Set by the Cloud API on a voice note (an `audio` recorded in the app). */
  voice: z.boolean().optional(),
});

/** The media message types, by the key their object is under. */
export const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

const knownMessageSchema = z.discriminatedUnion('type', [
  z.object({ ...messageBase, type: z.literal('text'), text: z.object({ body: z.string() }) }),
  z.object({
    ...messageBase,
    type: z.literal('location'),
    location: z.object({
      latitude: z.coerce.number(),
      longitude: z.coerce.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
  z.object({ ...messageBase, type: z.literal('image'), image: mediaSchema }),
  z.object({ ...messageBase, type: z.literal('audio'), audio: mediaSchema }),
  z.object({ ...messageBase, type: z.literal('video'), video: mediaSchema }),
  z.object({ ...messageBase, type: z.literal('document'), document: mediaSchema }),
  z.object({ ...messageBase, type: z.literal('sticker'), sticker: mediaSchema }),
  z.object({
    ...messageBase,
    type: z.literal('interactive'),
    interactive: z.union([
      z.object({
        type: z.literal('button_reply'),
        button_reply: z.object({ id: z.string().min(1), title: z.string().optional() }),
      }),
      z.object({
        type: z.literal('list_reply'),
        list_reply: z.object({
          id: z.string().min(1),
          title: z.string().optional(),
          description: z.string().optional(),
        }),
      }),
    ]),
  }),
  // A quick-reply button of a template tapped.
  z.object({
    ...messageBase,
    type: z.literal('button'),
    button: z.object({ payload: z.string().optional(), text: z.string().optional() }),
  }),
  z.object({
    ...messageBase,
    type: z.literal('reaction'),
    reaction: z.object({ message_id: z.string().optional(), emoji: z.string().optional() }),
  }),
  z.object({
    ...messageBase,
    type: z.literal('unsupported'),
    errors: z.array(cloudErrorSchema).optional(),
    /** The type the message had when this schema did not know it. */
    original: z.string().max(100).optional(),
  }),
]);

/** Any other message: kept as `unsupported`, with the type it had. */
const otherMessageSchema = z
  .object({ ...messageBase, type: z.string().max(100) })
  .transform(({ type, ...base }) => ({ ...base, type: 'unsupported' as const, original: type }));

/** One inbound message. */
export const cloudMessageSchema = z.union([knownMessageSchema, otherMessageSchema]);
export type CloudMessage = z.infer<typeof cloudMessageSchema>;

/** A status of a message Tifli sent; statuses this schema does not name are kept and ignored. */
export const cloudStatusSchema = z.object({
  id: idSchema,
  status: z.string().max(50),
  timestamp: timestampSchema.optional(),
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  /** The idempotency key the message was sent under (the Cloud adapter settles lost answers by it). */
  biz_opaque_callback_data: z.string().max(512).optional(),
  errors: z.array(cloudErrorSchema).optional(),
});
export type CloudStatus = z.infer<typeof cloudStatusSchema>;

const valueSchema = z.object({
  messaging_product: z.string().optional(),
  metadata: z.object({
    display_phone_number: z.string().optional(),
    phone_number_id: z.string().min(1),
  }),
  contacts: z.array(cloudContactSchema).default([]),
  messages: z.array(cloudMessageSchema).default([]),
  statuses: z.array(cloudStatusSchema).default([]),
  errors: z.array(cloudErrorSchema).default([]),
});
export type CloudChangeValue = z.infer<typeof valueSchema>;

/** A change of another field (account updates, template reviews…) is kept unparsed and ignored. */
const changeSchema = z.union([
  z.object({ field: z.literal('messages'), value: valueSchema }),
  z
    .object({ field: z.string().refine((field) => field !== 'messages') })
    .transform(() => ({ field: 'other' as const })),
]);

/** The whole notification. */
export const webhookEnvelopeSchema = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(changeSchema).default([]),
    }),
  ),
});
export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

/** What the journal keeps of a message: enough to rebuild its activity after a restart. */
export const storedMessageSchema = z.object({
  phoneNumberId: z.string().min(1),
  contact: cloudContactSchema.pick({ wa_id: true, user_id: true }).nullable(),
  message: cloudMessageSchema,
});
export type StoredMessage = z.infer<typeof storedMessageSchema>;

/** What the journal keeps of a status. */
export const storedStatusSchema = z.object({
  phoneNumberId: z.string().min(1),
  status: cloudStatusSchema,
});
export type StoredStatus = z.infer<typeof storedStatusSchema>;

/** A message's time, from its timestamp (seconds), or `fallback` when it has none. */
export function timeOf(timestamp: string | number | undefined, fallback: Date): Date {
  if (timestamp === undefined) return fallback;
  const seconds = Number(timestamp);
  return Number.isFinite(seconds) ? new Date(seconds * 1000) : fallback;
}
