import type { InboundJournal, JournalEntry } from '../../app/ports/inboundJournal.js';

interface Stored {
  entry: JournalEntry;
  processedAt: Date | null;
}

/**
 * The inbound journal in process memory, for unit tests and benchmarks. Not
 * for production: nothing survives a restart.
 */
export class MemoryInboundJournal implements InboundJournal {
  private readonly entries = new Map<string, Stored>();

  async record(entries: readonly JournalEntry[]): Promise<JournalEntry[]> {
    const toProcess: JournalEntry[] = [];
    for (const entry of entries) {
      const stored = this.entries.get(entry.id);
      if (!stored) {
        this.entries.set(entry.id, { entry: copy(entry), processedAt: null });
        toProcess.push(copy(entry));
      } else if (stored.processedAt === null) {
        toProcess.push(copy(stored.entry));
      }
    }
    return toProcess;
  }

  async markProcessed(ids: readonly string[], at: Date): Promise<void> {
    for (const id of ids) {
      const stored = this.entries.get(id);
      if (!stored || stored.processedAt !== null) continue;
      stored.processedAt = new Date(at);
      stored.entry = { ...stored.entry, payload: '' };
    }
  }

  async unprocessed(limit: number): Promise<JournalEntry[]> {
    return [...this.entries.values()]
      .filter((stored) => stored.processedAt === null)
      .map((stored) => stored.entry)
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.position - b.position)
      .slice(0, limit)
      .map(copy);
  }

  async purgeProcessed(before: Date): Promise<number> {
    let purged = 0;
    for (const [id, stored] of this.entries) {
      if (stored.processedAt !== null && stored.processedAt < before) {
        this.entries.delete(id);
        purged += 1;
      }
    }
    return purged;
  }
}

const copy = (entry: JournalEntry): JournalEntry => ({
  ...entry,
  receivedAt: new Date(entry.receivedAt),
});
