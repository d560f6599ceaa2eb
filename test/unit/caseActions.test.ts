/**
 * The officers' case actions as a use case, on the in-memory adapters: the
 * guarded transitions, the region and role checks, the family notices and the
 * alert end on resolve, without HTTP or a database.
 */

import { describe, expect, it } from 'vitest';
import { MemoryAudioStore } from '../../src/adapters/memory/memoryAudioStore.js';
import { MemoryAuditTrail } from '../../src/adapters/memory/memoryAuditTrail.js';
import {
  MemoryCaseStore,
  MemoryPhotoStore,
} from '../../src/adapters/memory/memoryCaseRepository.js';
import { MemoryEvents } from '../../src/adapters/memory/memoryEvents.js';
import { CaseActions } from '../../src/app/cases/caseActions.js';
import type { CaseEvent } from '../../src/app/ports/events.js';
import type { Notifier } from '../../src/app/ports/notifier.js';
import type { OfficerStore } from '../../src/app/ports/officerStore.js';
import type { NewCase } from '../../src/core/case/report.js';
import type { Text } from '../../src/core/conversation/text.js';
import type { Officer } from '../../src/core/officer.js';
import { createLogger } from '../../src/logger.js';

const now = new Date('2026-11-30T10:00:00Z');
const REGION = 'rabat-sale-kenitra';

const officerA: Officer = { username: 'officer.amal', role: 'officer', region: REGION };
const officerB: Officer = { username: 'officer.badr', role: 'officer', region: REGION };
const elsewhere: Officer = { username: 'officer.chama', role: 'officer', region: 'souss-massa' };
const supervisor: Officer = { username: 'supervisor.driss', role: 'supervisor', region: REGION };
const admin: Officer = { username: 'admin.errachidi', role: 'admin', region: 'casablanca-settat' };

const CHECKLIST = {
  minor: true,
  riskToLife: true,
  enoughDescription: true,
  parentsAgreePublication: true,
};

/** The Notifier port as the channels honour it: it records what it sends, or fails like a channel down. */
class RecordingNotifier implements Notifier {
  readonly sent: Array<{
    family: { channel: string; address: string; language: string };
    text: Text;
  }> = [];
  failing = false;

  async send(
    family: { channel: string; address: string; language: string },
    text: Text,
  ): Promise<void> {
    if (this.failing) throw new Error('channel unavailable');
    this.sent.push({ family, text });
  }

  /** The locale keys of what was sent, in order. */
  get keys(): string[] {
    return this.sent.map(({ text }) => (text.kind === 'key' ? text.key : text.kind));
  }
}

/** The accounts the reassign check looks up (named apart from any shared memory officer store). */
class InventedOfficers implements Pick<OfficerStore, 'find'> {
  async find(username: string): Promise<Officer | null> {
    return (
      [officerA, officerB, elsewhere, supervisor, admin].find((o) => o.username === username) ??
      null
    );
  }
}

function newCase(draftId: string): NewCase {
  return {
    draftId,
    reference: `TF-2026-${draftId}`,
    status: 'pending',
    priority: { level: 'high', score: 4, reasons: ['child'] },
    language: 'ary',
    channel: 'dev',
    reporter: { address: '+212600000777', name: 'Invented Parent', relationship: 'parent' },
    child: {
      fullName: 'Invented Child',
      sex: 'boy',
      age: { years: 6 },
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
    lastSeen: { at: now, place: { kind: 'description', text: 'near the market' }, city: 'Rabat' },
    circumstances: 'invented',
    abduction: { suspected: 'no', details: null },
    consent: { given: true, at: now, noticeVersion: 1 },
    region: REGION,
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

async function setup() {
  const audit = new MemoryAuditTrail();
  const cases = new MemoryCaseStore(audit);
  const events = new MemoryEvents();
  const published: CaseEvent[] = [];
  events.subscribe((event) => published.push(event));
  const notifier = new RecordingNotifier();
  const alertEnds: Array<{ caseId: string; by: string }> = [];
  const actions = new CaseActions({
    cases,
    officers: new InventedOfficers(),
    photos: new MemoryPhotoStore(),
    audio: new MemoryAudioStore(),
    audit,
    notifier,
    events,
    clock: { now: () => now },
    logger: createLogger({ level: 'silent' }),
    endAlertOfCase: async (caseId, by) => {
      alertEnds.push({ caseId, by });
    },
  });
  await cases.insertNew(newCase('case-1'));
  return { actions, cases, audit, notifier, published, alertEnds };
}

describe('case actions', () => {
  it('of two officers claiming at once, one wins and the family is told once', async () => {
    const { actions, cases, audit, notifier } = await setup();
    const [a, b] = await Promise.all([
      actions.claimCase(officerA, 'case-1'),
      actions.claimCase(officerB, 'case-1'),
    ]);
    const outcomes = [a, b].map((o) => (o.ok ? 'ok' : o.reason)).sort();
    expect(outcomes).toEqual(['conflict', 'ok']);
    const stored = await cases.get('case-1');
    expect(stored?.status).toBe('in_review');
    expect([officerA.username, officerB.username]).toContain(stored?.assignedTo);
    expect(notifier.sent).toEqual([
      {
        family: { channel: 'dev', address: '+212600000777', language: 'ary' },
        text: {
          kind: 'key',
          key: 'common:officer.claimed',
          params: { reference: { kind: 'raw', value: 'TF-2026-case-1' } },
        },
      },
    ]);
    const claims = (await audit.forCase('case-1')).filter((e) => e.action === 'case.claim');
    expect(claims).toHaveLength(1);
  });

  it('confirms only a case under review, and only with every box of the checklist ticked', async () => {
    const { actions, cases, notifier } = await setup();
    expect(await actions.confirmCase(officerA, 'case-1', CHECKLIST)).toEqual({
      ok: false,
      reason: 'conflict',
    });
    await actions.claimCase(officerA, 'case-1');
    expect(
      await actions.confirmCase(officerA, 'case-1', {
        ...CHECKLIST,
        parentsAgreePublication: false,
      }),
    ).toEqual({ ok: false, reason: 'incomplete_checklist' });
    const { minor: _dropped, ...missingOne } = CHECKLIST;
    expect(await actions.confirmCase(officerA, 'case-1', missingOne)).toEqual({
      ok: false,
      reason: 'incomplete_checklist',
    });
    expect((await cases.get('case-1'))?.status).toBe('in_review');

    const confirmed = await actions.confirmCase(officerA, 'case-1', CHECKLIST);
    expect(confirmed.ok && confirmed.case.status).toBe('confirmed');
    expect((await cases.get('case-1'))?.confirmation).toEqual({
      checklist: CHECKLIST,
      by: officerA.username,
      at: now,
    });
    expect(notifier.keys).toEqual(['common:officer.claimed', 'common:officer.confirmed']);
  });

  it("answers another region's officer as if the case did not exist, and audits nothing", async () => {
    const { actions, cases, audit, notifier } = await setup();
    const notFound = { ok: false, reason: 'not_found' };
    expect(await actions.viewCase(elsewhere, 'case-1')).toEqual(notFound);
    expect(await actions.claimCase(elsewhere, 'case-1')).toEqual(notFound);
    expect(await actions.messageFamily(elsewhere, 'case-1', 'hello')).toEqual(notFound);
    expect(await actions.addNote(elsewhere, 'case-1', 'a note')).toEqual(notFound);
    expect(await actions.viewCase(officerA, 'no-such-case')).toEqual(notFound);
    expect((await cases.get('case-1'))?.status).toBe('pending');
    expect((await audit.forCase('case-1')).map((e) => e.action)).toEqual(['case.created']);
    expect(notifier.sent).toEqual([]);

    // An admin sees every region, and the view is audited.
    const seen = await actions.viewCase(admin, 'case-1');
    expect(seen.ok && seen.case.reference).toBe('TF-2026-case-1');
    expect((await audit.forCase('case-1')).map((e) => e.action)).toContain('case.viewed');
  });

  it("resolving ends the case's alert, then tells the family why", async () => {
    const { actions, cases, notifier, alertEnds } = await setup();
    expect(await actions.resolveCase(officerA, 'case-1', 'found_safe')).toEqual({
      ok: false,
      reason: 'conflict',
    });
    expect(alertEnds).toEqual([]);

    await actions.claimCase(officerA, 'case-1');
    await actions.confirmCase(officerA, 'case-1', CHECKLIST);
    const resolved = await actions.resolveCase(officerA, 'case-1', 'found_safe');
    expect(resolved.ok && resolved.case.status).toBe('resolved');
    expect(alertEnds).toEqual([{ caseId: 'case-1', by: officerA.username }]);
    expect((await cases.get('case-1'))?.closure).toEqual({
      reason: 'found_safe',
      by: officerA.username,
      at: now,
    });
    expect(notifier.sent.at(-1)?.text).toEqual({
      kind: 'key',
      key: 'common:officer.resolved',
      params: {
        reference: { kind: 'raw', value: 'TF-2026-case-1' },
        reason: { kind: 'key', key: 'common:reasons.found_safe' },
      },
    });
  });

  it('stores a message to the family, then sends it; a failed delivery is reported, not undone', async () => {
    const { actions, cases, notifier, published } = await setup();
    expect(await actions.messageFamily(officerA, 'case-1', 'Claim first')).toEqual({
      ok: false,
      reason: 'conflict',
    });
    expect((await cases.get('case-1'))?.messages).toEqual([]);

    await actions.claimCase(officerA, 'case-1');
    const sent = await actions.messageFamily(officerA, 'case-1', 'Do you have a recent photo?');
    expect(sent.ok && sent.delivered).toBe(true);
    expect(notifier.sent.at(-1)?.text).toEqual({
      kind: 'key',
      key: 'common:officer.message',
      params: {
        reference: { kind: 'raw', value: 'TF-2026-case-1' },
        text: { kind: 'raw', value: 'Do you have a recent photo?' },
      },
    });

    notifier.failing = true;
    const undelivered = await actions.messageFamily(officerA, 'case-1', 'Are you at home?');
    expect(undelivered.ok && undelivered.delivered).toBe(false);
    const messages = (await cases.get('case-1'))?.messages ?? [];
    expect(messages.map((m) => [m.from, m.officer, m.text])).toEqual([
      ['officer', officerA.username, 'Do you have a recent photo?'],
      ['officer', officerA.username, 'Are you at home?'],
    ]);
    expect(published.filter((e) => e.type === 'message')).toHaveLength(2);
  });

  it('lets only a supervisor reassign, and only to an officer of the case region', async () => {
    const { actions, cases, audit } = await setup();
    expect(await actions.reassignCase(officerA, 'case-1', officerB.username)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await actions.reassignCase(supervisor, 'case-1', elsewhere.username)).toEqual({
      ok: false,
      reason: 'unknown_officer',
    });
    expect(await actions.reassignCase(supervisor, 'case-1', 'officer.nobody')).toEqual({
      ok: false,
      reason: 'unknown_officer',
    });
    const given = await actions.reassignCase(supervisor, 'case-1', officerB.username);
    expect(given.ok && given.case.assignedTo).toBe(officerB.username);
    expect((await cases.get('case-1'))?.assignedTo).toBe(officerB.username);

    expect(await actions.caseAudit(officerA, 'case-1')).toEqual({ ok: false, reason: 'not_found' });
    const trail = await actions.caseAudit(supervisor, 'case-1');
    expect(trail.ok && trail.entries.map((e) => e.action)).toEqual([
      'case.created',
      'case.reassigned',
    ]);
    expect((await audit.forCase('case-1')).at(-1)?.actor).toBe(supervisor.username);
  });

  it('keeps notes and the official report number without changing the status', async () => {
    const { actions, cases } = await setup();
    const noted = await actions.addNote(officerA, 'case-1', 'Called the school');
    expect(noted.ok && noted.note.officer).toBe(officerA.username);
    const numbered = await actions.setReportNumber(officerA, 'case-1', 'PV-2026-0042');
    expect(numbered.ok && numbered.case.officialReportNumber).toBe('PV-2026-0042');
    const stored = await cases.get('case-1');
    expect(stored?.status).toBe('pending');
    expect(stored?.notes.map((n) => n.text)).toEqual(['Called the school']);
  });
});
