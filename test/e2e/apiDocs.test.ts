import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The API documentation in a real browser: the Swagger UI must render the
 * generated document under its content security policy, with nothing
 * refused and nothing fetched from another origin.
 */
let h: TestApp;
let browser: Browser;
let baseUrl = '';

beforeAll(async () => {
  h = await createTestApp();
  baseUrl = await h.app.http.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the API documentation page', () => {
  it('renders every documented operation, loading only from the service', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const origins = new Set<string>();
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    await page.goto(`${baseUrl}/docs`);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'Tifli API' }).waitFor();
    await page.locator('.opblock').first().waitFor();
    const documented = (await h.app.http.inject({ url: '/docs/json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const operations = Object.values(documented.paths).flatMap((ops) => Object.keys(ops)).length;
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(problems).toEqual([]);
    expect([...origins]).toEqual([new URL(baseUrl).origin]);
    await page.close();
  });
});
