import { z } from 'zod';

/** Media the bot cannot use in a report; each gets the same polite explanation. */
export const unsupportedMediaSchema = z.enum(['voice', 'sticker', 'video', 'document', 'other']);

/**
 * One inbound message as the flow engine sees it, whatever the channel.
 * Images arrive already checked (their bytes sniffed and measured) and named
 * by content hash, so the engine stays pure.
 */
export const turnInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string() }),
  z.object({
    kind: z.literal('location'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().max(300).optional(),
  }),
  z.object({
    kind: z.literal('image'),
    photoId: z.string(),
    mimeType: z.string(),
    size: z.number().int().min(0),
    /** Refused by its bytes (not a picture, over 5 MB) or when decoded (corrupt, too many pixels). */
    problem: z.enum(['bad_type', 'too_large', 'unreadable', 'too_many_pixels']).optional(),
  }),
  z.object({ kind: z.literal('unsupported'), media: unsupportedMediaSchema }),
]);

export type TurnInput = z.infer<typeof turnInputSchema>;

/** A photo's checked bytes, carried beside the input the engine sees (which names it only). */
export interface InboundPhoto {
  photoId: string;
  mimeType: string;
  data: Buffer;
}

/** What a message carries, once read from whatever channel brought it. */
export interface InboundContent {
  input: TurnInput;
  photo?: InboundPhoto;
}

/** One inbound message as the turn pipeline takes it, whatever the channel. */
export interface InboundMessage extends InboundContent {
  channel: string;
  /** The sender's address on the channel (E.164 for WhatsApp and the dev channel). */
  address: string;
  /** The channel's id for the message; a redelivery carries the same one. */
  messageId?: string;
}
