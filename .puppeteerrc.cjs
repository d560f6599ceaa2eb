/**
 * whatsapp-web.js depends on puppeteer, whose install step would download a
 * browser. Tifli uses the system's Chromium instead (CHROMIUM_PATH, default
 * /usr/bin/chromium), so the download is skipped.
 */
module.exports = { skipDownload: true };
