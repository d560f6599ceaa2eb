import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueBoard } from '../../src/adapters/embedded/queueBoard.js';
import { MemoryCaseRepository } from '../../src/adapters/memory/memoryCaseRepository.js';
import { AuditLog } from '../../src/adapters/mongo/auditLog.js';
import { MongoCaseRepository } from '../../src/adapters/mongo/caseRepository.js';
import type { FamilyCaseStore } from '../../src/app/ports/caseStore.js';
import type { NewCase } from '../../src/core/case/report.js';
import { connectTestDatabase } from '../support/database.js';

let connection: Connection;
beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

const now = new Date('2026-11-28T16:00:00Z');
function newCase(draftId: string, reference: string, address = '+212600000401'): NewCase {
  return {
    reference,
    draftId,
    status: 'pending',
    priority: { level: 'high', score: 4, reasons: ['child'] },
    language: 'fr',
    channel: 'dev',
    reporter: { address, name: 'Invented Parent', relationship: 'parent' },
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
      hobbies: null,
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
  };
}

const implementations: Array<[string, () => Promise<FamilyCaseStore>]> = [
  ['MemoryCaseRepository', async () => new MemoryCaseRepository()],
  [
    'MongoCaseRepository (real database)',
    async () => {
      await connection.dropDatabase();
      const repository = new MongoCaseRepository(
        connection,
        new AuditLog(connection),
        new QueueBoard(connection),
      );
      await repository.init();
      return repository;
    },
  ],
];

describe.each(implementations)('FamilyCaseStore port: %s', (_name, make) => {
  it('numbers references from an atomic counter, without duplicates under concurrency', async () => {
    const repository = await make();
    const numbers = await Promise.all(
      Array.from({ length: 25 }, () => repository.nextSequence(2026)),
    );
    expect(new Set(numbers).size).toBe(25);
    expect(Math.max(...numbers)).toBe(25);
    expect(await repository.nextSequence(2027)).toBe(1);
  });

  it('stores one case per draft: a second submission gets the first reference back', async () => {
    const repository = await make();
    expect(await repository.insertNew(newCase('draft-1', 'TF-2026-000001'))).toEqual({
      reference: 'TF-2026-000001',
      created: true,
    });
    expect(await repository.insertNew(newCase('draft-1', 'TF-2026-000002'))).toEqual({
      reference: 'TF-2026-000001',
      created: false,
    });
    expect(await repository.findByDraftId('draft-1')).toEqual({ reference: 'TF-2026-000001' });
    expect(await repository.findByDraftId('draft-unknown')).toBeNull();
  });

  it("finds a family's latest case by their address only", async () => {
    const repository = await make();
    await repository.insertNew(newCase('d-a', 'TF-2026-000010'));
    await repository.insertNew({
      ...newCase('d-b', 'TF-2026-000011'),
      createdAt: new Date(now.getTime() + 1000),
    });
    await repository.insertNew(newCase('d-c', 'TF-2026-000012', '+212600000499'));
    // A case stored late but reported earlier does not hide the latest one.
    await repository.insertNew({
      ...newCase('d-0', 'TF-2026-000009'),
      createdAt: new Date(now.getTime() - 60_000),
    });
    expect(await repository.latestForReporter('dev', '+212600000401')).toEqual({
      id: 'd-b',
      reference: 'TF-2026-000011',
      status: 'pending',
    });
    expect(await repository.latestForReporter('dev', '+212600000000')).toBeNull();
    expect(await repository.latestForReporter('whatsapp', '+212600000401')).toBeNull();
  });
});
