import { z } from 'zod';

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
    /** A message kind the bot cannot use, to try its answer without a phone. */
    media: z.enum(['voice', 'sticker', 'video', 'document']).optional(),
  })
  .refine((body) => body.text !== undefined || body.location || body.image || body.media, {
    message: 'one of text, location, image or media is required',
  });

/** `GET /dev/outbox?to=`. */
export const outboxQuery = z.strictObject({ to: address });

const reply = z.object({
  text: z.string(),
  imageUrl: z.string().optional().describe('A data: URL of the image sent with the text'),
});

/** The answers of the dev channel. */
export const devAnswers = {
  replies: z.object({ replies: z.array(reply) }),
  outbox: z.object({
    messages: z.array(
      z.object({ text: z.string(), imageUrl: z.string().optional(), at: z.date() }),
    ),
  }),
};
