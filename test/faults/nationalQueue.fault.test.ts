import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, caseIdOf, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * A family reports from a place no region claims (a pin far from every town
 * of the gazetteer): the case has no region. It must not wait unseen: every
 * supervisor and admin sees it in the national queue, and one of them gives
 * it its region, after which it waits in that region's queue.
 */
let h: TestApp;
let farSupervisor: Session;
let orientalOfficer: Session;
let orientalSupervisor: Session;
let admin: Session;
let reference: string;
let caseId: string;

type Queue = { cases: Array<{ reference: string; region: string | null; lastSeen: unknown }> };
const references = (response: { json: <T>() => T }) =>
  response.json<Queue>().cases.map((c) => c.reference);

beforeAll(async () => {
  h = await createTestApp();
  farSupervisor = await signIn(h.app, 'far.supervisor', 'supervisor', 'souss-massa');
  orientalSupervisor = await signIn(h.app, 'east.supervisor', 'supervisor', 'oriental');
  orientalOfficer = await signIn(h.app, 'east.officer', 'officer', 'oriental');
  admin = await signIn(h.app, 'central.admin', 'admin', 'rabat-sale-kenitra');
  // Out in the Atlantic, hundreds of kilometres from any town.
  reference = await submitReport(h.app, '+212600000931', {
    pin: { latitude: 31.2, longitude: -13.4 },
  });
  caseId = await caseIdOf(h.app, reference);
});
afterAll(() => h.close());

describe('a case from a place no region claims', () => {
  it('has no region, and every supervisor and admin sees it in the national queue', async () => {
    expect((await h.app.cases.get(caseId))?.region).toBeNull();
    for (const who of [farSupervisor, orientalSupervisor, admin]) {
      const national = await api(h.app, who, 'GET', '/api/cases?status=pending&queue=national');
      expect(national.statusCode).toBe(200);
      expect(references(national)).toEqual([reference]);
    }
    // Not in a region's queue, and not for a plain officer.
    expect(references(await api(h.app, farSupervisor, 'GET', '/api/cases'))).toEqual([]);
    expect(
      references(await api(h.app, orientalOfficer, 'GET', '/api/cases?queue=national')),
    ).toEqual([]);
    // A supervisor of any region may open it, to see the place to fix.
    const opened = await api(h.app, farSupervisor, 'GET', `/api/cases/${caseId}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.json()).toMatchObject({
      case: { region: null, lastSeen: { mapUrl: expect.any(String) } },
    });
  });

  it("is given its region by a supervisor of another region, then waits in that region's queue", async () => {
    expect(
      (
        await api(h.app, orientalOfficer, 'POST', `/api/cases/${caseId}/region`, {
          region: 'oriental',
        })
      ).statusCode,
    ).toBe(404);
    const refused = await api(h.app, farSupervisor, 'POST', `/api/cases/${caseId}/region`, {
      region: 'atlantis',
    });
    expect(refused.statusCode).toBe(400);

    const fixed = await api(h.app, farSupervisor, 'POST', `/api/cases/${caseId}/region`, {
      region: 'oriental',
    });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json()).toMatchObject({ case: { region: 'oriental' } });

    expect(
      references(await api(h.app, admin, 'GET', '/api/cases?status=pending&queue=national')),
    ).toEqual([]);
    expect(references(await api(h.app, orientalOfficer, 'GET', '/api/cases'))).toEqual([reference]);
    // The supervisor who fixed it works elsewhere: the case is out of their reach now.
    expect((await api(h.app, farSupervisor, 'GET', `/api/cases/${caseId}`)).statusCode).toBe(404);
    // Once it has a region, only an admin may move it.
    expect(
      (
        await api(h.app, orientalSupervisor, 'POST', `/api/cases/${caseId}/region`, {
          region: 'souss-massa',
        })
      ).statusCode,
    ).toBe(409);

    const audit = await api(h.app, orientalSupervisor, 'GET', `/api/cases/${caseId}/audit`);
    const entries = audit.json<{
      entries: Array<{ action: string; actor: string; details: unknown }>;
    }>().entries;
    expect(entries.find((e) => e.action === 'case.region_set')).toMatchObject({
      actor: 'far.supervisor',
      details: { from: null, to: 'oriental' },
    });
  });

  it("gives the console the national queue's words in every language", async () => {
    for (const language of ['ar', 'fr', 'ary']) {
      const texts = await h.app.http.inject({
        method: 'GET',
        url: `/console/i18n/${language}.json`,
      });
      expect(texts.json()).toMatchObject({
        national: { tab: expect.any(String), set: expect.any(String) },
        accounts: { unlock: expect.any(String) },
        queue: expect.any(Object),
      });
    }
  });
});
