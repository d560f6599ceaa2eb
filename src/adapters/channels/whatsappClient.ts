import type { Message } from 'whatsapp-web.js';
import wweb from 'whatsapp-web.js';
import { HEADLESS_CHROMIUM_ARGS } from '../../chromium.js';
import type { MediaFactory, WhatsAppClientLike, WhatsAppMessageLike } from './whatsappAdapter.js';

const { Client, LocalAuth, MessageMedia } = wweb;

export interface WhatsAppClientOptions {
  /** Where the linked-device session is kept, so a restart needs no new QR scan. */
  sessionDir: string;
  /** The system's Chromium (puppeteer's own download is skipped). */
  chromiumPath: string;
}

type Holds<T extends true> = T;

/**
 * Fails to compile when the library's `Message` stops offering what the
 * adapter reads from it (the client itself is checked with `satisfies` below).
 */
export type LibraryMessageFits = Holds<Message extends WhatsAppMessageLike ? true : false>;

/**
 * Builds the real whatsapp-web.js client, not started: the adapter's
 * `start()` initializes it.
 */
export function createWhatsAppClient(options: WhatsAppClientOptions): {
  client: WhatsAppClientLike;
  mediaFactory: MediaFactory;
} {
  const client = new Client({
    authStrategy: new LocalAuth({ dataPath: options.sessionDir }),
    puppeteer: {
      executablePath: options.chromiumPath,
      headless: true,
      // A WhatsApp Web session is long-lived: /dev/shm in containers is too small for it.
      args: [...HEADLESS_CHROMIUM_ARGS, '--disable-dev-shm-usage'],
    },
  });
  return {
    client: client satisfies WhatsAppClientLike,
    // The library sends only real MessageMedia instances (it checks instanceof).
    mediaFactory: (mimeType, dataBase64) => new MessageMedia(mimeType, dataBase64, 'photo'),
  };
}
