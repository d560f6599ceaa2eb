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
    problem: z.enum(['bad_type', 'too_large']).optional(),
  }),
  z.object({ kind: z.literal('unsupported'), media: unsupportedMediaSchema }),
]);

export type TurnInput = z.infer<typeof turnInputSchema>;
