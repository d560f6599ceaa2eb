import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { type Outgoing, PNG_1PX, say } from '../support/chat.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The officers' console in a real browser, on the real app and a real
 * database: an officer signs in, a family reports through the dev channel,
 * the case appears live, the officer claims it, talks with the family and
 * confirms it. The child's name is markup on purpose: it must stay text.
 */

const root = join(import.meta.dirname, '..', '..');
const screenshots = join(root, 'artifacts', 'screenshots');
const FAMILY = '+212600000201';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const OFFICER = { username: 'a.benali', password: 'Sable-Chergui-Minaret-2719' };
const SUPERVISOR = { username: 's.alaoui', password: 'Noria-Tafilalet-Kasbah-4086' };
const COLLEAGUE = { username: 'k.tazi', password: 'Argan-Sirocco-Medina-5531' };
const WAIT = { timeout: 15_000 };

/** The French report of test/conversation/reportTranscripts.test.ts, with a hostile child name. */
const reportSteps: Outgoing[] = [
  'Bonjour, mon fils a disparu, aidez moi svp',
  'oui',
  '1',
  'Karima Bennani',
  HOSTILE_NAME,
  'garçon',
  'sept ans',
  { image: { mimeType: 'image/png', dataBase64: PNG_1PX } },
  '1m20',
  'mince',
  'cheveux noirs courts',
  'passer',
  't-shirt rouge, jean bleu, baskets blanches',
  "aujourd'hui 15h",
  { location: { latitude: 33.5731, longitude: -7.5898, name: 'Place Mohammed V' } },
  "Il jouait au ballon devant l'immeuble pendant que je faisais les courses.",
  'non',
  'non',
  'le football et les jeux vidéo',
  'passer',
  'chez son cousin à Hay Riad, le terrain de foot du quartier',
  'Adam et Rayan, de sa classe',
  'asthme, il a besoin de son inhalateur',
  'non',
];

let harness: TestApp | undefined;
let browser: Browser | undefined;
let baseUrl = '';

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  harness = await createTestApp();
  await harness.app.officers.create({
    username: OFFICER.username,
    password: OFFICER.password,
    role: 'officer',
    region: 'casablanca-settat',
  });
  baseUrl = await harness.app.http.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().textContent()) ?? '';
}

async function statusOf(page: Page): Promise<string | null> {
  return page.getByTestId('case-status').getAttribute('data-status');
}

describe('the officers console', () => {
  it('takes a reported case from the live queue to confirmation, in French and Arabic', async () => {
    if (!harness || !browser) throw new Error('set-up failed');
    const { app } = harness;
    const context = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 1366, height: 900 },
    });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const pageErrors: string[] = [];
    const consoleErrors: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    // The page is served with its strict policy.
    const response = await page.goto(`${baseUrl}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByTestId('login-submit').waitFor(WAIT);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.getAttribute('html', 'dir')).toBe('ltr');

    // A wrong password is refused, in a visible and localized message.
    await page.getByTestId('login-username').fill(OFFICER.username);
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('error-message').waitFor(WAIT);
    expect(await textOf(page, 'error-message')).toContain('Identifiant ou mot de passe incorrect');

    // Signed in: the queue is empty.
    await page.getByTestId('login-username').fill(OFFICER.username);
    await page.getByTestId('login-password').fill(OFFICER.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('queue-empty').waitFor(WAIT);
    expect(await textOf(page, 'officer')).toContain(OFFICER.username);
    await page.locator('[data-testid="live"].live-connected').waitFor(WAIT);

    // A family reports; the case appears without a reload, the name as literal text.
    for (const step of reportSteps) await say(app, FAMILY, step);
    const done = await say(app, FAMILY, 'OK');
    const reference = /TF-\d{4}-\d{6}/.exec(done.join('\n'))?.[0];
    if (!reference) throw new Error(`the report was not submitted: ${done.join(' | ')}`);
    const row = page.getByTestId(`queue-row-${reference}`);
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain(HOSTILE_NAME);
    expect(await row.locator('.priority').getAttribute('data-level')).toBe('critical');
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.screenshot({ path: join(screenshots, 'queue-fr.png'), fullPage: true });

    // The officer opens it: every answer, the photo (same origin, with the session), the map.
    await row.click();
    await page.getByTestId('case-status').waitFor(WAIT);
    expect(await statusOf(page)).toBe('pending');
    expect(await textOf(page, 'child-name')).toContain(HOSTILE_NAME);
    // Reassigning is for supervisors: a plain officer does not get the control.
    await page.getByTestId('section-actions').waitFor(WAIT);
    expect(await page.getByTestId('reassign-username').count()).toBe(0);
    expect(await page.getByTestId('reassign-submit').count()).toBe(0);
    const details = await page.getByTestId('case-view').textContent();
    for (const answer of [
      'Karima Bennani',
      't-shirt rouge, jean bleu, baskets blanches',
      'Place Mohammed V',
      'le football et les jeux vidéo',
      'Adam et Rayan, de sa classe',
      'asthme, il a besoin de son inhalateur',
      '120 cm',
      FAMILY,
    ]) {
      expect(details).toContain(answer);
    }
    await expect
      .poll(
        () =>
          page
            .getByTestId('case-photo')
            .evaluate((image) => Number(Reflect.get(image, 'naturalWidth')) > 0),
        WAIT,
      )
      .toBe(true);
    const map = page.getByTestId('map-link');
    expect(await map.getAttribute('href')).toMatch(/^https:\/\/www\.openstreetmap\.org\//);
    expect(await map.getAttribute('target')).toBe('_blank');
    expect(await map.getAttribute('rel')).toBe('noopener noreferrer');

    // Claim.
    await page.getByTestId('claim').click();
    await expect.poll(() => statusOf(page), WAIT).toBe('in_review');
    expect(await textOf(page, 'case-assigned')).toBe(OFFICER.username);

    // The officer writes to the family: it reaches their WhatsApp (the dev outbox).
    const question = 'Bonjour Madame Bennani, avez-vous une photo plus récente de Yassine ?';
    await page.getByTestId('message-text').fill(question);
    await page.getByTestId('message-send').click();
    await expect.poll(() => textOf(page, 'conversation'), WAIT).toContain(question);
    await expect
      .poll(async () => {
        const outbox = await app.http.inject({
          method: 'GET',
          url: `/dev/outbox?to=${encodeURIComponent(FAMILY)}`,
        });
        return outbox.json<{ messages: Array<{ text: string }> }>().messages.map((m) => m.text);
      }, WAIT)
      .toEqual(expect.arrayContaining([expect.stringContaining(question)]));

    // The family answers; it appears live in the conversation, after the question.
    const answer = 'Oui, je vous en envoie une ce soir. Il porte aussi une casquette bleue.';
    await say(app, FAMILY, answer);
    await expect.poll(() => textOf(page, 'conversation'), WAIT).toContain(answer);
    const conversation = await textOf(page, 'conversation');
    expect(conversation.indexOf(question)).toBeLessThan(conversation.indexOf(answer));
    expect(
      await page
        .locator('[data-testid="conversation"] .message')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-from'))),
    ).toEqual(['officer', 'family']);
    await page.screenshot({ path: join(screenshots, 'case-fr.png'), fullPage: true });

    // Confirm: the button waits for the four boxes.
    const confirm = page.getByTestId('confirm-submit');
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId('confirm-minor').check();
    await page.getByTestId('confirm-risk').check();
    await page.getByTestId('confirm-description').check();
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId('confirm-agreement').check();
    expect(await confirm.isDisabled()).toBe(false);
    await confirm.click();
    await expect.poll(() => statusOf(page), WAIT).toBe('confirmed');
    expect(await textOf(page, 'case-status')).toBe('Confirmé');
    const stored = await harness.connection.collection('cases').findOne({ reference });
    expect(stored?.status).toBe('confirmed');

    // Arabic, right to left, with the same data.
    await page.getByTestId('lang-ar').click();
    await expect.poll(() => page.getAttribute('html', 'dir'), WAIT).toBe('rtl');
    expect(await page.getAttribute('html', 'lang')).toBe('ar');
    expect(await textOf(page, 'case-status')).toBe('مؤكد');
    expect(await textOf(page, 'child-name')).toContain(HOSTILE_NAME);
    await page.screenshot({ path: join(screenshots, 'case-ar.png'), fullPage: true });

    await page.getByTestId('back').click();
    await page.getByTestId('tab-confirmed').click();
    await page.getByTestId(`queue-row-${reference}`).waitFor(WAIT);
    expect(await page.getByTestId(`queue-row-${reference}`).textContent()).toContain(HOSTILE_NAME);
    await page.screenshot({ path: join(screenshots, 'queue-ar.png'), fullPage: true });

    // Darija is right to left too, with its own words.
    await page.getByTestId('lang-ary').click();
    await expect.poll(() => page.getAttribute('html', 'lang'), WAIT).toBe('ary');
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    expect(await textOf(page, 'tab-pending')).toBe('كيتسنّا');

    // Nothing ran that should not have: no dialog, no script error, no policy violation.
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
    await context.close();
  }, 180_000);

  it('lets a supervisor reassign a case to a colleague of the region', async () => {
    if (!harness || !browser) throw new Error('set-up failed');
    const { app } = harness;
    for (const [who, role] of [
      [SUPERVISOR, 'supervisor'],
      [COLLEAGUE, 'officer'],
    ] as const) {
      await app.officers.create({ ...who, role, region: 'casablanca-settat' });
    }
    const reference = await submitReport(app, '+212600000202');
    const context = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 1366, height: 900 },
    });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await page.goto(`${baseUrl}/`);
    await page.getByTestId('login-username').fill(SUPERVISOR.username);
    await page.getByTestId('login-password').fill(SUPERVISOR.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`queue-row-${reference}`).click();
    await page.getByTestId('case-status').waitFor(WAIT);

    // Someone who does not exist (typed as markup): refused, in words, and kept as text.
    await page.getByTestId('reassign-username').fill(HOSTILE_NAME);
    await page.getByTestId('reassign-submit').click();
    await page.getByTestId('error-message').waitFor(WAIT);
    expect(await textOf(page, 'error-message')).toContain('Aucun officier de la région du dossier');
    expect(await page.getByTestId('reassign-username').inputValue()).toBe(HOSTILE_NAME);
    expect(await page.locator('img[src="x"]').count()).toBe(0);

    // The colleague: the case is theirs now.
    await page.getByTestId('reassign-username').fill(COLLEAGUE.username);
    await page.getByTestId('reassign-submit').click();
    await page.getByTestId('success-message').waitFor(WAIT);
    expect(await textOf(page, 'success-message')).toContain(
      `Dossier réattribué à ${COLLEAGUE.username}`,
    );
    await expect.poll(() => textOf(page, 'case-assigned'), WAIT).toBe(COLLEAGUE.username);
    expect(await page.getByTestId('reassign-username').inputValue()).toBe('');
    const stored = await harness.connection.collection('cases').findOne({ reference });
    expect(stored?.assignedTo).toBe(COLLEAGUE.username);
    expect(dialogs).toEqual([]);
    await context.close();
  }, 120_000);
});
