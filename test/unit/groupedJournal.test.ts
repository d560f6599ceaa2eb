import { describe, expect, it } from 'vitest';
import { GroupedJournal } from '../../src/adapters/channels/cloud/groupedJournal.js';
import { MemoryInboundJournal } from '../../src/adapters/memory/memoryInboundJournal.js';
import type { JournalEntry } from '../../src/app/ports/inboundJournal.js';

const entry = (id: string): JournalEntry => ({
  id,
  kind: 'message',
  chat: '+212600000001',
  payload: '{}',
  receivedAt: new Date('2026-11-28T16:00:00Z'),
  position: 0,
});

/** A journal that counts its writes. */
class CountingJournal extends MemoryInboundJournal {
  records = 0;
  marks = 0;
  override record(entries: readonly JournalEntry[]) {
    this.records += 1;
    return super.record(entries);
  }
  override markProcessed(ids: readonly string[], at: Date) {
    this.marks += 1;
    return super.markProcessed(ids, at);
  }
}

describe('the grouped journal (group commit)', () => {
  it('writes calls that arrive together in fewer writes, each caller getting its own entries', async () => {
    const inner = new CountingJournal();
    const journal = new GroupedJournal(inner);
    const calls = Array.from({ length: 10 }, (_, n) =>
      journal.record([entry(`a${n}`), entry(`b${n}`)]),
    );
    const results = await Promise.all(calls);
    expect(results.map((result) => result.map((e) => e.id))).toEqual(
      Array.from({ length: 10 }, (_, n) => [`a${n}`, `b${n}`]),
    );
    expect(inner.records).toBeLessThan(10);

    await Promise.all(['a1', 'a2', 'a3'].map((id) => journal.markProcessed([id], new Date())));
    expect(inner.marks).toBeLessThan(3);
    expect((await journal.unprocessed(100)).map((e) => e.id)).not.toContain('a2');
  });

  it('hands an id recorded twice in one group to each caller, and a processed one to none', async () => {
    const journal = new GroupedJournal(new MemoryInboundJournal());
    const [first, second] = await Promise.all([
      journal.record([entry('x')]),
      journal.record([entry('x')]),
    ]);
    expect(first?.map((e) => e.id)).toEqual(['x']);
    expect(second?.map((e) => e.id)).toEqual(['x']);
    await journal.markProcessed(['x'], new Date());
    expect(await journal.record([entry('x')])).toEqual([]);
  });

  it('fails every caller of a group whose write failed', async () => {
    class Down extends MemoryInboundJournal {
      override async record(): Promise<JournalEntry[]> {
        throw new Error('storage unavailable');
      }
    }
    const journal = new GroupedJournal(new Down());
    const results = await Promise.allSettled([
      journal.record([entry('p')]),
      journal.record([entry('q')]),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
