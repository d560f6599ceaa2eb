/**
 * The CaseStore port, against every backend: the in-memory store, the case
 * repository with the embedded FerretDB's queue board, and the case
 * repository with the indexed queue on mongo-java-server.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { QueueBoard } from '../../src/adapters/embedded/queueBoard.js';
import { MemoryAuditTrail } from '../../src/adapters/memory/memoryAuditTrail.js';
import { MemoryCaseStore } from '../../src/adapters/memory/memoryCaseRepository.js';
import { AuditLog } from '../../src/adapters/mongo/auditLog.js';
import { MongoCaseRepository } from '../../src/adapters/mongo/caseRepository.js';
import { IndexedCaseQueue } from '../../src/adapters/mongo/indexedCaseQueue.js';
import type { AuditTrail } from '../../src/app/ports/auditTrail.js';
import type { CaseStore } from '../../src/app/ports/caseStore.js';
import { flaggedPriority } from '../../src/core/case/intakeLimits.js';
import type { QueueScope } from '../../src/core/case/queueScope.js';
import type { NewCase } from '../../src/core/case/report.js';
import { type Backend, describeContract } from './backends.js';

/** The store of one backend, with the audit trail it writes to. */
async function storeFor(backend: Backend): Promise<{ store: CaseStore; audit: AuditTrail }> {
  switch (backend.kind) {
    case 'memory': {
      const audit = new MemoryAuditTrail();
      return { store: new MemoryCaseStore(audit), audit };
    }
    case 'embedded':
    case 'mongo': {
      const { connection } = backend;
      const audit = new AuditLog(connection);
      const queue =
        backend.kind === 'embedded' ? new QueueBoard(connection) : new IndexedCaseQueue(connection);
      const store = new MongoCaseRepository(connection, audit, queue);
      await store.init();
      return { store, audit };
    }
    default: {
      const unknown: never = backend;
      throw new Error(`no case store for ${JSON.stringify(unknown)}`);
    }
  }
}

const now = new Date('2026-11-28T16:00:00Z');
const inRegion = (region: string): QueueScope => ({ kind: 'region', region });
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

/** A fresh id, so the tests of one backend share its database without meeting. */
const freshId = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

function newCase(overrides: Partial<NewCase> & { draftId: string }): NewCase {
  return {
    reference: `TF-2026-${overrides.draftId}`,
    status: 'pending',
    priority: { level: 'high', score: 4, reasons: ['child'] },
    language: 'fr',
    channel: 'dev',
    reporter: { address: '+212600000401', name: 'Invented Parent', relationship: 'parent' },
    child: {
      fullName: 'Invented Child',
      sex: 'girl',
      age: { years: 7 },
      photoId: null,
      heightCm: null,
      build: null,
      hair: null,
      marks: null,
      clothing: null,
      phone: null,
      hobbies: 'invented hobby',
      problems: null,
      places: null,
      friends: null,
      health: null,
      previousDisappearances: false,
    },
    lastSeen: { at: now, place: { kind: 'description', text: 'devant l’école' }, city: 'Rabat' },
    circumstances: 'invented',
    abduction: { suspected: 'no', details: null },
    consent: { given: true, at: now, noticeVersion: 1 },
    region: 'rabat-sale-kenitra',
    assignedTo: null,
    officialReportNumber: null,
    messages: [],
    notes: [],
    confirmation: null,
    closure: null,
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'pending', at: now, by: 'family' }],
    ...overrides,
  };
}

describeContract('CaseStore', (backend) => {
  it('stores one case per draft: a second submission gets the first reference back', async () => {
    const { store } = await storeFor(backend());
    const draftId = freshId('draft');
    const first = newCase({ draftId, reference: `TF-2026-${draftId}-1` });
    expect(await store.insertNew(first)).toEqual({ reference: first.reference, created: true });
    expect(await store.insertNew({ ...first, reference: `TF-2026-${draftId}-2` })).toEqual({
      reference: first.reference,
      created: false,
    });
    expect(await store.findByDraftId(draftId)).toEqual({ reference: first.reference });
    expect(await store.findByDraftId(freshId('unknown'))).toBeNull();
    expect(await store.findIdByReference(first.reference)).toBe(draftId);
    expect(await store.findIdByReference(`TF-2026-${draftId}-2`)).toBeNull();
    expect(await store.get(draftId)).toMatchObject({
      _id: draftId,
      status: 'pending',
      child: { hobbies: 'invented hobby' },
    });
    expect(await store.get(freshId('unknown'))).toBeNull();
  });

  it('hands out 50 different numbers to 50 concurrent submissions, each year from 1', async () => {
    const { store } = await storeFor(backend());
    const numbers = await Promise.all(Array.from({ length: 50 }, () => store.nextSequence(2031)));
    expect(new Set(numbers).size).toBe(50);
    // Unique is the promise; a server whose concurrent increments collide may leave gaps.
    expect(numbers.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
    expect(await store.nextSequence(2032)).toBe(1);
    expect(await store.nextSequence(2031)).toBeGreaterThan(Math.max(...numbers));
  });

  it("finds a family's latest case by their address only, and the one they talk about", async () => {
    const { store } = await storeFor(backend());
    const address = `+2126${Math.floor(Math.random() * 1e8)}`;
    const b = freshId('b');
    const reporter = { address, name: 'Invented Parent', relationship: 'parent' as const };
    await store.insertNew(newCase({ draftId: freshId('a'), reporter }));
    await store.insertNew(newCase({ draftId: b, reporter, createdAt: minutes(1) }));
    await store.insertNew(
      newCase({ draftId: freshId('other'), reporter: { ...reporter, address: `${address}9` } }),
    );
    // A case stored late but reported earlier does not hide the latest one.
    await store.insertNew(
      newCase({ draftId: freshId('earlier'), reporter, createdAt: minutes(-60) }),
    );
    expect(await store.latestForReporter('dev', address)).toEqual({
      id: b,
      reference: `TF-2026-${b}`,
      status: 'pending',
    });
    expect(await store.latestForReporter('dev', '+212600000000')).toBeNull();
    expect(await store.latestForReporter('whatsapp', address)).toBeNull();

    // A pending case is not yet a conversation with an officer; a claimed one is, a closed one no more.
    expect(await store.activeCaseFor('dev', address)).toBeNull();
    expect((await store.transition(b, 'claim', 'officer.1', minutes(2))).ok).toBe(true);
    expect(await store.activeCaseFor('dev', address)).toEqual({ id: b, reference: `TF-2026-${b}` });
    expect((await store.transition(b, 'resolve', 'officer.1', minutes(3))).ok).toBe(true);
    expect(await store.activeCaseFor('dev', address)).toBeNull();
  });

  it('lets exactly one of 20 concurrent claims win, and audits that one', async () => {
    const { store, audit } = await storeFor(backend());
    const draftId = freshId('claimed');
    await store.insertNew(newCase({ draftId }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.transition(draftId, 'claim', `officer.${i}`, now)),
    );
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'conflict')).toHaveLength(19);
    const winner = won[0]?.ok ? won[0].case : null;
    expect(winner?.status).toBe('in_review');
    expect(winner?.history.map((h) => h.status)).toEqual(['pending', 'in_review']);
    expect(await store.transition(freshId('missing'), 'claim', 'officer.1', now)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    const claims = (await audit.forCase(draftId)).filter((e) => e.action === 'case.claim');
    expect(claims.map((e) => e.actor)).toEqual([winner?.history[1]?.by]);
  });

  it('queues a flagged case after every real case of its priority, before any of a lower one', async () => {
    const { store } = await storeFor(backend());
    const region = freshId('region-flood');
    const id = (label: string) => `${region}-${label}`;
    const high = { level: 'high' as const, score: 4, reasons: [] };
    const add = (label: string, waitedMinutes: number, flagged: boolean, score = 4) =>
      store.insertNew(
        newCase({
          draftId: id(label),
          region,
          priority: flaggedPriority({ ...high, score }, flagged ? ['flood'] : []),
          flags: flagged ? ['flood'] : [],
          createdAt: minutes(-waitedMinutes),
          updatedAt: minutes(-waitedMinutes),
        }),
      );
    await add('flagged-old', 60, true);
    await add('real-new', 5, false);
    await add('lower', 90, false, 3);
    const queue = await store.queue(['pending'], inRegion(region));
    expect(queue.map((entry) => entry._id)).toEqual([
      id('real-new'),
      id('flagged-old'),
      id('lower'),
    ]);
    expect(queue.map((entry) => entry.flags)).toEqual([[], ['flood'], []]);
    expect(queue[1]?.priority.level).toBe('high');
  });

  it('keeps the cases no region claims in the national queue until their region is set, audited', async () => {
    const { store, audit } = await storeFor(backend());
    const region = freshId('region-fixed');
    const lost = freshId('unknown-town');
    const claimed = freshId('known-town');
    await store.insertNew(newCase({ draftId: lost, region: null }));
    await store.insertNew(newCase({ draftId: claimed, region }));
    const national = async () =>
      (await store.queue(['pending'], { kind: 'national' })).map((e) => e._id);
    expect(await national()).toContain(lost);
    expect(await national()).not.toContain(claimed);
    expect((await store.queue(['pending'], inRegion(region))).map((e) => e._id)).toEqual([claimed]);

    // Two supervisors fix it at once: the region the case had guards the update.
    const results = await Promise.all([
      store.setRegion(lost, null, region, { by: 'supervisor.1', now: minutes(1) }),
      store.setRegion(lost, null, freshId('other'), { by: 'supervisor.2', now: minutes(1) }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'conflict')).toHaveLength(1);
    const winner = results.find((r) => r.ok);
    const to = winner?.ok ? winner.case.region : null;
    expect(await national()).not.toContain(lost);
    // It waits in the winner's region's queue now.
    expect((await store.queue(['pending'], inRegion(to ?? 'none'))).map((e) => e._id)).toContain(
      lost,
    );
    expect((await store.get(lost))?.region).toBe(to);
    const entries = (await audit.forCase(lost)).filter((e) => e.action === 'case.region_set');
    expect(entries.map((e) => e.details)).toEqual([{ from: null, to }]);
    expect(
      await store.setRegion(freshId('missing'), null, region, { by: 'supervisor.1', now }),
    ).toEqual({ ok: false, reason: 'not_found' });
  });

  it('queues open cases by priority then waiting time, by region and status; closed ones leave', async () => {
    const { store } = await storeFor(backend());
    const north = freshId('region-north');
    const south = freshId('region-south');
    const id = (label: string) => `${north}-${label}`;
    const add = (label: string, score: number, waitedMinutes: number, region = north) =>
      store.insertNew(
        newCase({
          draftId: id(label),
          region,
          priority: { level: score > 5 ? 'critical' : 'normal', score, reasons: [] },
          createdAt: minutes(-waitedMinutes),
          updatedAt: minutes(-waitedMinutes),
        }),
      );
    await add('low-old', 1, 50);
    await add('urgent', 8, 5);
    await add('low-new', 1, 10);
    await add('mid', 4, 1);
    await add('elsewhere', 9, 30, south);
    const queued = async (statuses: Parameters<CaseStore['queue']>[0], region: string) =>
      (await store.queue(statuses, inRegion(region)))
        .map((e) => e._id)
        .filter((e) => e.startsWith(north));

    expect(await queued(['pending'], north)).toEqual([
      id('urgent'),
      id('mid'),
      id('low-old'),
      id('low-new'),
    ]);
    // Only the queue's fields: what an officer chooses from, not the whole file.
    const [top] = await store.queue(['pending'], inRegion(north));
    expect(top).toEqual({
      _id: id('urgent'),
      reference: `TF-2026-${id('urgent')}`,
      status: 'pending',
      priority: { level: 'critical', score: 8, reasons: [] },
      flags: [],
      region: north,
      createdAt: minutes(-5),
      updatedAt: minutes(-5),
      assignedTo: null,
      child: { fullName: 'Invented Child', age: { years: 7 }, sex: 'girl' },
      lastSeen: { at: now, city: 'Rabat' },
    });

    expect((await store.transition(id('mid'), 'claim', 'officer.1', minutes(1))).ok).toBe(true);
    await store.update(
      id('mid'),
      { assignedTo: 'officer.2' },
      { by: 'supervisor.1', action: 'case.reassigned', now: minutes(2) },
    );
    expect((await store.transition(id('low-old'), 'reject', 'officer.1', minutes(3))).ok).toBe(
      true,
    );
    expect(await queued(['pending'], north)).toEqual([id('urgent'), id('low-new')]);
    expect(await queued(['in_review'], north)).toEqual([id('mid')]);
    const [claimed] = await store.queue(['in_review'], inRegion(north));
    expect(claimed).toMatchObject({ status: 'in_review', assignedTo: 'officer.2' });
    expect(await queued(['pending', 'in_review'], north)).toEqual([
      id('urgent'),
      id('mid'),
      id('low-new'),
    ]);
    // Closed cases are never in the queue, even when asked for.
    expect(await queued(['rejected', 'resolved'], north)).toEqual([]);
    expect(await store.queue(['pending'], inRegion(freshId('nowhere')))).toEqual([]);
    // An officer of one region sees only it; an admin sees every region.
    expect((await store.queue(['pending'], inRegion(south))).map((e) => e._id)).toEqual([
      id('elsewhere'),
    ]);
    const all = (await store.queue(['pending'], { kind: 'all' })).map((e) => e._id);
    expect(all.filter((e) => e.startsWith(north))).toEqual([
      id('elsewhere'),
      id('urgent'),
      id('low-new'),
    ]);
  });

  it('adds what the family writes once per message id, and says the case’s region', async () => {
    const { store } = await storeFor(backend());
    const draftId = freshId('talk');
    await store.insertNew(newCase({ draftId, region: 'oriental' }));
    const message = { id: 'wamid-1', text: 'invented message', at: minutes(5) };
    expect(await store.addFamilyMessage(draftId, message)).toEqual({ region: 'oriental' });
    expect(await store.addFamilyMessage(draftId, message)).toEqual({ region: 'oriental' });
    await store.addFamilyMessage(draftId, { ...message, id: 'wamid-2', at: minutes(6) });
    const stored = await store.get(draftId);
    expect(stored?.messages.map((m) => [m.id, m.from])).toEqual([
      ['wamid-1', 'family'],
      ['wamid-2', 'family'],
    ]);
    expect(await store.addFamilyMessage(freshId('missing'), message)).toEqual({ region: null });
  });

  it('leaves an audit entry for each view of a case, a note and an officer message', async () => {
    const { store, audit } = await storeFor(backend());
    const draftId = freshId('viewed');
    await store.insertNew(newCase({ draftId }));
    await store.recordView(draftId, 'officer.7', minutes(1), 'case');
    await store.recordView(draftId, 'officer.7', minutes(2), 'photo');
    await store.addNote(draftId, {
      id: 'n1',
      text: 'invented note',
      at: minutes(3),
      officer: 'officer.7',
    });
    await store.addMessage(draftId, {
      id: 'm1',
      from: 'officer',
      text: 'invented reply',
      at: minutes(4),
      officer: 'officer.7',
    });
    const entries = await audit.forCase(draftId);
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ['case.created', 'family'],
      ['case.viewed', 'officer.7'],
      ['photo.viewed', 'officer.7'],
      ['case.note', 'officer.7'],
    ]);
    expect(entries[1]?.at).toEqual(minutes(1));
    const stored = await store.get(draftId);
    expect(stored?.notes.map((n) => n.id)).toEqual(['n1']);
    expect(stored?.messages.map((m) => m.id)).toEqual(['m1']);
  });
});
