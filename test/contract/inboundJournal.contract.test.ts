import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { EmbeddedInboundJournal } from '../../src/adapters/embedded/embeddedInboundJournal.js';
import { MemoryInboundJournal } from '../../src/adapters/memory/memoryInboundJournal.js';
import { MongoInboundJournal } from '../../src/adapters/mongo/mongoInboundJournal.js';
import {
  INBOUND_JOURNAL_KEEP_MS,
  type InboundJournal,
  type JournalEntry,
} from '../../src/app/ports/inboundJournal.js';
import { type Backend, describeContract } from './backends.js';

async function journalFor(backend: Backend): Promise<InboundJournal> {
  switch (backend.kind) {
    case 'memory':
      return new MemoryInboundJournal();
    case 'embedded':
      return new EmbeddedInboundJournal(backend.connection);
    case 'mongo': {
      const journal = new MongoInboundJournal(backend.connection);
      await journal.init();
      return journal;
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const START = new Date('2026-11-28T16:00:00Z');
const at = (minute: number) => new Date(START.getTime() + minute * 60_000);
const DAY = 24 * 3_600_000;

describeContract('InboundJournal', (backend) => {
  let journal: InboundJournal;
  let run: string;
  beforeEach(async () => {
    journal = await journalFor(backend());
    // The suite shares one database: ids are new for each test.
    run = randomUUID().slice(0, 8);
  });

  // Message ids as WhatsApp writes them carry dots and base64 characters.
  const entry = (n: number, fields: Partial<JournalEntry> = {}): JournalEntry => ({
    id: `wamid.HBgL${run}MjEy+/Nj${n}==`,
    kind: 'message',
    chat: `+2126000${run.slice(0, 4)}`,
    payload: JSON.stringify({ text: { body: `message ${n} مرحبا` } }),
    receivedAt: at(1),
    position: n,
    ...fields,
  });

  it('stores a batch and hands every new entry back, in the batch order', async () => {
    const batch = [entry(1), entry(2), entry(3, { kind: 'status', chat: 'wamid.x' })];
    expect(await journal.record(batch)).toEqual(batch);
    expect(await journal.unprocessed(100)).toEqual(expect.arrayContaining(batch));
  });

  it('does not store or hand back again an id already processed, days later', async () => {
    const first = entry(1);
    await journal.record([first]);
    await journal.markProcessed([first.id], at(2));
    const again = await journal.record([
      { ...first, receivedAt: new Date(at(2).getTime() + 6 * DAY), payload: '{"changed":true}' },
      entry(2),
    ]);
    expect(again).toEqual([entry(2)]);
    expect((await journal.unprocessed(100)).map((e) => e.id)).not.toContain(first.id);
  });

  it('hands back again an entry stored but never processed (a batch redelivered after a crash)', async () => {
    const first = entry(1);
    await journal.record([first]);
    const again = await journal.record([{ ...first, payload: '{"redelivered":true}' }]);
    // The stored one, as first received.
    expect(again).toEqual([first]);
  });

  it('lists unprocessed entries oldest first, up to a limit, and forgets the payload once processed', async () => {
    const later = entry(1, { receivedAt: at(5) });
    const earlier = entry(2, { receivedAt: at(3), position: 7 });
    const sameMomentFirst = entry(3, { receivedAt: at(3), position: 2 });
    await journal.record([later]);
    await journal.record([earlier, sameMomentFirst]);
    const mine = (entries: JournalEntry[]) =>
      entries.filter((e) => e.id.includes(run)).map((e) => e.id);
    expect(mine(await journal.unprocessed(100))).toEqual([
      sameMomentFirst.id,
      earlier.id,
      later.id,
    ]);
    await journal.markProcessed([sameMomentFirst.id], at(6));
    expect(mine(await journal.unprocessed(100))).toEqual([earlier.id, later.id]);
    expect(await journal.unprocessed(1)).toHaveLength(1);
  });

  it('keeps a processed id for the retention period, then forgets it', async () => {
    const first = entry(1);
    await journal.record([first]);
    await journal.markProcessed([first.id], at(2));
    // Seven days later, Meta's last retry is still recognised.
    expect(await journal.purgeProcessed(new Date(at(2).getTime() - 1))).toBe(0);
    expect(await journal.record([first])).toEqual([]);
    const purged = await journal.purgeProcessed(
      new Date(at(2).getTime() + INBOUND_JOURNAL_KEEP_MS),
    );
    expect(purged).toBeGreaterThanOrEqual(1);
    // Once forgotten, the id is new again.
    expect(await journal.record([first])).toEqual([first]);
  });

  it('never purges an entry that was not processed', async () => {
    const waiting = entry(1);
    await journal.record([waiting]);
    await journal.purgeProcessed(new Date(at(1).getTime() + 30 * DAY));
    expect((await journal.unprocessed(100)).map((e) => e.id)).toContain(waiting.id);
  });

  it('marks several entries processed at once', async () => {
    const batch = [entry(1), entry(2), entry(3)];
    await journal.record(batch);
    await journal.markProcessed([entry(1).id, entry(3).id], at(2));
    const left = (await journal.unprocessed(100)).filter((e) => e.id.includes(run));
    expect(left.map((e) => e.id)).toEqual([entry(2).id]);
    expect(await journal.record(batch)).toEqual([entry(2)]);
  });

  it('marking an entry processed twice, or one it never stored, changes nothing', async () => {
    const first = entry(1);
    await journal.record([first]);
    await journal.markProcessed([first.id], at(2));
    await journal.markProcessed([first.id], at(3));
    await journal.markProcessed([`wamid.unknown-${run}`], at(3));
    expect(await journal.record([first, entry(2)])).toEqual([entry(2)]);
  });
});
