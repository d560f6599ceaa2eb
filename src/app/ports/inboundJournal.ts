import { z } from 'zod';
import { RETENTION } from '../../core/retention.js';

/**
 * One item a channel received and must not lose: a message someone wrote, or
 * a status of a message we sent. Stored before the channel acknowledges it.
 */
export interface JournalEntry {
  /**
   * The de-duplication key: the channel's message id for a message (a
   * redelivery carries the same one), `<message id>:<status>` for a status.
   */
  id: string;
  kind: 'message' | 'status';
  /**
   * Entries of one chat are processed one after another, in arrival order
   * (the sender's address for a message, the message's id for a status).
   */
  chat: string;
  /**
   * What is needed to rebuild the item, as JSON text. It may quote what a
   * person wrote: it is never logged, and it is forgotten once processed.
   */
  payload: string;
  receivedAt: Date;
  /** The entry's place in its batch, so entries received at the same moment keep their order. */
  position: number;
}

/**
 * The inbound journal of a channel whose sender retries and may deliver an
 * item twice (WhatsApp's Cloud API retries for up to 7 days): every item is
 * stored durably under its id before it is acknowledged, processed after,
 * and marked processed only once that succeeded. An id stays known (at least
 * {@link INBOUND_JOURNAL_KEEP_MS} after it was processed), so a redelivery,
 * even days later and after a restart, is never processed again.
 */
export interface InboundJournal {
  /**
   * Stores the entries that are new, durably, before it resolves; an id
   * already stored is left as it is. Returns, in the batch's order, the
   * entries still to process: the new ones and those stored before but not
   * processed yet (a batch redelivered after a crash); never one processed.
   */
  record(entries: readonly JournalEntry[]): Promise<JournalEntry[]>;
  /**
   * Marks entries processed and forgets their payload; the ids stay known.
   * Takes several at once, so a busy channel marks a group in a few writes.
   */
  markProcessed(ids: readonly string[], at: Date): Promise<void>;
  /** Entries stored and not processed yet, oldest first, at most `limit` of them. */
  unprocessed(limit: number): Promise<JournalEntry[]>;
  /** Forgets the ids of entries processed before `before` (retention); returns how many. */
  purgeProcessed(before: Date): Promise<number>;
}

/**
 * How long a processed id is kept: 8 days, a day more than the 7 days the
 * Cloud API retries a notification for.
 */
export const INBOUND_JOURNAL_KEEP_MS = RETENTION.processedInboundMs;

/**
 * An entry as a database adapter stored it (`_id` is the entry's id), parsed
 * when read back: stored data is checked like any input.
 */
export const storedJournalEntrySchema = z
  .object({
    _id: z.string(),
    kind: z.enum(['message', 'status']),
    chat: z.string(),
    payload: z.string().default(''),
    receivedAt: z.coerce.date(),
    position: z.number().int(),
  })
  .transform(({ _id, ...fields }): JournalEntry => ({ id: _id, ...fields }));
