import type { InboundJournal, JournalEntry } from '../../../app/ports/inboundJournal.js';

/** One caller waiting for its part of a grouped write. */
interface Waiting<I, O> {
  items: readonly I[];
  resolve: (value: O[]) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: calls that arrive while a write is in flight wait and go
 * together in the next one, so under load the database sees one write per
 * group instead of one per call (the embedded FerretDB runs writes one at a
 * time), and with little load a call is written at once. Each caller gets
 * back its own part of the result, or the group's error.
 */
class GroupCommit<I, O> {
  private waiting: Array<Waiting<I, O>> = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    /** Which results of the group belong to a caller. */
    private readonly share: (mine: readonly I[], results: readonly O[]) => O[],
  ) {}

  submit(items: readonly I[]): Promise<O[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.flush().finally(() => {
      this.writing = null;
      if (this.waiting.length > 0) this.kick();
    });
  }

  private async flush(): Promise<void> {
    const group = this.waiting;
    this.waiting = [];
    try {
      const results = await this.write(group.flatMap((waiting) => waiting.items));
      for (const waiting of group) waiting.resolve(this.share(waiting.items, results));
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    }
  }
}

/**
 * The inbound journal with its two hot writes grouped: the webhook's
 * `record` (one per notification) and the processor's `markProcessed` (one
 * per message). Each call still resolves only once its own entries are
 * durably written.
 */
export class GroupedJournal implements InboundJournal {
  private readonly recording: GroupCommit<JournalEntry, JournalEntry>;
  private readonly marking: GroupCommit<{ id: string; at: Date }, never>;

  constructor(private readonly journal: InboundJournal) {
    this.recording = new GroupCommit(
      (entries) => journal.record(entries),
      (mine, results) => {
        const ids = new Set(mine.map((entry) => entry.id));
        const seen = new Set<string>();
        // An id twice in a group (a notification delivered twice at once) is handed back once.
        return results.filter((entry) => {
          if (!ids.has(entry.id) || seen.has(entry.id)) return false;
          seen.add(entry.id);
          return true;
        });
      },
    );
    this.marking = new GroupCommit(
      async (marks) => {
        const latest = new Date(Math.max(...marks.map((mark) => mark.at.getTime())));
        await journal.markProcessed(
          marks.map((mark) => mark.id),
          latest,
        );
        return [];
      },
      () => [],
    );
  }

  record(entries: readonly JournalEntry[]): Promise<JournalEntry[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return this.recording.submit(entries);
  }

  async markProcessed(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.marking.submit(ids.map((id) => ({ id, at })));
  }

  unprocessed(limit: number): Promise<JournalEntry[]> {
    return this.journal.unprocessed(limit);
  }

  purgeProcessed(before: Date): Promise<number> {
    return this.journal.purgeProcessed(before);
  }
}
