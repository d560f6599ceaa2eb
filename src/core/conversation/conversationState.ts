import { z } from 'zod';
import { languageSchema } from '../nlu/language.js';
import { flowStateSchema } from './flowState.js';

/** Bumped when the stored shape changes; older states are migrated or discarded on read. */
export const CONVERSATION_STATE_VERSION = 1;

/** What a first message asked for, remembered while the language menu is answered. */
export const intentSchema = z.enum(['subscribe', 'sighting']);
export type Intent = z.infer<typeof intentSchema>;

/**
 * Where a request about one's data stands (see rightsTurn.ts): the menu was
 * shown, the bot asked what to correct, or whether to ask for erasure. The
 * flow in progress, if any, is kept untouched meanwhile.
 */
export const rightsStepSchema = z.enum(['menu', 'correction', 'confirmErase']);
export type RightsStep = z.infer<typeof rightsStepSchema>;

/** What Tifli remembers about one conversation between turns. */
export const conversationStateSchema = z.object({
  version: z.literal(CONVERSATION_STATE_VERSION),
  language: languageSchema.optional(),
  /** The language menu was shown and the next message answers it. */
  awaitingLanguage: z.boolean().default(false),
  /** The command the message that brought up the language menu was ("alertes", "j'ai vu"). */
  pendingIntent: intentSchema.nullable().default(null),
  flow: flowStateSchema.nullable().default(null),
  /** The report this conversation filed last, for "where is my report?". */
  lastCase: z.object({ reference: z.string() }).nullable().default(null),
  /** A request about the person's data waiting for their next message. */
  rights: rightsStepSchema.nullable().default(null),
  /** Hashes of the last message ids handled, so a redelivered message is handled once. */
  processed: z.array(z.string()).default([]),
});

export type ConversationData = z.infer<typeof conversationStateSchema>;

export const emptyConversation = (): ConversationData => ({
  version: CONVERSATION_STATE_VERSION,
  awaitingLanguage: false,
  pendingIntent: null,
  flow: null,
  lastCase: null,
  rights: null,
  processed: [],
});

/**
 * Reads stored state. Anything that does not parse (an older version, a
 * corrupted document) is deliberately discarded: starting the conversation
 * again politely is better than acting on state we do not understand.
 */
export function readConversation(stored: unknown): { data: ConversationData; discarded: boolean } {
  if (stored === undefined || stored === null)
    return { data: emptyConversation(), discarded: false };
  const parsed = conversationStateSchema.safeParse(stored);
  return parsed.success
    ? { data: parsed.data, discarded: false }
    : { data: emptyConversation(), discarded: true };
}
