/**
 * The largest state a store keeps (as JSON). A conversation holds one
 * report's answers, far below this; the bound turns a runaway state into a
 * clear error rather than a document near MongoDB's 16 MiB limit (which
 * FerretDB would even accept).
 */
export const MAX_CONVERSATION_STATE_BYTES = 1024 * 1024;

/** A conversation's stored state and the eTag it was read with. */
export interface StoredConversation {
  state: unknown;
  eTag: string;
}

/** A compare-and-set write that lost: another turn moved the conversation on first. */
export type ConversationWrite = { ok: true; eTag: string } | { ok: false; reason: 'conflict' };

/**
 * Where each conversation's state lives between turns, written with
 * optimistic concurrency: a write names the eTag it read (or `null` for a
 * conversation that must not exist yet), and succeeds only if nobody moved it
 * on since, so two turns can never silently overwrite each other.
 *
 * The state is any JSON value; stores keep it as JSON text, because its keys
 * (flow answers such as `lastSeen.place`) may hold characters MongoDB field
 * names cannot.
 */
export interface ConversationStore {
  read(key: string): Promise<StoredConversation | null>;
  /** Throws a RangeError, storing nothing, for a state over {@link MAX_CONVERSATION_STATE_BYTES}. */
  write(key: string, state: unknown, expectedETag: string | null): Promise<ConversationWrite>;
  /** Forgets conversations idle since before `olderThan` (retention). */
  purgeIdle(olderThan: Date): Promise<number>;
}
