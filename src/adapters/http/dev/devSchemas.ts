import { z } from 'zod';
import { CHANNEL_STATUSES } from '../../../core/alert/delivery.js';
import { MAX_AUDIO_BYTES } from '../../../core/audioKind.js';

/** The longest base64 text of an audio: a little over 16 MB decoded, so the size check is the bot's. */
const MAX_AUDIO_BASE64 = Math.ceil((MAX_AUDIO_BYTES * 4) / 3) + 1024;

const address = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, 'an international phone number like +212600000001');

/** `POST /dev/messages`: one inbound WhatsApp-like message. */
export const devMessageBody = z
  .strictObject({
    from: address,
    /** Optional message id: the same id sent twice is handled once, like a WhatsApp redelivery. */
    id: z.string().min(1).max(200).optional(),
    text: z.string().max(100_000).optional(),
    location: z
      .strictObject({
        latitude: z.number().min(-90).max(90),
        longitude: z.number().min(-180).max(180),
        name: z.string().max(300).optional(),
      })
      .optional(),
    image: z
      .strictObject({ mimeType: z.string().max(100), dataBase64: z.string().max(12_000_000) })
      .optional(),
    /** A voice note (`voice`, the default) or an audio file; 16 MB at most once decoded. */
    audio: z
      .strictObject({
        mimeType: z.string().max(100),
        dataBase64: z.string().max(MAX_AUDIO_BASE64),
        voice: z.boolean().default(true),
      })
      .optional(),
    /** The id of the message this one replies to (an alert's `messageId` in `GET /dev/outbox`). */
    replyTo: z.string().min(1).max(300).optional(),
    /** A message kind the bot cannot use, to try its answer without a phone. */
    media: z.enum(['voice', 'sticker', 'video', 'document', 'reaction']).optional(),
  })
  .refine(
    (body) => body.text !== undefined || body.location || body.image || body.audio || body.media,
    { message: 'one of text, location, image, audio or media is required' },
  );

/** `POST /dev/statuses`: what WhatsApp would report later of a message the dev channel sent. */
export const devStatusBody = z.strictObject({
  messageId: z.string().min(1).max(300),
  status: z.enum(CHANNEL_STATUSES),
  errorCode: z.string().min(1).max(40).optional(),
});

/** `GET /dev/outbox?to=`. */
export const outboxQuery = z.strictObject({ to: address });

const choices = z
  .array(z.object({ title: z.string(), value: z.string() }))
  .optional()
  .describe('The answers offered as buttons: `value` is what tapping one sends back as text');
const requestLocation = z.literal(true).optional().describe('The message asks for a location pin');
const reply = z.object({
  text: z.string(),
  imageUrl: z.string().optional().describe('A data: URL of the image sent with the text'),
  choices,
  requestLocation,
});

/** The answers of the dev channel. */
export const devAnswers = {
  replies: z.object({ replies: z.array(reply) }),
  outbox: z.object({
    messages: z.array(
      z.object({
        text: z.string(),
        imageUrl: z.string().optional(),
        at: z.date(),
        messageId: z.string().optional().describe('What a reply (`replyTo`) or a status names'),
        choices,
        requestLocation,
      }),
    ),
  }),
  status: z.object({ result: z.enum(['recorded', 'unchanged', 'unknown']) }),
};
