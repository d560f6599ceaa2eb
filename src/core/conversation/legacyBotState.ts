import { z } from 'zod';

/**
 * Conversations of the previous version: botbuilder's `ConversationState`
 * kept them in a `botstate` collection, one document per conversation.
 * Families who were mid-report when this version is deployed must continue at
 * the question they had reached, so the conversation stores read a
 * conversation they do not know from there once, and move it over.
 */
export const LEGACY_COLLECTION = 'botstate';

/** A `botstate` document: the item as JSON text (its keys may hold characters field names cannot). */
export const legacyDocumentSchema = z.object({
  _id: z.string(),
  json: z.string(),
});

/** The item botbuilder stored: our conversation under the `tifli` property. */
const legacyItemSchema = z.object({ tifli: z.unknown() });

/**
 * The `botstate` key of a conversation keyed `channel:address` now.
 * botbuilder named it `channelId/conversations/conversationId/namespace`, with
 * the conversation id being the address and no namespace. `null` for a key
 * that is not `channel:address`.
 */
export function legacyConversationKey(key: string): string | null {
  const colon = key.indexOf(':');
  if (colon <= 0 || colon === key.length - 1) return null;
  return `${key.slice(0, colon)}/conversations/${key.slice(colon + 1)}/`;
}

/**
 * The conversation state in a `botstate` document's JSON text, as the turn
 * pipeline stored it (it still reads the same shape); `undefined` when there is
 * none to carry over (unreadable, or no conversation in it).
 */
export function legacyConversationState(json: string): unknown {
  let item: unknown;
  try {
    item = JSON.parse(json);
  } catch (error) {
    // An unreadable old document carries nothing over; the family starts again politely.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  const parsed = legacyItemSchema.safeParse(item);
  return parsed.success && parsed.data.tifli !== undefined ? parsed.data.tifli : undefined;
}
