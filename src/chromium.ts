/**
 * Flags for Debian's Chromium run headless by the service (posters,
 * whatsapp-web.js) and the browser tests: no sandbox (containers and root
 * have no user namespaces), and none of the background traffic a desktop
 * browser starts on its own (there is no internet to reach here anyway).
 */
export const HEADLESS_CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
