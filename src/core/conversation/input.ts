import { z } from 'zod';

/**
 * Media the bot cannot use in a report; each gets a polite explanation.
 * `voice` is a voice note a channel could not fetch; `reaction` an emoji
 * put on one of the bot's messages.
 */
export const unsupportedMediaSchema = z.enum([
  'voice',
  'sticker',
  'video',
  'document',
  'reaction',
  'other',
]);

export type UnsupportedMedia = z.infer<typeof unsupportedMediaSchema>;

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
  z.object({
    kind: z.literal('audio'),
    /** The hash of the bytes: a redelivered voice note is the same one. */
    audioId: z.string(),
    mimeType: z.string(),
    size: z.number().int().min(0),
    /** Recorded in the chat (a voice note), not a forwarded audio file. */
    voice: z.boolean(),
    problem: z.enum(['bad_type', 'too_large']).optional(),
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

/** A voice note's or audio's checked bytes, carried beside the input like a photo's. */
export interface InboundAudio {
  audioId: string;
  mimeType: string;
  data: Buffer;
}

/** What a message carries, once read from whatever channel brought it. */
export interface InboundContent {
  input: TurnInput;
  photo?: InboundPhoto;
  audio?: InboundAudio;
}

/** One inbound message as the turn pipeline takes it, whatever the channel. */
export interface InboundMessage extends InboundContent {
  channel: string;
  /** The sender's address on the channel (E.164 for WhatsApp and the dev channel). */
  address: string;
  /** The channel's id for the message; a redelivery carries the same one. */
  messageId?: string;
  /** The channel's id of the message this one replies to (WhatsApp's `context.id`). */
  replyTo?: string;
}
