import { z } from 'zod';
import { languageSchema } from '../../core/nlu/language.js';

/**
 * What a channel needs to send an alert, a widening or a closing message as
 * an approved template (`channelData.alertTemplate` on the activity): which
 * template, in which language, its body parameters, how long the alert has
 * left, and the photo for the header.
 */
export const alertTemplateSchema = z.object({
  kind: z.enum(['alert', 'widening', 'closing']),
  language: languageSchema,
  parameters: z.array(z.string()),
  ttlSeconds: z.number().int().min(0),
  photo: z.object({ photoId: z.string().min(1), mimeType: z.string().min(1) }).optional(),
});
export type AlertTemplate = z.infer<typeof alertTemplateSchema>;

/** The template an outgoing activity carries, if any. */
export function alertTemplateOf(channelData: unknown): AlertTemplate | undefined {
  const parsed = z.object({ alertTemplate: alertTemplateSchema }).safeParse(channelData);
  return parsed.success ? parsed.data.alertTemplate : undefined;
}

/** The sender's key for "deliver this once" (an alert's outbox entry id), if it gave one. */
export function idempotencyKeyOf(channelData: unknown): string | undefined {
  const parsed = z.object({ idempotencyKey: z.string().min(1) }).safeParse(channelData);
  return parsed.success ? parsed.data.idempotencyKey : undefined;
}
