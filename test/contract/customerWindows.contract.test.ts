import { beforeAll, expect, it } from 'vitest';
import { MemoryCustomerWindows } from '../../src/adapters/memory/memoryCustomerWindows.js';
import { MongoCustomerWindows } from '../../src/adapters/mongo/mongoCustomerWindows.js';
import type { CustomerWindows } from '../../src/app/ports/customerWindows.js';
import { type Backend, describeContract } from './backends.js';

async function windowsFor(backend: Backend): Promise<CustomerWindows> {
  switch (backend.kind) {
    case 'memory':
      return new MemoryCustomerWindows();
    // FerretDB runs the MongoDB store, read by `_id`, without the TTL index.
    case 'embedded':
      return new MongoCustomerWindows(backend.connection);
    case 'mongo': {
      const windows = new MongoCustomerWindows(backend.connection);
      await windows.init();
      return windows;
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const NOW = new Date('2026-11-28T16:00:00Z');

describeContract('CustomerWindows', (backend) => {
  let windows: CustomerWindows;
  beforeAll(async () => {
    windows = await windowsFor(backend());
  });

  it('knows nobody who never wrote', async () => {
    expect(await windows.lastInbound('+212600000801')).toBeNull();
  });

  it('keeps the latest time a person wrote, whatever order the messages come in', async () => {
    const address = '+212600000802';
    await windows.opened(address, NOW);
    await windows.opened(address, new Date(NOW.getTime() - 3600_000));
    expect(await windows.lastInbound(address)).toEqual(NOW);
    const later = new Date(NOW.getTime() + 60_000);
    await windows.opened(address, later);
    expect(await windows.lastInbound(address)).toEqual(later);
  });

  it('keys people known only by a user id too', async () => {
    await windows.opened('MA.1234567', NOW);
    expect(await windows.lastInbound('MA.1234567')).toEqual(NOW);
  });
});
