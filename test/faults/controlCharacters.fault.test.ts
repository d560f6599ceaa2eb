import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Language } from '../../src/core/nlu/language.js';
import { say } from '../support/chat.js';
import { api, caseIdOf, claimAndConfirm, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * A family typed a child's name with a right-to-left override, a NUL, a
 * bell and zero-width spaces in it; an officer pasted an alert text with
 * bidi isolates. None of it may reach a stored answer, an alert text or a
 * CAP message: they are removed where the text enters.
 */

// Everything the intake removes, and what it keeps (ZWJ in an emoji, newlines).
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/;
const FAMILY = '+212600000701';
let h: TestApp;
let officer: Session;
let supervisor: Session;
let caseId: string;

beforeAll(async () => {
  h = await createTestApp();
  officer = await signIn(h.app, 'm.berrada', 'officer', 'casablanca-settat');
  supervisor = await signIn(h.app, 'h.fassi', 'supervisor', 'casablanca-settat');
  const reference = await submitReport(h.app, FAMILY, {
    childName: 'Yass\u202Eine\u0000 Ben\u200Bna\u0007ni\u2066\u2069',
  });
  caseId = await caseIdOf(h.app, reference);
  await claimAndConfirm(h.app, officer, caseId);
});
afterAll(() => h.close());

describe('control characters typed by a family', () => {
  it('are gone from the stored answer', async () => {
    const stored = await h.app.cases.get(caseId);
    expect(stored?.child.fullName).toBe('Yassine Bennani');
  });

  it('are gone from the alert texts and the CAP message', async () => {
    const preview = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts/preview`, {});
    expect(preview.statusCode, preview.body).toBe(200);
    const texts = preview.json<{ texts: Record<Language, string> }>().texts;
    for (const text of Object.values(texts)) {
      expect(text).toContain('Yassine');
      expect(text).not.toMatch(INVISIBLE);
    }
    // The officer pastes a text with isolates, an override and a BOM of their own.
    const pasted = {
      ...texts,
      fr: `\u2067${texts.fr}\u2069 \u202Etxet\u202C\uFEFF\u0008`,
    };
    const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {
      texts: pasted,
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const alertId = proposed.json<{ alert: { id: string } }>().alert.id;
    const alert = await h.app.alertStore.get(alertId);
    expect(alert?.texts.fr).toBe(`${texts.fr} txet`);
    const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    const cap = await h.app.http.inject({ method: 'GET', url: `/alerts/${alertId}.cap` });
    expect(cap.body).toContain('Yassine');
    expect(cap.body).not.toMatch(INVISIBLE);
  });
});

describe('what an officer writes to a family', () => {
  it('is cleaned the same way; what people need stays (newlines, ZWJ in an emoji)', async () => {
    const family = '👨\u200D👩\u200D👧';
    const sent = await api(h.app, officer, 'POST', `/api/cases/${caseId}/messages`, {
      text: `Bonjour\u0000 Madame,\u202E\nnous avons une question ${family}\u200B`,
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const outbox = await h.app.http.inject({
      method: 'GET',
      url: `/dev/outbox?to=${encodeURIComponent(FAMILY)}`,
    });
    const texts = outbox.json<{ messages: Array<{ text: string }> }>().messages.map((m) => m.text);
    const relayed = texts.find((text) => text.includes('nous avons une question')) ?? '';
    expect(relayed).toContain(`Bonjour Madame,\nnous avons une question ${family}`);
    expect(relayed).not.toMatch(INVISIBLE);
  });

  it('a family message relayed to the officer is cleaned before it is stored', async () => {
    await say(h.app, FAMILY, 'Il porte\u0007 un sac \u202Eueleb\u202C');
    const stored = await h.app.cases.get(caseId);
    const last = stored?.messages.at(-1);
    expect(last?.text).toBe('Il porte un sac ueleb');
  });
});
