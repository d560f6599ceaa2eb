import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BotAdapter, Storage } from 'botbuilder-core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { CaseEvents } from './bot/caseEvents.js';
import { FamilyNotifier } from './bot/familyNotifier.js';
import type { Clock } from './bot/ports.js';
import { TifliBot } from './bot/tifliBot.js';
import { DevAdapter } from './channels/devAdapter.js';
import { type FlowCatalog, loadFlows } from './conversation/loadFlows.js';
import { consoleRoutes } from './http/console/consoleRoutes.js';
import { devRoutes } from './http/dev/devRoutes.js';
import { docsRoutes } from './http/docs/docsRoutes.js';
import { errorHandler } from './http/errorHandler.js';
import { healthRoutes } from './http/health/healthRoutes.js';
import { Lifecycle } from './http/lifecycle.js';
import { caseRoutes } from './http/officer/caseRoutes.js';
import { eventRoutes } from './http/officer/eventRoutes.js';
import { officerAuth } from './http/officer/officerAuth.js';
import { sessionRoutes } from './http/officer/sessionRoutes.js';
import { createTranslator, type Translator } from './i18n/translator.js';
import type { Logger } from './logger.js';
import { AuditLog } from './store/auditLog.js';
import { MongoCaseRepository } from './store/caseRepository.js';
import { DevOutbox } from './store/devOutbox.js';
import { loadGazetteer } from './store/loadGazetteer.js';
import { MongoStorage } from './store/mongoStorage.js';
import { type LoginThrottle, MongoOfficerRepository } from './store/officerRepository.js';
import { MongoPhotoStore } from './store/photoStore.js';
import { type RetentionResult, runRetention } from './store/retention.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Everything the app is built from; `src/main.ts` and the tests pass the same. */
export interface AppDeps {
  connection: Connection;
  logger: Logger;
  hashId: (id: string) => string;
  clock: Clock;
  devChannel: boolean;
  referencePrefix: string;
  /** Conversation storage; MongoDB unless a benchmark compares with memory. */
  storage?: Storage;
  /** Where locales/, flows/, console/ and data/ are (the project folder by default). */
  rootDir?: string;
  localesDir?: string;
  flowsDir?: string;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-* (secure cookies, client address). */
  trustProxy?: boolean;
  /** Failed-login slowdown; tests shorten it. */
  loginThrottle?: LoginThrottle;
}

export interface App {
  http: FastifyInstance;
  bot: TifliBot;
  devAdapter: DevAdapter;
  lifecycle: Lifecycle;
  translator: Translator;
  flows: FlowCatalog;
  cases: MongoCaseRepository;
  photos: MongoPhotoStore;
  outbox: DevOutbox;
  officers: MongoOfficerRepository;
  audit: AuditLog;
  events: CaseEvents;
  /** The adapters families can be written to by channel id (main.ts adds WhatsApp). */
  channels: Map<string, BotAdapter>;
  /** Runs the purge jobs once (store/retention.ts). */
  purge(): Promise<RetentionResult>;
}

/** Wires the service: repositories, flows, the bot, channels and HTTP routes. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const root = deps.rootDir ?? projectRoot;
  const translator = createTranslator(deps.localesDir ?? join(root, 'locales'));
  const flows = loadFlows(deps.flowsDir ?? join(root, 'flows'), translator);
  const clock = () => deps.clock.now();
  const audit = new AuditLog(deps.connection);
  const cases = new MongoCaseRepository(deps.connection, audit);
  await cases.init();
  const officers = new MongoOfficerRepository(deps.connection, clock, deps.loginThrottle);
  const gazetteer = loadGazetteer(join(root, 'data', 'gazetteer', 'morocco.json'));
  const events = new CaseEvents();
  const photos = new MongoPhotoStore(deps.connection, clock);
  const mongoStorage = new MongoStorage(deps.connection, clock);
  const outbox = new DevOutbox(deps.connection);
  const lifecycle = new Lifecycle();

  const bot = new TifliBot({
    storage: deps.storage ?? mongoStorage,
    flows,
    translator,
    cases,
    photos,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'bot' }),
    hashId: deps.hashId,
    referencePrefix: deps.referencePrefix,
    regionOf: (place, city) =>
      place.kind === 'pin'
        ? gazetteer.regionOf(place)
        : (gazetteer.regionOf({ text: city ?? '' }) ?? gazetteer.regionOf({ text: place.text })),
    events,
  });
  const devAdapter = new DevAdapter(outbox, clock);
  devAdapter.onTurnError = bot.onTurnError;
  // Each channel a family can be written to outside a turn; main.ts adds WhatsApp.
  const channels = new Map<string, BotAdapter>([['dev', devAdapter]]);
  const notifier = new FamilyNotifier(channels, translator);

  const httpLogger: FastifyBaseLogger = deps.logger.child({ component: 'http' });
  const http = Fastify({
    loggerInstance: httpLogger,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
  });
  await http.register(errorHandler, { translator });
  await http.register(healthRoutes, { connection: deps.connection, lifecycle });
  await http.register(docsRoutes);
  await http.register(officerAuth, { officers });
  await http.register(sessionRoutes, { officers });
  await http.register(caseRoutes, {
    cases,
    officers,
    photos,
    audit,
    notifier,
    events,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'cases' }),
  });
  await http.register(eventRoutes, { events });
  await http.register(consoleRoutes, { rootDir: root });
  if (deps.devChannel) {
    await http.register(devRoutes, {
      adapter: devAdapter,
      logic: bot.onTurn,
      outbox,
      lifecycle,
      translator,
    });
  }
  await http.ready();
  lifecycle.ready = true;
  return {
    http,
    bot,
    devAdapter,
    lifecycle,
    translator,
    flows,
    cases,
    photos,
    outbox,
    officers,
    audit,
    events,
    channels,
    purge: () => runRetention({ storage: mongoStorage, photos, cases, officers }, deps.clock.now()),
  };
}
