import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { type Outgoing, say } from '../support/chat.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The alert part of the officers' console in a real browser, on the real app
 * and a real database: an officer confirms a reported case and proposes an
 * alert (editing the French text), a supervisor approves it in another
 * browser, the broadcast reaches the citizens subscribed near the place, and
 * a citizen's sighting appears live in the officer's page.
 */

const root = join(import.meta.dirname, '..', '..');
const screenshots = join(root, 'artifacts', 'screenshots');
const FAMILY = '+212600000401';
/** Citizens subscribed around central Casablanca, inside the first 20 km stage. */
const CITIZENS = ['+212600000411', '+212600000412', '+212600000413'];
const OFFICER = { username: 'n.idrissi', password: 'Tanja-Oudaya-Zellige-3381' };
const SUPERVISOR = { username: 'm.chraibi', password: 'Ifrane-Cedre-Tagine-7720' };
const WAIT = { timeout: 20_000 };
/** The sighting's words: markup on purpose, it must stay text. */
const SIGHTING_TEXT =
  'Un garçon en t-shirt rouge avec un homme <img src=x onerror=alert(1)>, vers la gare';

let harness: TestApp | undefined;
let browser: Browser | undefined;
let baseUrl = '';

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  harness = await createTestApp();
  await harness.app.officers.create({ ...OFFICER, role: 'officer', region: 'casablanca-settat' });
  await harness.app.officers.create({
    ...SUPERVISOR,
    role: 'supervisor',
    region: 'casablanca-settat',
  });
  baseUrl = await harness.app.http.listen({ port: 0, host: '127.0.0.1' });
  // As in src/main.ts: the broadcast worker sends in the background.
  harness.app.broadcast.start();
  browser = await launchBrowser();
});

afterAll(async () => {
  await harness?.app.broadcast.stop();
  await browser?.close();
  await harness?.close();
});

async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().textContent()) ?? '';
}

async function signIn(
  context: BrowserContext,
  who: { username: string; password: string },
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-username').fill(who.username);
  await page.getByTestId('login-password').fill(who.password);
  await page.getByTestId('login-submit').click();
  await page.locator('[data-testid="live"].live-connected').waitFor(WAIT);
  return page;
}

async function outbox(app: TestApp['app'], to: string): Promise<string[]> {
  const response = await app.http.inject({
    method: 'GET',
    url: `/dev/outbox?to=${encodeURIComponent(to)}`,
  });
  return response.json<{ messages: Array<{ text: string }> }>().messages.map((m) => m.text);
}

describe('alerts in the officers console', () => {
  it('goes from a confirmed case to an approved broadcast and a live sighting', async () => {
    if (!harness || !browser) throw new Error('set-up failed');
    const { app } = harness;

    // Citizens subscribe through WhatsApp (the dev channel), with a pin near the place.
    const subscribeSteps: Outgoing[] = [
      'alertes',
      '2',
      { location: { latitude: 33.58, longitude: -7.6 } },
      'ok',
      'oui',
      'ok',
    ];
    for (const citizen of CITIZENS) {
      const transcript: string[] = [];
      for (const step of subscribeSteps) transcript.push(...(await say(app, citizen, step)));
      expect(transcript.at(-1), transcript.join('\n---\n')).toContain("C'est fait");
    }

    const reference = await submitReport(app, FAMILY);
    const stored = await harness.connection.collection('cases').findOne({ reference });
    const caseId = String(stored?._id);

    const officerContext = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 1366, height: 900 },
    });
    const supervisorContext = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 1366, height: 900 },
    });
    const pageErrors: string[] = [];
    const dialogs: string[] = [];
    const watch = (page: Page) => {
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
    };

    // The officer claims and confirms the case in the console.
    const page = await signIn(officerContext, OFFICER);
    watch(page);
    await page.getByTestId(`queue-row-${reference}`).click();
    await page.getByTestId('claim').click();
    await expect
      .poll(() => page.getByTestId('case-status').getAttribute('data-status'), WAIT)
      .toBe('in_review');
    // Nothing to propose before the case is confirmed.
    expect(await page.getByTestId('alert-propose').count()).toBe(0);
    for (const box of ['minor', 'risk', 'description', 'agreement']) {
      await page.getByTestId(`confirm-${box}`).check();
    }
    await page.getByTestId('confirm-submit').click();
    await expect
      .poll(() => page.getByTestId('case-status').getAttribute('data-status'), WAIT)
      .toBe('confirmed');

    // Proposing: the form comes prefilled from the preview.
    await page.getByTestId('alert-propose').click();
    await page.getByTestId('alert-form').waitFor(WAIT);
    expect(Number(await page.getByTestId('alert-centre-lat').inputValue())).toBeCloseTo(33.5731, 3);
    expect(await page.getByTestId('alert-stage-0-minutes').inputValue()).toBe('0');
    expect(await page.getByTestId('alert-stage-2-radius').inputValue()).toBe('160');
    expect(await page.getByTestId('alert-window').inputValue()).toBe('6');

    // The public content holds the first name and the description, never the rest.
    const projection = await textOf(page, 'alert-projection');
    expect(projection).toContain('Yassine');
    expect(projection).toContain('t-shirt rouge, jean bleu');
    for (const secret of ['Bennani', 'le football', 'chez son cousin', 'Adam et Rayan', FAMILY]) {
      expect(projection).not.toContain(secret);
    }

    // Each language is reviewed in its own direction.
    await page.getByTestId('alert-text-tab-ar').click();
    const arabic = page.getByTestId('alert-text-ar');
    expect(await arabic.getAttribute('dir')).toBe('rtl');
    expect(await arabic.getAttribute('lang')).toBe('ar');
    expect((await arabic.inputValue()).length).toBeGreaterThan(20);
    await page.getByTestId('alert-text-tab-ary').click();
    expect(await page.getByTestId('alert-text-ary').getAttribute('dir')).toBe('rtl');
    await page.getByTestId('alert-text-tab-fr').click();
    const french = page.getByTestId('alert-text-fr');
    expect(await french.getAttribute('dir')).toBe('ltr');
    const prefilled = await french.inputValue();
    expect(prefilled).toContain('Yassine');
    for (const secret of ['Bennani', 'football', 'cousin']) expect(prefilled).not.toContain(secret);

    // A phone number in a text is refused, in words, next to the form.
    await french.fill(`${prefilled}\nContact : 06 61 23 45 67`);
    await page.getByTestId('alert-submit').click();
    await page.getByTestId('alert-error').waitFor(WAIT);
    expect(await textOf(page, 'alert-error')).toContain('numéro de téléphone');
    // The server's own sentence shows too (a text too short to be an alert).
    await french.fill('Trop court');
    await page.getByTestId('alert-submit').click();
    await expect.poll(() => textOf(page, 'alert-error'), WAIT).toContain('La demande est invalide');
    expect(await textOf(page, 'alert-error')).toContain('texts.fr');

    // The edited text, previewed as the citizen will read it, is what gets proposed.
    const edited = `${prefilled}\nMerci de partager ce message autour de vous.`;
    await french.fill(edited);
    expect(await textOf(page, 'alert-text-preview')).toBe(edited);
    await page.getByTestId('alert-submit').click();
    const open = page.getByTestId('alert-open');
    await expect.poll(() => open.getAttribute('data-state'), WAIT).toBe('proposed');
    await page.getByTestId('alert-waiting-approval').waitFor(WAIT);
    expect(await page.getByTestId('alert-approve').count()).toBe(0);
    const proposed = await harness.connection.collection('alerts').findOne({ caseId });
    expect(proposed?.texts?.fr).toBe(edited.trim());
    expect(proposed?.state).toBe('proposed');

    // The supervisor, in another browser, approves it after a confirmation.
    const supervisorPage = await signIn(supervisorContext, SUPERVISOR);
    watch(supervisorPage);
    await supervisorPage.goto(`${baseUrl}/#/case/${encodeURIComponent(caseId)}`);
    await supervisorPage.getByTestId('alert-approve').click();
    await supervisorPage.getByTestId('alert-confirm').waitFor(WAIT);
    expect(await supervisorPage.getByTestId('alert-open').getAttribute('data-state')).toBe(
      'proposed',
    );
    await supervisorPage.getByTestId('alert-confirm-yes').click();
    await expect
      .poll(() => supervisorPage.getByTestId('alert-open').getAttribute('data-state'), WAIT)
      .toBe('active');

    // The officer's page follows live: the alert is on, and the messages go out.
    await expect.poll(() => open.getAttribute('data-state'), WAIT).toBe('active');
    await expect
      .poll(() => page.getByTestId('case-status').getAttribute('data-status'), WAIT)
      .toBe('alert_active');
    // The "waiting for approval" line is gone with the state it spoke of.
    expect(await page.getByTestId('success-message').count()).toBe(0);
    await expect
      .poll(() => textOf(page, 'alert-progress-sent'), WAIT)
      .toBe(String(CITIZENS.length));
    expect(await textOf(page, 'alert-progress-failed')).toBe('0');
    expect(await textOf(page, 'alert-current-stage')).toContain('20 km');
    expect(await textOf(page, 'alert-expires')).not.toBe('');
    expect(await page.getByTestId('alert-cap').getAttribute('href')).toMatch(/\/alerts\/.+\.cap$/);
    const poster = await page.getByTestId('alert-poster').getAttribute('href');
    const posterResponse = await page.request.get(new URL(poster ?? '', baseUrl).href);
    expect(posterResponse.headers()['content-type']).toBe('image/png');
    for (const citizen of CITIZENS) {
      expect((await outbox(app, citizen)).join('\n')).toContain('Merci de partager ce message');
    }

    // A citizen who got the alert answers with a sighting; it shows up live, as text,
    // without taking the pen out of the officer's hand.
    await page.getByTestId('message-text').fill('Nous avons du nouveau');
    await page.getByTestId('message-text').focus();
    const witness = CITIZENS[0] ?? '';
    for (const step of [
      "j'ai vu",
      'il y a 10 minutes',
      { location: { latitude: 33.59, longitude: -7.61, name: 'Gare Casa Port' } },
      SIGHTING_TEXT,
      'passer',
      'oui',
    ] satisfies Outgoing[]) {
      await say(app, witness, step);
    }
    const sighting = page.getByTestId('sighting').first();
    await sighting.waitFor(WAIT);
    expect(await sighting.getAttribute('data-new')).toBe('true');
    expect(await sighting.getByTestId('sighting-description').textContent()).toBe(SIGHTING_TEXT);
    expect(await sighting.getByTestId('sighting-call-back').textContent()).toBe(witness);
    expect(await sighting.getByTestId('sighting-distance').textContent()).toMatch(/km/);
    expect(await sighting.getByTestId('sighting-map-link').getAttribute('href')).toMatch(
      /^https:\/\/www\.openstreetmap\.org\/\?mlat=33\.59&mlon=-7\.61/,
    );
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator(':focus').getAttribute('data-testid')).toBe('message-text');
    expect(await page.getByTestId('message-text').inputValue()).toBe('Nous avons du nouveau');
    await page.screenshot({ path: join(screenshots, 'alert-fr.png'), fullPage: true });

    // Arabic, right to left, with the same alert and sighting.
    await page.getByTestId('lang-ar').click();
    await expect.poll(() => page.getAttribute('html', 'dir'), WAIT).toBe('rtl');
    expect(await textOf(page, 'alert-state')).toBe('قيد البث');
    expect(await page.getByTestId('sighting-description').first().textContent()).toBe(
      SIGHTING_TEXT,
    );
    await page.screenshot({ path: join(screenshots, 'alert-ar.png'), fullPage: true });

    // Acknowledged, the highlight goes.
    await page.getByTestId('sightings-seen').click();
    expect(await page.getByTestId('sighting').first().getAttribute('data-new')).toBe('false');

    // The supervisor extends the window; a plain officer has no such control.
    expect(await page.getByTestId('alert-extend').count()).toBe(0);
    const expiresBefore = await textOf(supervisorPage, 'alert-expires');
    await supervisorPage.getByTestId('alert-extend-hours').fill('3');
    await supervisorPage.getByTestId('alert-extend-submit').click();
    await expect.poll(() => textOf(supervisorPage, 'alert-expires'), WAIT).not.toBe(expiresBefore);
    const extended = await harness.connection.collection('alerts').findOne({ caseId });
    expect(extended?.windowHours).toBe(9);

    // The officer cancels it (after a confirmation): ended, and the recipients are told.
    await page.getByTestId('alert-cancel').click();
    await page.getByTestId('alert-confirm-yes').click();
    await expect
      .poll(() => page.locator('[data-alert-id]').first().getAttribute('data-state'), WAIT)
      .toBe('ended');
    await expect
      .poll(() => page.getByTestId('case-status').getAttribute('data-status'), WAIT)
      .toBe('confirmed');
    await expect
      .poll(() => textOf(page, 'alert-progress-closing'), WAIT)
      .toBe(String(CITIZENS.length));
    // The history stays, and a new alert may be proposed.
    await page.getByTestId('alert-propose').waitFor(WAIT);

    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
    await officerContext.close();
    await supervisorContext.close();
  }, 240_000);
});
