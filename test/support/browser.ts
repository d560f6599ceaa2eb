import { type Browser, chromium } from 'playwright-core';
import { HEADLESS_CHROMIUM_ARGS } from '../../src/chromium.js';

/** Debian's Chromium for the console's browser tests (never a downloaded browser). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...HEADLESS_CHROMIUM_ARGS, '--disable-quic'],
  });
}
