import { afterEach, describe, expect, it } from 'vitest';
import { INTAKE_LIMITS } from '../../src/core/case/intakeLimits.js';
import { say, sentence } from '../support/chat.js';
import { api, caseIdOf, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

interface QueueLine {
  id: string;
  reference: string;
  flags: string[];
  priority: { level: string; score: number };
}

async function queueOf(h: TestApp): Promise<QueueLine[]> {
  const admin = await signIn(h.app, `admin.${Date.now()}`, 'admin', 'casablanca-settat');
  const response = await api(h.app, admin, 'GET', '/api/cases');
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ cases: QueueLine[] }>().cases;
}

/** The same number files one more report: "start again", then the answers (as in submitReport). */
async function fileAnotherReport(h: TestApp, from: string): Promise<string> {
  const steps = [
    'recommencer',
    'oui',
    '1',
    'Karima Bennani',
    'Yassine Bennani',
    'garçon',
    '7',
    'passer',
    '1m20',
    'mince',
    'cheveux noirs courts',
    'passer',
    't-shirt rouge, jean bleu',
    "aujourd'hui 15h",
    { location: { latitude: 33.5731, longitude: -7.5898 } },
    "Il jouait au ballon devant l'immeuble.",
    'non',
    'non',
    'le football',
    'passer',
    'chez son cousin',
    'Adam et Rayan',
    'passer',
    'non',
  ] as const;
  for (const step of steps) await say(h.app, from, step);
  const done = await say(h.app, from, 'OK');
  const reference = /TF-\d{4}-\d{6}/.exec(done.join('\n'))?.[0];
  if (!reference) throw new Error(`the report was not submitted: ${done.join(' | ')}`);
  return reference;
}

describe('flood control per number', () => {
  it('200 messages in a burst from one number: 30 handled, one polite "wait", the rest ignored', async () => {
    harness = await createTestApp();
    const { app } = harness;
    const from = '+212600000901';
    await say(app, from, 'Bonjour, mon fils a disparu', 'burst-0');
    // Sent as a phone would while someone holds a key down: 199 more, 20 at a time.
    const replies: string[][] = [];
    for (let batch = 0; batch < 10; batch++) {
      const sent = Array.from({ length: 20 }, (_, i) => batch * 20 + i + 1)
        .filter((n) => n < 200)
        .map((n) => say(app, from, `message ${n}`, `burst-${n}`));
      replies.push(...(await Promise.all(sent)));
    }
    const wait = sentence(app, 'fr', 'resilience:slow_down');
    const answered = replies.filter((texts) => texts.length > 0 && texts[0] !== wait);
    const waits = replies.filter((texts) => texts.length === 1 && texts[0] === wait);
    const ignored = replies.filter((texts) => texts.length === 0);
    // The first message of the burst was the 1st of the minute; 29 more are handled.
    expect(answered).toHaveLength(INTAKE_LIMITS.messagesPerMinute - 1);
    expect(waits).toHaveLength(1);
    expect(ignored).toHaveLength(199 - INTAKE_LIMITS.messagesPerMinute);
    expect(harness.logs.join('')).toContain('number slowed down');
    expect(harness.logs.join('')).not.toContain('600000901');

    // A minute later the number is heard again.
    harness.clock.advance(61_000);
    expect(await say(app, from, 'recommencer', 'after-burst')).not.toEqual([]);
  });

  it('5 reports in a row: all accepted, flagged, and ranked after a real case of equal priority', async () => {
    harness = await createTestApp();
    const { app } = harness;
    const flooder = '+212600000902';
    const references: string[] = [];
    for (let i = 0; i < 5; i++) {
      // Each report is under the message rate: only the number of reports is at stake.
      harness.clock.advance(61_000);
      references.push(
        i === 0
          ? await submitReport(app, flooder, { childName: 'Enfant Numéro0' })
          : await fileAnotherReport(harness, flooder),
      );
    }
    expect(new Set(references).size).toBe(5);
    harness.clock.advance(61_000);
    // A real family files the same kind of report afterwards: same age, place, time seen.
    const real = await submitReport(app, '+212600000903', { childName: 'Yassine Bennani' });

    const queue = await queueOf(harness);
    const flooderIds = await Promise.all(references.map((reference) => caseIdOf(app, reference)));
    const realId = await caseIdOf(app, real);
    const line = (id: string) => queue.find((entry) => entry.id === id);
    // Nothing is lost: every report is in the queue.
    for (const id of [...flooderIds, realId]) expect(line(id)).toBeDefined();
    // The number's reports are all flagged once it went over 3 in 24 h; the real one is not.
    for (const id of flooderIds) expect(line(id)?.flags).toEqual(['flood']);
    expect(line(realId)?.flags).toEqual([]);
    // Same triage level, yet the real case comes first although it waited less.
    expect(line(flooderIds[0] ?? '')?.priority.level).toBe(line(realId)?.priority.level);
    const position = (id: string) => queue.findIndex((entry) => entry.id === id);
    for (const id of flooderIds) expect(position(realId)).toBeLessThan(position(id));

    // The case view shows the flag too.
    const admin = await signIn(app, 'admin.case', 'admin', 'casablanca-settat');
    const detail = await api(app, admin, 'GET', `/api/cases/${flooderIds[4]}`);
    expect(detail.json<{ case: { flags: string[] } }>().case.flags).toEqual(['flood']);
  });
});
