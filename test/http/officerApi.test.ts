import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/officer.js';
import { PNG_1PX, say, sayAll, sentence, UP_TO_PHOTO } from '../support/chat.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

let h: TestApp;
const PASSWORD = 'correct horse battery staple 42';

interface Session {
  cookie: string;
  csrf: string;
}

async function login(username: string, password = PASSWORD): Promise<Session> {
  const response = await h.app.http.inject({
    method: 'POST',
    url: '/api/session',
    payload: { username, password },
  });
  expect(response.statusCode, response.body).toBe(200);
  const setCookie = String(response.headers['set-cookie']);
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Strict/i);
  return {
    cookie: setCookie.split(';')[0] ?? '',
    csrf: response.json<{ csrfToken: string }>().csrfToken,
  };
}

function call(
  session: Session | null,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
  options: { csrf?: boolean } = {},
) {
  const headers: Record<string, string> = {};
  if (session) headers.cookie = session.cookie;
  if (session && options.csrf !== false) headers['x-csrf-token'] = session.csrf;
  return h.app.http.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}

async function officer(username: string, role: Role, region: string): Promise<Session> {
  await h.app.officers.create({ username, password: PASSWORD, role, region });
  return login(username);
}

let casa: Session;
let casaSupervisor: Session;
let rabat: Session;
let admin: Session;

beforeAll(async () => {
  h = await createTestApp();
  casa = await officer('a.benali', 'officer', 'casablanca-settat');
  casaSupervisor = await officer('s.alaoui', 'supervisor', 'casablanca-settat');
  rabat = await officer('r.idrissi', 'officer', 'rabat-sale-kenitra');
  admin = await officer('admin.central', 'admin', 'rabat-sale-kenitra');
});
afterAll(async () => {
  await h.close();
});

const caseIdOf = async (reference: string) => {
  const found = await h.connection.collection<{ _id: string }>('cases').findOne({ reference });
  if (!found) throw new Error(`no case ${reference}`);
  return found._id;
};

describe('sessions', () => {
  it('refuses a wrong password with a localized message, and answers 401 without a session', async () => {
    const wrong = await h.app.http.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'a.benali', password: 'not the password' },
      headers: { 'accept-language': 'ar' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({
      error: {
        code: 'invalid_credentials',
        message: sentence(h.app, 'ar', 'common:http.invalid_credentials'),
      },
    });
    expect((await call(null, 'GET', '/api/cases')).statusCode).toBe(401);
    expect((await call(casa, 'GET', '/api/session')).json()).toMatchObject({
      officer: { username: 'a.benali', role: 'officer', region: 'casablanca-settat' },
    });
  });

  it('slows an account down after 10 failures: the next password waits for its slot', async () => {
    await h.app.officers.create({
      username: 'victim',
      password: PASSWORD,
      role: 'officer',
      region: 'oriental',
    });
    for (let i = 0; i < 10; i++) {
      const attempt = await h.app.http.inject({
        method: 'POST',
        url: '/api/session',
        payload: { username: 'victim', password: `guess ${i}` },
      });
      expect(attempt.statusCode).toBe(401);
    }
    const locked = await h.app.http.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'victim', password: PASSWORD },
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
    // Slowed, never locked: once the slot opens, the right password signs in.
    h.clock.advance(5);
    const later = await h.app.http.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'victim', password: PASSWORD },
    });
    expect(later.statusCode).toBe(200);
  });

  it('logout ends the session', async () => {
    const session = await login('s.alaoui');
    expect((await call(session, 'DELETE', '/api/session')).statusCode).toBe(204);
    expect((await call(session, 'GET', '/api/session')).statusCode).toBe(401);
  });
});

describe('the handoff', () => {
  let reference: string;
  let caseId: string;
  const family = '+212600000801';

  beforeAll(async () => {
    reference = await submitReport(h.app, family);
    caseId = await caseIdOf(reference);
  });

  it('shows the pending case in its region queue only, with how long it waited', async () => {
    h.clock.advance(5 * 60_000);
    const queue = (await call(casa, 'GET', '/api/cases?status=pending')).json<{
      cases: Array<{ reference: string; waitingSeconds: number; region: string }>;
    }>().cases;
    expect(queue.map((c) => c.reference)).toContain(reference);
    expect(queue.find((c) => c.reference === reference)).toMatchObject({
      waitingSeconds: 300,
      region: 'casablanca-settat',
    });
    const other = (await call(rabat, 'GET', '/api/cases')).json<{ cases: unknown[] }>().cases;
    expect(other).toEqual([]);
    const all = (await call(admin, 'GET', '/api/cases')).json<{
      cases: Array<{ reference: string }>;
    }>().cases;
    expect(all.map((c) => c.reference)).toContain(reference);
  });

  it('another region gets 404 for the case, logged; the right officer reads it, audited', async () => {
    expect((await call(rabat, 'GET', `/api/cases/${caseId}`)).statusCode).toBe(404);
    expect(h.logs.join('')).toContain('case access refused');
    const detail = await call(casa, 'GET', `/api/cases/${caseId}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      case: {
        reference,
        child: { fullName: 'Yassine Bennani' },
        lastSeen: { mapUrl: expect.stringContaining('openstreetmap.org') },
      },
    });
    const audit = await h.connection
      .collection('audit')
      .find({ caseId, action: 'case.viewed', actor: 'a.benali' })
      .toArray();
    expect(audit).toHaveLength(1);
  });

  it('refuses a state change without the CSRF token', async () => {
    const response = await call(casa, 'POST', `/api/cases/${caseId}/claim`, {}, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'csrf' } });
  });

  it('of 20 concurrent claims exactly one wins; the others get a clear 409', async () => {
    const sessions = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await h.app.officers.create({
          username: `agent.${i}`,
          password: PASSWORD,
          role: 'officer',
          region: 'casablanca-settat',
        });
        return login(`agent.${i}`);
      }),
    );
    const results = await Promise.all(
      sessions.map((s) => call(s, 'POST', `/api/cases/${caseId}/claim`, {})),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    expect(results.find((r) => r.statusCode === 409)?.json()).toMatchObject({
      error: { code: 'conflict', message: sentence(h.app, 'fr', 'common:http.conflict') },
    });
    const claimedBy = results.findIndex((r) => r.statusCode === 200);
    const pending = (await call(casa, 'GET', '/api/cases?status=pending')).json<{
      cases: Array<{ reference: string }>;
    }>().cases;
    expect(pending.map((c) => c.reference)).not.toContain(reference);
    const inReview = (await call(casa, 'GET', '/api/cases?status=in_review')).json<{
      cases: Array<{ reference: string; assignedTo: string }>;
    }>().cases;
    expect(inReview).toEqual([
      expect.objectContaining({ reference, assignedTo: `agent.${claimedBy}` }),
    ]);
    const stored = await h.connection.collection('cases').findOne({ _id: caseId as never });
    expect(stored).toMatchObject({ status: 'in_review', assignedTo: `agent.${claimedBy}` });
    // The family is told, in their language.
    const outbox = (
      await h.app.http.inject({
        method: 'GET',
        url: `/dev/outbox?to=${encodeURIComponent(family)}`,
      })
    ).json<{ messages: Array<{ text: string }> }>().messages;
    expect(outbox.map((m) => m.text)).toContain(
      sentence(h.app, 'fr', 'common:officer.claimed', { reference }),
    );
  });

  it('an officer message reaches the family; the family answer goes to the case, not to a new report', async () => {
    const sent = await call(casa, 'POST', `/api/cases/${caseId}/messages`, {
      text: 'Avez-vous une photo plus récente ?',
    });
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({ delivered: true });
    const outbox = (
      await h.app.http.inject({
        method: 'GET',
        url: `/dev/outbox?to=${encodeURIComponent(family)}`,
      })
    ).json<{ messages: Array<{ text: string }> }>().messages;
    expect(outbox.at(-1)?.text).toContain('Avez-vous une photo plus récente ?');
    expect(await say(h.app, family, 'Oui, je vous l’envoie ce soir')).toEqual([
      sentence(h.app, 'fr', 'common:relayed'),
    ]);
    const detail = (await call(casa, 'GET', `/api/cases/${caseId}`)).json<{
      case: { messages: Array<{ from: string; text: string }> };
    }>();
    expect(detail.case.messages.map((m) => [m.from, m.text])).toEqual([
      ['officer', 'Avez-vous une photo plus récente ?'],
      ['family', 'Oui, je vous l’envoie ce soir'],
    ]);
  });

  it('refuses bodies with fields an action does not take (no mass assignment)', async () => {
    const attempts: Array<[string, 'POST' | 'PATCH', object]> = [
      [`/api/cases/${caseId}`, 'PATCH', { officialReportNumber: 'PV-1', status: 'confirmed' }],
      [`/api/cases/${caseId}`, 'PATCH', { role: 'admin' }],
      [
        `/api/cases/${caseId}/confirm`,
        'POST',
        {
          checklist: {
            minor: true,
            riskToLife: true,
            enoughDescription: true,
            parentsAgreePublication: true,
          },
          confirmedBy: 'someone.else',
        },
      ],
      [`/api/cases/${caseId}/messages`, 'POST', { text: '' }],
      [
        `/api/cases/${caseId}/confirm`,
        'POST',
        {
          checklist: {
            minor: true,
            riskToLife: true,
            enoughDescription: true,
            parentsAgreePublication: false,
          },
        },
      ],
    ];
    for (const [url, method, payload] of attempts) {
      const response = await call(casa, method, url, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    expect(await h.connection.collection('cases').findOne({ _id: caseId as never })).toMatchObject({
      status: 'in_review',
      officialReportNumber: null,
    });
  });

  it('completes the report number, confirms with the checklist (who and when), and tells the family', async () => {
    expect(
      (
        await call(casa, 'PATCH', `/api/cases/${caseId}`, {
          officialReportNumber: 'PV-2026-CASA-118',
        })
      ).statusCode,
    ).toBe(200);
    const confirmed = await call(casa, 'POST', `/api/cases/${caseId}/confirm`, {
      checklist: {
        minor: true,
        riskToLife: true,
        enoughDescription: true,
        parentsAgreePublication: true,
      },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({
      case: {
        status: 'confirmed',
        officialReportNumber: 'PV-2026-CASA-118',
        confirmation: { by: 'a.benali' },
      },
    });
    expect(
      (
        await call(casa, 'POST', `/api/cases/${caseId}/confirm`, {
          checklist: {
            minor: true,
            riskToLife: true,
            enoughDescription: true,
            parentsAgreePublication: true,
          },
        })
      ).statusCode,
    ).toBe(409);
    const outbox = (
      await h.app.http.inject({
        method: 'GET',
        url: `/dev/outbox?to=${encodeURIComponent(family)}`,
      })
    ).json<{ messages: Array<{ text: string }> }>().messages;
    expect(outbox.at(-1)?.text).toBe(
      sentence(h.app, 'fr', 'common:officer.confirmed', { reference }),
    );
  });

  it('roles: an officer cannot reassign or read the audit (404, logged); a supervisor can; the chain verifies', async () => {
    expect(
      (await call(casa, 'POST', `/api/cases/${caseId}/reassign`, { username: 'agent.3' }))
        .statusCode,
    ).toBe(404);
    expect((await call(casa, 'GET', `/api/cases/${caseId}/audit`)).statusCode).toBe(404);
    expect(
      (
        await call(casaSupervisor, 'POST', `/api/cases/${caseId}/reassign`, { username: 'agent.3' })
      ).json(),
    ).toMatchObject({ case: { assignedTo: 'agent.3' } });
    const entries = (await call(casaSupervisor, 'GET', `/api/cases/${caseId}/audit`)).json<{
      entries: Array<{ action: string }>;
    }>().entries;
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'case.created',
        'case.viewed',
        'case.claim',
        'case.completed',
        'case.confirm',
        'case.reassigned',
      ]),
    );
    expect(await h.app.audit.verify()).toMatchObject({ ok: true });
  });

  it('resolving tells the family the child was found, in their language', async () => {
    const resolved = await call(casa, 'POST', `/api/cases/${caseId}/resolve`, {
      reason: 'found_safe',
    });
    expect(resolved.json()).toMatchObject({
      case: { status: 'resolved', closure: { reason: 'found_safe', by: 'a.benali' } },
    });
    const outbox = (
      await h.app.http.inject({
        method: 'GET',
        url: `/dev/outbox?to=${encodeURIComponent(family)}`,
      })
    ).json<{ messages: Array<{ text: string }> }>().messages;
    expect(outbox.at(-1)?.text).toContain(sentence(h.app, 'fr', 'common:reasons.found_safe'));
  });

  it('rejects a report with a reason the family reads', async () => {
    const otherFamily = '+212600000802';
    const otherReference = await submitReport(h.app, otherFamily);
    const otherId = await caseIdOf(otherReference);
    const rejected = await call(casa, 'POST', `/api/cases/${otherId}/reject`, {
      reason: 'duplicate',
    });
    expect(rejected.json()).toMatchObject({ case: { status: 'rejected' } });
    const outbox = (
      await h.app.http.inject({
        method: 'GET',
        url: `/dev/outbox?to=${encodeURIComponent(otherFamily)}`,
      })
    ).json<{ messages: Array<{ text: string }> }>().messages;
    expect(outbox.at(-1)?.text).toContain(sentence(h.app, 'fr', 'common:reasons.duplicate'));
  });
});

describe('release, notes and the photo', () => {
  it('releases a claimed case back to the queue, keeps notes, and serves the photo only to its region', async () => {
    const from = '+212600000803';
    await sayAll(h.app, from, UP_TO_PHOTO);
    await say(h.app, from, { image: { mimeType: 'image/png', dataBase64: PNG_1PX } });
    for (const text of ['passer', 'passer', 'passer', 'passer', 'passer', "aujourd'hui 15h"])
      await say(h.app, from, text);
    await say(h.app, from, { location: { latitude: 33.59, longitude: -7.6 } });
    for (const text of [
      'Elle est sortie acheter du pain.',
      'non',
      'non',
      'passer',
      'passer',
      'passer',
      'passer',
      'passer',
      'non',
      'OK',
    ]) {
      await say(h.app, from, text);
    }
    const caseId =
      (
        await h.connection
          .collection<{ _id: string }>('cases')
          .findOne({ 'reporter.address': from })
      )?._id ?? '';

    const photo = await call(casa, 'GET', `/api/cases/${caseId}/photo`);
    expect(photo.statusCode).toBe(200);
    // The family's PNG, decoded and re-encoded: a 1×1 JPEG, never the bytes received.
    expect(photo.headers['content-type']).toBe('image/jpeg');
    expect(photo.rawPayload).not.toEqual(Buffer.from(PNG_1PX, 'base64'));
    expect(await sharp(photo.rawPayload).metadata()).toMatchObject({
      format: 'jpeg',
      width: 1,
      height: 1,
    });
    expect((await call(rabat, 'GET', `/api/cases/${caseId}/photo`)).statusCode).toBe(404);
    expect((await call(null, 'GET', `/api/cases/${caseId}/photo`)).statusCode).toBe(401);

    expect((await call(casa, 'POST', `/api/cases/${caseId}/claim`, {})).statusCode).toBe(200);
    expect(
      (
        await call(casa, 'POST', `/api/cases/${caseId}/notes`, {
          text: 'Appeler l’école demain matin',
        })
      ).statusCode,
    ).toBe(201);
    const released = await call(casa, 'POST', `/api/cases/${caseId}/release`, {});
    expect(released.json()).toMatchObject({
      case: {
        status: 'pending',
        assignedTo: null,
        notes: [{ text: 'Appeler l’école demain matin', officer: 'a.benali' }],
      },
    });
    const pending = (await call(casa, 'GET', '/api/cases')).json<{ cases: Array<{ id: string }> }>()
      .cases;
    expect(pending.map((c) => c.id)).toContain(caseId);
    expect((await call(casa, 'POST', `/api/cases/${caseId}/release`, {})).statusCode).toBe(409);
  });
});

describe('behind a TLS-terminating proxy', () => {
  it('marks the session cookie Secure', async () => {
    const behindProxy = await createTestApp({ trustProxy: true });
    try {
      await behindProxy.app.officers.create({
        username: 'tls.officer',
        password: PASSWORD,
        role: 'officer',
        region: 'oriental',
      });
      const response = await behindProxy.app.http.inject({
        method: 'POST',
        url: '/api/session',
        payload: { username: 'tls.officer', password: PASSWORD },
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(String(response.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await behindProxy.close();
    }
  });
});

describe('docs', () => {
  it('serves the OpenAPI description', async () => {
    const docs = (await h.app.http.inject({ method: 'GET', url: '/docs' })).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(docs.openapi).toBe('3.1.0');
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining([
        '/api/session',
        '/api/cases/{id}/claim',
        '/dev/messages',
        '/api/cases/{id}/alerts',
        '/api/alerts/{id}/approve',
        '/api/cases/{id}/sightings',
        '/alerts/{id}.cap',
        '/alerts/feed.xml',
      ]),
    );
  });
});
