import { randomUUID } from 'node:crypto';
import {
  type ConversationStore,
  type ConversationWrite,
  MAX_CONVERSATION_STATE_BYTES,
  type StoredConversation,
} from '../../app/ports/conversationStore.js';

interface Entry {
  json: string;
  eTag: string;
  updatedAt: Date;
}

/**
 * Conversations in process memory, for unit tests, golden transcripts and
 * benchmarks. The state is kept as JSON text like the database stores keep
 * it, so a caller mutating what it read or wrote changes nothing stored.
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async read(key: string): Promise<StoredConversation | null> {
    const entry = this.entries.get(key);
    return entry ? { state: JSON.parse(entry.json), eTag: entry.eTag } : null;
  }

  async write(
    key: string,
    state: unknown,
    expectedETag: string | null,
  ): Promise<ConversationWrite> {
    if (Buffer.byteLength(JSON.stringify(state)) > MAX_CONVERSATION_STATE_BYTES) {
      throw new RangeError(`conversation state over ${MAX_CONVERSATION_STATE_BYTES} bytes`);
    }
    const current = this.entries.get(key);
    const matches = expectedETag === null ? current === undefined : current?.eTag === expectedETag;
    if (!matches) return { ok: false, reason: 'conflict' };
    const eTag = randomUUID();
    this.entries.set(key, { json: JSON.stringify(state), eTag, updatedAt: this.clock() });
    return { ok: true, eTag };
  }

  async purgeIdle(olderThan: Date): Promise<number> {
    let purged = 0;
    for (const [key, entry] of this.entries) {
      if (entry.updatedAt < olderThan) {
        this.entries.delete(key);
        purged++;
      }
    }
    return purged;
  }
}
