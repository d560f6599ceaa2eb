import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryRightsRequests } from '../../src/adapters/memory/memoryRightsRequests.js';
import { MongoRightsRequests } from '../../src/adapters/mongo/mongoRightsRequests.js';
import type { RightsRequests } from '../../src/app/ports/rightsRequests.js';
import type { NewRightsRequest } from '../../src/core/rights/rightsRequest.js';
import { type Backend, describeContract } from './backends.js';

async function requestsFor(backend: Backend): Promise<RightsRequests> {
  switch (backend.kind) {
    case 'memory':
      return new MemoryRightsRequests();
    case 'embedded':
      return new MongoRightsRequests(backend.connection);
    case 'mongo': {
      const store = new MongoRightsRequests(backend.connection);
      await store.init();
      return store;
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const START = new Date('2026-11-28T16:00:00Z');
const minutes = (n: number) => new Date(START.getTime() + n * 60_000);

describeContract('RightsRequests', (backend) => {
  let store: RightsRequests;
  let tag: string;
  /** A request of this test (the suite shares one database). */
  let request: (id: string, overrides?: Partial<NewRightsRequest>) => NewRightsRequest;
  beforeEach(async () => {
    store = await requestsFor(backend());
    tag = randomUUID().slice(0, 8);
    request = (id, overrides = {}) => ({
      _id: `${tag}-${id}`,
      kind: 'erase',
      status: 'pending',
      channel: 'dev',
      address: `+2126${tag.replace(/\D/g, '').padEnd(8, '0').slice(0, 8)}`,
      subjectHash: `h-${tag}`,
      language: 'fr',
      caseId: `case-${tag}`,
      caseReference: 'TF-2026-000001',
      region: `region-${tag}`,
      text: null,
      erasedAtOnce: [],
      createdAt: START,
      ...overrides,
    });
  });

  it('files a request once per id', async () => {
    const first = await store.file(request('a'));
    expect(first.created).toBe(true);
    expect(first.request).toMatchObject({ status: 'pending', decidedAt: null, reason: null });
    const again = await store.file(request('a', { createdAt: minutes(5), text: 'autre' }));
    expect(again.created).toBe(false);
    expect(again.request.createdAt).toEqual(START);
    expect(again.request.text).toBeNull();
    expect(await store.get(`${tag}-a`)).toMatchObject({ kind: 'erase', caseId: `case-${tag}` });
    expect(await store.get(`${tag}-none`)).toBeNull();
  });

  it('lists pending requests of some regions (or of none) oldest first, or all', async () => {
    await store.file(request('late', { createdAt: minutes(2) }));
    await store.file(request('early', { createdAt: minutes(1) }));
    await store.file(request('nowhere', { region: null, createdAt: minutes(3) }));
    await store.file(request('elsewhere', { region: `other-${tag}` }));
    await store.file(request('answered', { status: 'answered', kind: 'access' }));
    const mine = await store.pending({ regions: [`region-${tag}`] });
    expect(mine.map((r) => r._id)).toEqual([`${tag}-early`, `${tag}-late`]);
    const withNone = await store.pending({ regions: [`region-${tag}`, null] });
    expect(withNone.map((r) => r._id).filter((id) => id.startsWith(tag))).toEqual([
      `${tag}-early`,
      `${tag}-late`,
      `${tag}-nowhere`,
    ]);
    const all = (await store.pending('all')).map((r) => r._id).filter((id) => id.startsWith(tag));
    expect(all).toHaveLength(4);
    expect(all).not.toContain(`${tag}-answered`);
  });

  it('decides a pending request once', async () => {
    await store.file(request('d'));
    const decision = { by: 'sup.casa', at: minutes(10), reason: 'case_open', note: null };
    const [first, second] = await Promise.all([
      store.decide(`${tag}-d`, { ...decision, status: 'refused' }),
      store.decide(`${tag}-d`, { ...decision, status: 'applied' }),
    ]);
    const outcomes = [first, second].map((o) => o?.ok);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect([first, second].find((o) => o && !o.ok)).toMatchObject({ reason: 'conflict' });
    const stored = await store.get(`${tag}-d`);
    expect(stored?.decidedBy).toBe('sup.casa');
    expect(stored?.decidedAt).toEqual(minutes(10));
    expect(await store.decide(`${tag}-missing`, { ...decision, status: 'applied' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it("gives a case's requests oldest first", async () => {
    await store.file(request('c2', { kind: 'rectify', text: 'il a 8 ans', createdAt: minutes(2) }));
    await store.file(request('c1', { kind: 'access', status: 'answered', createdAt: minutes(1) }));
    await store.file(request('other', { caseId: `case-${tag}-other` }));
    const timeline = await store.forCase(`case-${tag}`);
    expect(timeline.map((r) => r._id)).toEqual([`${tag}-c1`, `${tag}-c2`]);
    expect(timeline[1]?.text).toBe('il a 8 ans');
  });

  it('forgets the number of every request of it, keeping its pseudonym', async () => {
    const address = request('x').address ?? '';
    await store.file(request('f1'));
    await store.file(request('f2', { kind: 'access', status: 'answered' }));
    await store.file(request('f3', { address: '+212699999999' }));
    expect(await store.forgetSubject('dev', address)).toBe(2);
    expect(await store.get(`${tag}-f1`)).toMatchObject({ address: null, subjectHash: `h-${tag}` });
    expect((await store.get(`${tag}-f3`))?.address).toBe('+212699999999');
  });

  it('purges decided and answered requests older than the cut-off, never pending ones', async () => {
    await store.file(request('old-answered', { kind: 'access', status: 'answered' }));
    await store.file(request('old-pending'));
    await store.file(request('decided'));
    await store.decide(`${tag}-decided`, {
      status: 'applied',
      by: 'sup',
      at: minutes(60),
      reason: null,
      note: null,
    });
    await store.purgeDecided(minutes(30));
    expect(await store.get(`${tag}-old-answered`)).toBeNull();
    expect(await store.get(`${tag}-old-pending`)).not.toBeNull();
    expect(await store.get(`${tag}-decided`)).not.toBeNull();
    await store.purgeDecided(minutes(61));
    expect(await store.get(`${tag}-decided`)).toBeNull();
    expect(await store.get(`${tag}-old-pending`)).not.toBeNull();
  });
});
