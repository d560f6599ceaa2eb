import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryDevOutbox } from '../../src/adapters/memory/memoryDevOutbox.js';
import { DevOutbox as MongoDevOutbox } from '../../src/adapters/mongo/devOutbox.js';
import type { DevOutbox } from '../../src/app/ports/devOutbox.js';
import { type Backend, describeContract } from './backends.js';

function devOutboxFor(backend: Backend): DevOutbox {
  switch (backend.kind) {
    case 'memory':
      return new MemoryDevOutbox();
    case 'embedded':
    case 'mongo':
      return new MongoDevOutbox(backend.connection);
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const START = new Date('2026-11-28T16:00:00Z');
const at = (minute: number) => new Date(START.getTime() + minute * 60_000);

describeContract('DevOutbox', (backend) => {
  let outbox: DevOutbox;
  let parent: string;
  let citizen: string;
  let counter = 0;
  beforeEach(() => {
    outbox = devOutboxFor(backend());
    counter += 1;
    // Invented numbers, new for each test (the suite shares one database).
    parent = `+21260000${String(counter).padStart(4, '0')}`;
    citizen = `+21261000${String(counter).padStart(4, '0')}`;
  });

  it("lists one recipient's messages oldest first, with their images", async () => {
    await outbox.add({ to: parent, text: 'second', at: at(2) });
    await outbox.add({ to: citizen, text: 'for someone else', at: at(1) });
    await outbox.add({ to: parent, text: 'first', imageUrl: '/photos/abc', at: at(1) });
    await outbox.add({ to: parent, text: 'third', at: at(3) });
    expect(await outbox.list(parent)).toEqual([
      { text: 'first', imageUrl: '/photos/abc', at: at(1) },
      { text: 'second', at: at(2) },
      { text: 'third', at: at(3) },
    ]);
    expect(await outbox.list(citizen)).toEqual([{ text: 'for someone else', at: at(1) }]);
    expect(await outbox.list('+212699999999')).toEqual([]);
  });

  it('stores a message added twice with the same id once', async () => {
    const id = `alert-${randomUUID()}:${citizen}`;
    await outbox.add({ id, to: citizen, text: 'alert', at: at(1) });
    await outbox.add({ id, to: citizen, text: 'alert', at: at(2) });
    await outbox.add({ to: citizen, text: 'no key', at: at(3) });
    await outbox.add({ to: citizen, text: 'no key', at: at(3) });
    expect(await outbox.list(citizen)).toEqual([
      { text: 'alert', at: at(1) },
      { text: 'no key', at: at(3) },
      { text: 'no key', at: at(3) },
    ]);
  });
});
