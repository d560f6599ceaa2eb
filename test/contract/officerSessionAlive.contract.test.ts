import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryOfficerStore } from '../../src/adapters/memory/memoryOfficerStore.js';
import { MongoOfficerRepository } from '../../src/adapters/mongo/officerRepository.js';
import type { OfficerStore } from '../../src/app/ports/officerStore.js';
import { SESSION_IDLE_MS } from '../../src/core/loginThrottle.js';
import { type Backend, describeContract } from './backends.js';

function officersFor(backend: Backend, clock: () => Date): OfficerStore {
  switch (backend.kind) {
    case 'memory':
      return new MemoryOfficerStore(clock);
    case 'embedded':
    case 'mongo':
      return new MongoOfficerRepository(backend.connection, clock);
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

/**
 * `OfficerStore.sessionAlive`, which a live-event stream asks: it tells an
 * open session from a closed or expired one and never extends it (so an
 * open stream does not keep its officer signed in).
 */
describeContract('OfficerStore.sessionAlive', (backend) => {
  let officers: OfficerStore;
  let now: Date;
  let username: string;
  beforeEach(async () => {
    now = new Date('2026-11-28T16:00:00Z');
    officers = officersFor(backend(), () => now);
    username = `o.${randomUUID().slice(0, 8)}`;
    await officers.create({
      username,
      password: 'correct horse battery staple',
      role: 'officer',
      region: 'casablanca-settat',
    });
  });

  it('is true for an open session and false once it is closed or for an unknown token', async () => {
    const { token } = await officers.openSession(username);
    expect(await officers.sessionAlive(token)).toBe(true);
    expect(await officers.sessionAlive('no-such-token')).toBe(false);
    await officers.closeSession(token);
    expect(await officers.sessionAlive(token)).toBe(false);
  });

  it('does not extend the session: asked all day, it still expires', async () => {
    const { token } = await officers.openSession(username);
    for (let hour = 1; hour < SESSION_IDLE_MS / 3_600_000; hour++) {
      now = new Date(now.getTime() + 3_600_000);
      expect(await officers.sessionAlive(token)).toBe(true);
    }
    now = new Date(now.getTime() + 3_600_000);
    expect(await officers.sessionAlive(token)).toBe(false);
    expect(await officers.resumeSession(token)).toBeNull();
  });
});
