import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BotAdapter } from 'botbuilder-core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { BotLogic } from './adapters/channels/botLogic.js';
import { ChannelAlertSender } from './adapters/channels/channelAlertSender.js';
import type { CloudAdapter } from './adapters/channels/cloud/cloudAdapter.js';
import {
  type CloudChannelOptions,
  createCloudAdapter,
} from './adapters/channels/cloud/cloudChannel.js';
import { DevAdapter } from './adapters/channels/devAdapter.js';
import { FamilyNotifier } from './adapters/channels/familyNotifier.js';
import { EmbeddedOutbox } from './adapters/embedded/embeddedOutbox.js';
import { EmbeddedSendJournal } from './adapters/embedded/embeddedSendJournal.js';
import { QueueBoard } from './adapters/embedded/queueBoard.js';
import { SubscriberBoard } from './adapters/embedded/subscriberBoard.js';
import { type FlowCatalog, loadFlows } from './adapters/files/loadFlows.js';
import { loadGazetteer } from './adapters/files/loadGazetteer.js';
import { loadTranslator } from './adapters/files/loadTranslator.js';
import { publicAlertRoutes } from './adapters/http/alerts/publicAlertRoutes.js';
import { consoleRoutes } from './adapters/http/console/consoleRoutes.js';
import { devRoutes } from './adapters/http/dev/devRoutes.js';
import { apiDocs } from './adapters/http/docs/apiDocs.js';
import { errorHandler } from './adapters/http/errorHandler.js';
import { healthRoutes } from './adapters/http/health/healthRoutes.js';
import { Lifecycle } from './adapters/http/lifecycle.js';
import { alertRoutes } from './adapters/http/officer/alertRoutes.js';
import { caseRoutes } from './adapters/http/officer/caseRoutes.js';
import { eventRoutes } from './adapters/http/officer/eventRoutes.js';
import { officerAuth } from './adapters/http/officer/officerAuth.js';
import { sessionRoutes } from './adapters/http/officer/sessionRoutes.js';
import { MemoryEvents } from './adapters/memory/memoryEvents.js';
import { AuditLog } from './adapters/mongo/auditLog.js';
import { MongoCaseRepository } from './adapters/mongo/caseRepository.js';
import { DevOutbox } from './adapters/mongo/devOutbox.js';
import { IndexedCaseQueue } from './adapters/mongo/indexedCaseQueue.js';
import { MongoAlertStore } from './adapters/mongo/mongoAlertStore.js';
import { MongoConversationStore } from './adapters/mongo/mongoConversationStore.js';
import { MongoCustomerWindows } from './adapters/mongo/mongoCustomerWindows.js';
import { MongoEvents } from './adapters/mongo/mongoEvents.js';
import { MongoLease } from './adapters/mongo/mongoLease.js';
import { MongoOutbox } from './adapters/mongo/mongoOutbox.js';
import { MongoSendJournal } from './adapters/mongo/mongoSendJournal.js';
import { MongoSubscriberIndex } from './adapters/mongo/mongoSubscriberIndex.js';
import { type LoginThrottle, MongoOfficerRepository } from './adapters/mongo/officerRepository.js';
import { MongoPhotoStore } from './adapters/mongo/photoStore.js';
import { MongoSightingReader } from './adapters/mongo/sightingReader.js';
import { MongoSightingRepository } from './adapters/mongo/sightingRepository.js';
import { MongoSubscriberDirectory } from './adapters/mongo/subscriberDirectory.js';
import { MongoSubscriptionRepository } from './adapters/mongo/subscriptionRepository.js';
import { PosterRenderer } from './adapters/render/poster.js';
import { RenderedAlertDocuments } from './adapters/render/renderedAlertDocuments.js';
import { ActiveAlertDirectory } from './app/alerts/activeAlertDirectory.js';
import { AlertCommands } from './app/alerts/alertCommands.js';
import { AlertProgress } from './app/alerts/alertProgress.js';
import { AlertReach } from './app/alerts/alertReach.js';
import { AlertScheduler } from './app/alerts/alertScheduler.js';
import type { AlertSettings } from './app/alerts/alertSettings.js';
import { noticeBroadcastHalt } from './app/alerts/broadcastHaltNotice.js';
import { BroadcastWorker, type RetryPolicy } from './app/alerts/broadcastWorker.js';
import { AlertSendGate } from './app/alerts/sendGate.js';
import { StageEnqueuer } from './app/alerts/stageEnqueuer.js';
import { CaseActions } from './app/cases/caseActions.js';
import type { AlertStore } from './app/ports/alertStore.js';
import type { Clock } from './app/ports/clock.js';
import type { ConversationStore } from './app/ports/conversationStore.js';
import type { CustomerWindows } from './app/ports/customerWindows.js';
import type { Events } from './app/ports/events.js';
import type { Outbox } from './app/ports/outbox.js';
import type { SendJournal } from './app/ports/sendJournal.js';
import { type RetentionResult, runRetention } from './app/retention.js';
import { TurnPipeline } from './app/turnPipeline.js';
import { DEFAULT_ALERT_STAGES } from './core/alert/alert.js';
import type { Translator } from './core/i18n/translator.js';
import type { Logger } from './logger.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Everything the app is built from; `src/main.ts` and the tests pass the same. */
export interface AppDeps {
  connection: Connection;
  /**
   * Which storage adapters to build on the connection: `embedded` for the
   * embedded FerretDB (boards and claims it needs), `mongo` for MongoDB.
   */
  database?: 'embedded' | 'mongo';
  logger: Logger;
  hashId: (id: string) => string;
  clock: Clock;
  devChannel: boolean;
  referencePrefix: string;
  /** Conversation state, when a test wraps the database's store. */
  conversations?: ConversationStore;
  /** Where locales/, flows/, console/ and data/ are (the project folder by default). */
  rootDir?: string;
  localesDir?: string;
  flowsDir?: string;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-* (secure cookies, client address). */
  trustProxy?: boolean;
  /** Failed-login slowdown; tests shorten it. */
  loginThrottle?: LoginThrottle;
  /** Public address of the service, for CAP and feed links (config PUBLIC_BASE_URL). */
  publicBaseUrl?: string;
  /** CAP `sender` (config CAP_SENDER). */
  capSender?: string;
  /** Stages, window and maximum of alerts (config ALERT_*). */
  alertSettings?: AlertSettings;
  /** Broadcast pace in messages per second (config ALERT_SEND_RATE). */
  alertSendRate?: number;
  /** How long the broadcast lease lasts before another instance may take over (config ALERT_LEASE_MS). */
  alertLeaseMs?: number;
  /** Chromium for posters (config CHROMIUM_PATH). */
  chromiumPath?: string;
  /** How the broadcast retries refused sends (tests shorten the waits). */
  broadcastRetry?: RetryPolicy;
  /** The official WhatsApp channel (config WHATSAPP=cloud): built on the app's stores. */
  whatsappCloud?: CloudChannelOptions;
}

/** Alert settings when none are given: the published defaults. */
export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  stages: DEFAULT_ALERT_STAGES,
  windowHours: 6,
  maxHours: 48,
  tickMs: 5_000,
};

export interface App {
  http: FastifyInstance;
  /** The botbuilder logic every channel runs. */
  bot: BotLogic;
  /** The turn pipeline behind it. */
  turns: TurnPipeline;
  devAdapter: DevAdapter;
  lifecycle: Lifecycle;
  translator: Translator;
  flows: FlowCatalog;
  cases: MongoCaseRepository;
  photos: MongoPhotoStore;
  /** Citizens' subscriptions to alerts (flows/subscribe.yaml, STOP). */
  subscriptions: MongoSubscriptionRepository;
  /** Sightings citizens send (flows/sighting.yaml). */
  sightings: MongoSightingRepository;
  outbox: DevOutbox;
  officers: MongoOfficerRepository;
  audit: AuditLog;
  /** Live events: shared by every instance on MongoDB, in-process on the embedded database. */
  events: Events;
  /** What officers do to alerts: propose, approve, extend, cancel, end. */
  alerts: AlertCommands;
  /** Stages, expiry and the outbox handed to the worker; src/main.ts starts it, tests run it once. */
  alertScheduler: AlertScheduler;
  alertStore: AlertStore;
  alertOutbox: Outbox;
  /** The broadcast worker; src/main.ts starts it, tests drain it. */
  broadcast: BroadcastWorker;
  poster: PosterRenderer;
  /**
   * Rebuilds where subscribers are from the subscriptions, after they were
   * loaded in bulk (tests, benchmarks, a migration); not while people subscribe.
   */
  reindexSubscribers(): Promise<void>;
  /** The adapters families can be written to by channel id (main.ts adds WhatsApp). */
  channels: Map<string, BotAdapter>;
  /** The Cloud API channel, when configured (also `channels.get('whatsapp')`). */
  cloud: CloudAdapter | undefined;
  /** When each person last wrote (the Cloud API's 24 h window). */
  customerWindows: CustomerWindows;
  /** What became of each message sent under an idempotency key. */
  sendJournal: SendJournal;
  /** Runs the purge jobs once (store/retention.ts). */
  purge(): Promise<RetentionResult>;
}

/** Wires the service: repositories, flows, the bot, channels and HTTP routes. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const root = deps.rootDir ?? projectRoot;
  const translator = loadTranslator(deps.localesDir ?? join(root, 'locales'));
  const flows = loadFlows(deps.flowsDir ?? join(root, 'flows'), translator);
  const clock = () => deps.clock.now();
  const audit = new AuditLog(deps.connection);
  const database = deps.database ?? 'embedded';
  const caseQueue =
    database === 'mongo' ? new IndexedCaseQueue(deps.connection) : new QueueBoard(deps.connection);
  const cases = new MongoCaseRepository(deps.connection, audit, caseQueue);
  await cases.init();
  const officers = new MongoOfficerRepository(deps.connection, clock, deps.loginThrottle);
  const gazetteer = loadGazetteer(join(root, 'data', 'gazetteer', 'morocco.json'));
  // FerretDB has no change streams, and one embedded service is one instance.
  const events: Events =
    deps.database === 'mongo'
      ? await MongoEvents.open(deps.connection, {
          logger: deps.logger.child({ component: 'events' }),
        })
      : new MemoryEvents();
  const photos = new MongoPhotoStore(deps.connection, clock);
  // One store on both: the patched FerretDB narrows `{_id, eTag}` by the `_id`
  // index and its launcher serialises writes, so the compare-and-set holds
  // there too. FerretDB refuses TTL indexes, so only MongoDB gets one; on the
  // embedded database the purge job forgets idle conversations.
  const conversations: ConversationStore =
    deps.conversations ??
    (database === 'mongo'
      ? await mongoConversationStore(deps.connection, clock)
      : new MongoConversationStore(deps.connection, clock));
  const outbox = new DevOutbox(deps.connection);
  const lifecycle = new Lifecycle();
  const alertStore = new MongoAlertStore(deps.connection);
  await alertStore.init();
  const alertOutbox = await outboxFor(deps);
  const subscriberDirectory = new MongoSubscriberDirectory(deps.connection);
  const subscriberIndex =
    deps.database === 'mongo'
      ? new MongoSubscriberIndex(deps.connection)
      : new SubscriberBoard(deps.connection);
  await subscriberIndex.ensureBuilt(subscriberDirectory.eachActive());
  const sightingReader = new MongoSightingReader(deps.connection);
  const poster = new PosterRenderer({
    executablePath: deps.chromiumPath ?? '/usr/bin/chromium',
    translator,
    logger: deps.logger.child({ component: 'poster' }),
  });

  const subscriptions = new MongoSubscriptionRepository(deps.connection, subscriberIndex);
  const sightings = new MongoSightingRepository(deps.connection, gazetteer);
  const turns = new TurnPipeline({
    conversations,
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
    findCity: (text) => gazetteer.findCity(text),
    subscriptions,
    sightings,
    alerts: new ActiveAlertDirectory({ alerts: alertStore, outbox: alertOutbox }),
  });
  const bot = new BotLogic(turns, translator, deps.logger.child({ component: 'bot' }));
  const devAdapter = new DevAdapter(outbox, clock);
  devAdapter.onTurnError = bot.onTurnError;
  // Each channel a family can be written to outside a turn; main.ts adds WhatsApp.
  const channels = new Map<string, BotAdapter>([['dev', devAdapter]]);
  const customerWindows = await customerWindowsFor(deps);
  const sendJournal = await sendJournalFor(deps);
  const cloud = deps.whatsappCloud
    ? createCloudAdapter(deps.whatsappCloud, {
        windows: customerWindows,
        journal: sendJournal,
        translator,
        logger: deps.logger.child({ component: 'whatsapp' }),
        hashId: deps.hashId,
        clock,
      })
    : undefined;
  if (cloud) {
    cloud.onTurnError = bot.onTurnError;
    cloud.start((context) => lifecycle.track(() => bot.onTurn(context)));
    channels.set('whatsapp', cloud);
  }
  const notifier = new FamilyNotifier(channels, translator);
  const baseUrl = deps.publicBaseUrl ?? 'http://localhost:3000';
  const alertDocuments = new RenderedAlertDocuments({
    baseUrl,
    capSender: deps.capSender ?? 'tifli@police.example.ma',
    translator,
    posters: poster,
  });
  const gate = new AlertSendGate(alertStore);
  const alertProgress = new AlertProgress({
    alerts: alertStore,
    outbox: alertOutbox,
    events,
    logger: deps.logger.child({ component: 'alerts' }),
  });
  const broadcast = new BroadcastWorker({
    outbox: alertOutbox,
    lease: new MongoLease(deps.connection, 'broadcast'),
    recipients: subscriberDirectory,
    sender: new ChannelAlertSender({ alerts: alertStore, photos, channels, translator, clock }),
    clock: deps.clock,
    logger: deps.logger.child({ component: 'broadcast' }),
    ratePerSecond: deps.alertSendRate ?? 20,
    leaseMs: deps.alertLeaseMs ?? 30_000,
    maySend: (delivery) => gate.maySend(delivery),
    onSent: (delivery) => alertProgress.sent(delivery),
    onHalt: (delivery, halt) =>
      void noticeBroadcastHalt(
        {
          alerts: alertStore,
          cases,
          events,
          logger: deps.logger.child({ component: 'broadcast' }),
        },
        delivery,
        halt,
      ).catch((error: unknown) =>
        deps.logger.error({ err: error }, 'could not tell the supervisors the broadcast stopped'),
      ),
    ...(deps.broadcastRetry ? { retry: deps.broadcastRetry } : {}),
  });
  const alertLogger = deps.logger.child({ component: 'alerts' });
  const alertSettings = deps.alertSettings ?? DEFAULT_ALERT_SETTINGS;
  const stages = new StageEnqueuer({
    alerts: alertStore,
    outbox: alertOutbox,
    subscribers: subscriberIndex,
    cases,
    broadcast,
    events,
    clock: deps.clock,
    logger: alertLogger,
  });
  const alertCommands = new AlertCommands({
    alerts: alertStore,
    cases,
    stages,
    gate,
    gazetteer,
    translator,
    notifier,
    events,
    clock: deps.clock,
    logger: alertLogger,
    settings: alertSettings,
  });
  const alertScheduler = new AlertScheduler({
    alerts: alertStore,
    commands: alertCommands,
    stages,
    worker: broadcast,
    progress: alertProgress,
    clock: deps.clock,
    logger: alertLogger,
    tickMs: alertSettings.tickMs,
  });

  const httpLogger: FastifyBaseLogger = deps.logger.child({ component: 'http' });
  const http = Fastify({
    loggerInstance: httpLogger,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
  });
  http.addHook('onClose', () => events.close());
  await http.register(errorHandler, { translator });
  // Before the routes: it validates with their zod schemas and documents them.
  await http.register(apiDocs);
  await http.register(healthRoutes, { connection: deps.connection, lifecycle });
  await http.register(officerAuth, { officers });
  await http.register(sessionRoutes, { officers });
  const caseActions = new CaseActions({
    cases,
    officers,
    photos,
    audit,
    notifier,
    events,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'cases' }),
    endAlertOfCase: (caseId, by) => alertCommands.endForCase(caseId, by),
  });
  await http.register(caseRoutes, { actions: caseActions, clock: deps.clock });
  await http.register(alertRoutes, {
    service: alertCommands,
    progress: alertProgress,
    reach: new AlertReach({ subscribers: subscriberIndex, ...(cloud ? { limit: cloud } : {}) }),
    broadcastHalt: () => broadcast.halt,
    alerts: alertStore,
    cases,
    photos,
    sightings: sightingReader,
    documents: alertDocuments,
    clock: deps.clock,
  });
  await http.register(publicAlertRoutes, {
    alerts: alertStore,
    photos,
    documents: alertDocuments,
    clock: deps.clock,
  });
  await http.register(eventRoutes, { events });
  await http.register(consoleRoutes, { rootDir: root });
  if (deps.devChannel) {
    await http.register(devRoutes, {
      converse: (message) => devAdapter.process(message, bot.onTurn),
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
    turns,
    devAdapter,
    lifecycle,
    translator,
    flows,
    cases,
    photos,
    subscriptions,
    sightings,
    outbox,
    officers,
    audit,
    events,
    alerts: alertCommands,
    alertScheduler,
    alertStore,
    alertOutbox,
    broadcast,
    poster,
    reindexSubscribers: () => subscriberIndex.rebuild(subscriberDirectory.eachActive()),
    channels,
    cloud,
    customerWindows,
    sendJournal,
    purge: () =>
      runRetention(
        {
          conversations,
          photos,
          cases,
          officers,
          sightings: sightingReader,
          alerts: alertStore,
          outbox: alertOutbox,
        },
        deps.clock.now(),
      ),
  };
}

async function mongoConversationStore(
  connection: Connection,
  clock: () => Date,
): Promise<MongoConversationStore> {
  const store = new MongoConversationStore(connection, clock);
  await store.init();
  return store;
}

/** When people last wrote: one document per person on both databases, a TTL index on MongoDB. */
async function customerWindowsFor(deps: AppDeps): Promise<CustomerWindows> {
  const windows = new MongoCustomerWindows(deps.connection);
  if ((deps.database ?? 'embedded') === 'mongo') await windows.init();
  return windows;
}

/** The send journal: indexed on MongoDB, message ids found through keyed documents on FerretDB. */
async function sendJournalFor(deps: AppDeps): Promise<SendJournal> {
  switch (deps.database ?? 'embedded') {
    case 'embedded':
      return new EmbeddedSendJournal(deps.connection);
    case 'mongo': {
      const journal = new MongoSendJournal(deps.connection);
      await journal.init();
      return journal;
    }
  }
}

/**
 * The outbox for this database: MongoDB's (one document per entry that
 * changes state, indexed) or the embedded FerretDB's (entries never updated,
 * outcomes as receipts inserted by `_id`).
 */
async function outboxFor(deps: AppDeps): Promise<Outbox> {
  switch (deps.database ?? 'embedded') {
    case 'embedded':
      return new EmbeddedOutbox(deps.connection);
    case 'mongo': {
      const outbox = new MongoOutbox(deps.connection);
      await outbox.init();
      return outbox;
    }
  }
}
