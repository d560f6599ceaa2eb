import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryIntakeCounters } from '../../src/adapters/memory/memoryIntakeCounters.js';
import { MongoIntakeCounters } from '../../src/adapters/mongo/intakeCounters.js';
import { type IntakeLimiter, REMEMBERED_REPORTS } from '../../src/app/ports/intakeLimiter.js';
import { type Backend, describeContract } from './backends.js';

async function limiterFor(backend: Backend): Promise<IntakeLimiter> {
  switch (backend.kind) {
    case 'memory':
      return new MemoryIntakeCounters();
    // The embedded FerretDB runs the same documents, without the TTL index (the purge job instead).
    case 'embedded':
      return new MongoIntakeCounters(backend.connection);
    case 'mongo': {
      const counters = new MongoIntakeCounters(backend.connection);
      await counters.init();
      return counters;
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const NOW = new Date('2026-11-28T16:00:10Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const HOUR = 3_600_000;

describeContract('IntakeLimiter', (backend) => {
  let limiter: IntakeLimiter;
  let sender: string;
  beforeEach(async () => {
    limiter = await limiterFor(backend());
    sender = randomUUID().replaceAll('-', '');
  });

  it('counts a number’s messages per minute, one after another', async () => {
    const counts: number[] = [];
    for (let i = 0; i < 35; i++) counts.push(await limiter.countMessage(sender, at(i * 100)));
    expect(counts).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
  });

  it('counts every message of a burst exactly once', async () => {
    const counts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => limiter.countMessage(sender, at(i * 100))),
    );
    // MongoDB and FerretDB (serialised writes) also hand each caller its own
    // count; mongo-java-server applies every $inc but may return two callers
    // the same document, so only the total is asserted here.
    expect(Math.max(...counts)).toBe(40);
    expect(await limiter.countMessage(sender, at(5_000))).toBe(41);
    // The next minute starts again; another number has its own count.
    expect(await limiter.countMessage(sender, at(60_000))).toBe(1);
    expect(await limiter.countMessage(`${sender}-other`, at(0))).toBe(1);
  });

  it('counts each report once however often its submission is retried, within 24 h', async () => {
    expect((await limiter.countReport(sender, 'draft-1', at(0))).reportsInDay).toBe(1);
    expect((await limiter.countReport(sender, 'draft-1', at(1_000))).reportsInDay).toBe(1);
    await limiter.countReport(sender, 'draft-2', at(HOUR));
    await limiter.countReport(sender, 'draft-3', at(2 * HOUR));
    const fourth = await limiter.countReport(sender, 'draft-4', at(3 * HOUR));
    expect(fourth.reportsInDay).toBe(4);
    expect(fourth.drafts).toEqual(['draft-1', 'draft-2', 'draft-3', 'draft-4']);
    expect(fourth.flooding).toBe(false);
    // A day after the first, it no longer counts.
    const later = await limiter.countReport(sender, 'draft-5', at(24 * HOUR + 1_000));
    expect(later.reportsInDay).toBe(4);
    expect(later.drafts).not.toContain('draft-1');
  });

  it('keeps a bounded memory of a number’s reports', async () => {
    for (let i = 0; i < REMEMBERED_REPORTS + 5; i++) {
      await limiter.countReport(sender, `draft-${i}`, at(i * 1_000));
    }
    const next = await limiter.countReport(sender, 'draft-last', at(60_000));
    expect(next.reportsInDay).toBeGreaterThan(3);
    expect(next.reportsInDay).toBeLessThanOrEqual(REMEMBERED_REPORTS + 1);
    expect(next.drafts.at(-1)).toBe('draft-last');
    expect(next.drafts.length).toBeLessThanOrEqual(REMEMBERED_REPORTS);
  });

  it('remembers a flood until its end, the latest end winning', async () => {
    await limiter.markFlooding(sender, at(HOUR));
    await limiter.markFlooding(sender, at(30 * 60_000));
    expect((await limiter.countReport(sender, 'd-1', at(50 * 60_000))).flooding).toBe(true);
    expect((await limiter.countReport(sender, 'd-2', at(HOUR + 1))).flooding).toBe(false);
  });

  it('forgets expired counters when purged, and keeps the live ones', async () => {
    await limiter.countMessage(sender, at(0));
    await limiter.markFlooding(sender, at(HOUR));
    await limiter.countReport(sender, 'd-1', at(0));
    expect(await limiter.purgeExpired(at(30 * HOUR))).toBeGreaterThanOrEqual(3);
    expect(await limiter.countMessage(sender, at(0))).toBe(1);
    const after = await limiter.countReport(sender, 'd-2', at(30 * HOUR));
    expect(after).toEqual({ reportsInDay: 1, drafts: ['d-2'], flooding: false });
  });
});
