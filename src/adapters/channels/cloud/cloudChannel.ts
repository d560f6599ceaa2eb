import type { CustomerWindows } from '../../../app/ports/customerWindows.js';
import type { SendJournal } from '../../../app/ports/sendJournal.js';
import type { Translator } from '../../../core/i18n/translator.js';
import type { Logger } from '../../../logger.js';
import { CloudAdapter } from './cloudAdapter.js';
import { GraphClient } from './graphClient.js';
import type { TemplateSettings } from './templateMessage.js';

/**
 * The Cloud API channel's settings, as `src/main.ts` reads them from the
 * configuration (`WHATSAPP_*`) and hands them to `buildApp`. The app secret
 * and the verify token are the webhook's; the rest is the sending side's.
 */
export interface CloudChannelOptions {
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  graphUrl: string;
  graphVersion: string;
  /** Messages per second the number may send. */
  throughput: number;
  /** The messaging-limit tier as configured (null: unlimited); read from Graph when absent. */
  messagingLimit?: number | null | undefined;
  templates: TemplateSettings;
  /** How long a send without an answer waits for a status before it is tried again. */
  unconfirmedGraceMs?: number;
  /** How long a send may wait for Graph's answer before its outcome counts as unknown. */
  timeoutMs?: number;
  /** The pair limit (Meta's: about one message per 6 s to one person, a few at once). */
  pair?: { intervalMs: number; burst: number };
}

/** Builds the Cloud API adapter on the app's stores. */
export function createCloudAdapter(
  options: CloudChannelOptions,
  deps: {
    windows: CustomerWindows;
    journal: SendJournal;
    translator: Translator;
    logger: Logger;
    hashId: (id: string) => string;
    clock: () => Date;
  },
): CloudAdapter {
  return new CloudAdapter({
    graph: new GraphClient({
      baseUrl: options.graphUrl,
      version: options.graphVersion,
      phoneNumberId: options.phoneNumberId,
      accessToken: options.accessToken,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    }),
    windows: deps.windows,
    journal: deps.journal,
    templates: options.templates,
    translator: deps.translator,
    logger: deps.logger,
    hashId: deps.hashId,
    clock: deps.clock,
    throughput: options.throughput,
    ...(options.messagingLimit !== undefined ? { messagingLimit: options.messagingLimit } : {}),
    ...(options.unconfirmedGraceMs !== undefined
      ? { unconfirmedGraceMs: options.unconfirmedGraceMs }
      : {}),
    ...(options.pair ? { pair: options.pair } : {}),
  });
}
