import { type Browser, chromium } from 'playwright-core';
import { HEADLESS_CHROMIUM_ARGS } from '../../chromium.js';
import { AppError } from '../../core/errors.js';
import type { Translator } from '../../core/i18n/translator.js';
import type { Logger } from '../../logger.js';
import { POSTER_SIZE, type PosterInput, posterHtml } from './posterHtml.js';

export { POSTER_SIZE, type PosterInput, posterHtml } from './posterHtml.js';

/** How long one step (launch, layout, screenshot) may take before the render fails. */
const STEP_TIMEOUT_MS = 20_000;

/** What a {@link PosterRenderer} needs. */
export interface PosterRendererOptions {
  /** Chromium's binary (config `CHROMIUM_PATH`, Debian's /usr/bin/chromium by default). */
  executablePath: string;
  translator: Translator;
  /** Start-up and crash lines only; posters carry a child's data and are never logged. */
  logger?: Logger;
}

/**
 * Draws alert posters (PNG) with one headless Chromium, started at the first
 * render and shared by all later ones. Each render gets its own browser
 * context with JavaScript off and every network request aborted, since the
 * page is self-contained (see {@link posterHtml}); renders may run in parallel.
 */
export class PosterRenderer {
  private browser: Promise<Browser> | undefined;

  constructor(private readonly options: PosterRendererOptions) {}

  /** The poster as a PNG of {@link POSTER_SIZE}; `AppError('internal')` if Chromium cannot start. */
  async render(input: PosterInput): Promise<Buffer> {
    const html = posterHtml(input, this.options.translator);
    const browser = await this.launched();
    const context = await browser.newContext({
      viewport: { ...POSTER_SIZE },
      deviceScaleFactor: 1,
      javaScriptEnabled: false,
      offline: true,
    });
    try {
      // The photo is a data: URL, which is never routed; anything else would
      // be a request the page should not make.
      await context.route('**/*', (route) => route.abort());
      const page = await context.newPage();
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      await page.setContent(html, { waitUntil: 'load' });
      return await page.screenshot({ type: 'png', fullPage: false, animations: 'disabled' });
    } finally {
      await context.close();
    }
  }

  /** Closes Chromium if it was started; a later render starts it again. */
  async close(): Promise<void> {
    const pending = this.browser;
    this.browser = undefined;
    if (!pending) return;
    const browser = await pending.catch(() => undefined);
    await browser?.close();
  }

  /** The shared browser; concurrent first renders wait for the same launch. */
  private launched(): Promise<Browser> {
    if (!this.browser) {
      const launching = this.launch();
      this.browser = launching;
      // Neither a failed launch nor a browser that exited is remembered, so
      // the next render starts a fresh one (the operator may have fixed it).
      const forget = () => {
        if (this.browser === launching) this.browser = undefined;
      };
      launching.then((browser) => browser.on('disconnected', forget), forget);
    }
    return this.browser;
  }

  private async launch(): Promise<Browser> {
    const { executablePath, logger } = this.options;
    try {
      const browser = await chromium.launch({
        executablePath,
        args: [...HEADLESS_CHROMIUM_ARGS],
        headless: true,
        timeout: STEP_TIMEOUT_MS,
      });
      logger?.info({ version: browser.version() }, 'poster: chromium started');
      browser.on('disconnected', () => logger?.info('poster: chromium stopped'));
      return browser;
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      logger?.error({ executablePath, reason }, 'poster: chromium did not start');
      throw new AppError(
        'internal',
        `Chromium could not start from ${executablePath} (set CHROMIUM_PATH or install Debian's chromium): ${reason}`,
      );
    }
  }
}
