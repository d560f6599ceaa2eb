import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryLease } from '../../src/adapters/memory/memoryLease.js';
import { MongoLease } from '../../src/adapters/mongo/mongoLease.js';
import type { Lease } from '../../src/app/ports/lease.js';
import { type Backend, describeContract } from './backends.js';

function leaseFor(backend: Backend, name: string): Lease {
  switch (backend.kind) {
    case 'memory':
      return new MemoryLease();
    // FerretDB runs the MongoDB lease: one document, so its scans cost nothing.
    case 'embedded':
    case 'mongo':
      return new MongoLease(backend.connection, name);
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const NOW = new Date('2026-11-28T16:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

describeContract('Lease', (backend) => {
  let lease: Lease;
  beforeEach(() => {
    lease = leaseFor(backend(), `broadcast-${randomUUID()}`);
  });

  it('is held by one owner at a time', async () => {
    expect(await lease.acquire('worker-a', NOW, 30_000)).toBe(true);
    expect(await lease.acquire('worker-b', later(1_000), 30_000)).toBe(false);
    expect(await lease.acquire('worker-b', later(29_000), 30_000)).toBe(false);
  });

  it('is renewed by its owner, which pushes its end back', async () => {
    expect(await lease.acquire('worker-a', NOW, 30_000)).toBe(true);
    expect(await lease.acquire('worker-a', later(20_000), 30_000)).toBe(true);
    // Past the first end, within the renewed one.
    expect(await lease.acquire('worker-b', later(40_000), 30_000)).toBe(false);
  });

  it('is taken over once it has run out', async () => {
    expect(await lease.acquire('worker-a', NOW, 30_000)).toBe(true);
    expect(await lease.acquire('worker-b', later(31_000), 30_000)).toBe(true);
    // The old owner has lost it.
    expect(await lease.acquire('worker-a', later(32_000), 30_000)).toBe(false);
  });

  it('is free at once after its owner releases it, and not by anyone else', async () => {
    expect(await lease.acquire('worker-a', NOW, 30_000)).toBe(true);
    await lease.release('worker-b');
    expect(await lease.acquire('worker-b', later(1_000), 30_000)).toBe(false);
    await lease.release('worker-a');
    expect(await lease.acquire('worker-b', later(1_000), 30_000)).toBe(true);
  });

  it('goes to exactly one of two owners asking at once', async () => {
    const results = await Promise.all([
      lease.acquire('worker-a', NOW, 30_000),
      lease.acquire('worker-b', NOW, 30_000),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
