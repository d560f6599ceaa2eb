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
import type { StatusRecorder } from './adapters/channels/cloud/inboundProcessor.js';
import type { InboundSink } from './adapters/channels/cloud/inboundSink.js';
import { MediaDownloader } from './adapters/channels/cloud/mediaDownloader.js';
import {
  type CloudWebhook,
  registerCloudWebhook,
} from './adapters/channels/cloud/webhookRoutes.js';
import { DevAdapter, namingDevMessages } from './adapters/channels/devAdapter.js';
import { FamilyNotifier } from './adapters/channels/familyNotifier.js';
import { EmbeddedInboundJournal } from './adapters/embedded/embeddedInboundJournal.js';
import { EmbeddedOutbox } from './adapters/embedded/embeddedOutbox.js';
import { EmbeddedSendJournal } from './adapters/embedded/embeddedSendJournal.js';
import { QueueBoard } from './adapters/embedded/queueBoard.js';
import { SubscriberBoard } from './adapters/embedded/subscriberBoard.js';
import { AuditHeadFile } from './adapters/files/auditHeadFile.js';
import { type FlowCatalog, loadFlows } from './adapters/files/loadFlows.js';
import { loadGazetteer } from './adapters/files/loadGazetteer.js';
import { loadTranslator } from './adapters/files/loadTranslator.js';
import { publicAlertRoutes } from './adapters/http/alerts/publicAlertRoutes.js';
import { consoleRoutes } from './adapters/http/console/consoleRoutes.js';
import { devRoutes } from './adapters/http/dev/devRoutes.js';
import { apiDocs } from './adapters/http/docs/apiDocs.js';
import { errorHandler } from './adapters/http/errorHandler.js';
import { healthRoutes } from './adapters/http/health/healthRoutes.js';
import { jsonBody } from './adapters/http/jsonBody.js';
import { Lifecycle } from './adapters/http/lifecycle.js';
import { alertRoutes } from './adapters/http/officer/alertRoutes.js';
import { caseRoutes } from './adapters/http/officer/caseRoutes.js';
import { eventRoutes } from './adapters/http/officer/eventRoutes.js';
import { officerAccountRoutes } from './adapters/http/officer/officerAccountRoutes.js';
import { officerAuth } from './adapters/http/officer/officerAuth.js';
import { sessionRoutes } from './adapters/http/officer/sessionRoutes.js';
import { type HttpRateLimits, rateLimits } from './adapters/http/rateLimits.js';
import { rightsRoutes } from './adapters/http/rights/rightsRoutes.js';
import { securityHeaders } from './adapters/http/securityHeaders.js';
import { SharpPhotoSanitizer } from './adapters/images/sharpPhotoSanitizer.js';
import { MemoryEvents } from './adapters/memory/memoryEvents.js';
import { MongoAudioStore } from './adapters/mongo/audioStore.js';
import { AuditLog } from './adapters/mongo/auditLog.js';
import { MongoCaseRepository } from './adapters/mongo/caseRepository.js';
import { DevOutbox } from './adapters/mongo/devOutbox.js';
import { IndexedCaseQueue } from './adapters/mongo/indexedCaseQueue.js';
import { MongoIntakeCounters } from './adapters/mongo/intakeCounters.js';
import { MongoAlertStore } from './adapters/mongo/mongoAlertStore.js';
import { MongoConversationStore } from './adapters/mongo/mongoConversationStore.js';
import { MongoCustomerWindows } from './adapters/mongo/mongoCustomerWindows.js';
import { MongoEvents } from './adapters/mongo/mongoEvents.js';
import { MongoInboundJournal } from './adapters/mongo/mongoInboundJournal.js';
import { MongoLease } from './adapters/mongo/mongoLease.js';
import { MongoOutbox } from './adapters/mongo/mongoOutbox.js';
import { MongoPersonalData } from './adapters/mongo/mongoPersonalData.js';
import { MongoRightsRequests } from './adapters/mongo/mongoRightsRequests.js';
import { MongoSendJournal } from './adapters/mongo/mongoSendJournal.js';
import { MongoSubscriberIndex } from './adapters/mongo/mongoSubscriberIndex.js';
import {
  DEFAULT_LOGIN_THROTTLE,
  type LoginThrottle,
  MongoOfficerRepository,
} from './adapters/mongo/officerRepository.js';
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
import { IntakeGuard } from './app/intakeGuard.js';
import { BoundedChecks } from './app/officers/boundedChecks.js';
import { OfficerAccounts } from './app/officers/officerAccounts.js';
import { SignIn } from './app/officers/signIn.js';
import type { AlertStore } from './app/ports/alertStore.js';
import type { Clock } from './app/ports/clock.js';
import type { ConversationStore } from './app/ports/conversationStore.js';
import type { CustomerWindows } from './app/ports/customerWindows.js';
import type { Events } from './app/ports/events.js';
import type { InboundJournal } from './app/ports/inboundJournal.js';
import type { Outbox } from './app/ports/outbox.js';
import type { SendJournal } from './app/ports/sendJournal.js';
import { type RetentionResult, runRetention } from './app/retention.js';
import { RightsDesk } from './app/rights/rightsDesk.js';
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
  /** The dev channel answers peers other than loopback too (config: an explicit DEV_CHANNEL=1). */
  devChannelAnyPeer?: boolean;
  /** Requests per window by kind of caller; tests lower them. */
  httpRateLimits?: HttpRateLimits;
  /** How often a live-event stream checks that its session is still open; tests shorten it. */
  liveEventSessionCheckMs?: number;
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
  /** Password checks (argon2) running at once in this process, and waiting; more get a 429. */
  passwordChecks?: { active: number; waiting: number };
  /**
   * The audit chain's HMAC key (config AUDIT_HMAC_SECRET) and the folder of
   * the head checkpoint (config DATA_DIR); without a folder, no checkpoint
   * file (tests that do not need one).
   */
  audit?: { secret: string; checkpointDir?: string };
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
  /** The official WhatsApp channel (config WHATSAPP=cloud|cloud-fake); none without it. */
  whatsappCloud?: WhatsAppCloudDeps;
}

/** What the Cloud API webhook may be given besides its settings (tests shorten or replace). */
interface CloudWebhookExtras {
  /** Where statuses are recorded; the alert outbox by default. */
  outbox?: StatusRecorder;
  /** Retry delays of the inbound processor; tests shorten them. */
  processing?: { concurrency?: number; firstRetryMs?: number; maxRetryMs?: number };
}

/**
 * The Cloud API channel (config WHATSAPP_*; secrets are never logged): the
 * whole channel, its webhook feeding the Cloud adapter built on the app's
 * stores; or, without a phone-number id, the webhook alone handing messages
 * to its `sink` (tests of the inbound side, or `app.cloudWebhook.attach` later).
 */
export type WhatsAppCloudDeps =
  | (CloudChannelOptions & CloudWebhookExtras & { sink?: undefined })
  | (Pick<
      CloudChannelOptions,
      'appSecret' | 'verifyToken' | 'graphUrl' | 'graphVersion' | 'accessToken'
    > &
      CloudWebhookExtras & { phoneNumberId?: undefined; sink?: InboundSink });

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
  /** Voice notes and audio families sent (answers, messages to the officer). */
  audio: MongoAudioStore;
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
  /** Law 09-08 requests: "see my data", corrections and erasures, and their decisions. */
  rights: RightsDesk;
  /**
   * Rebuilds where subscribers are from the subscriptions, after they were
   * loaded in bulk (tests, benchmarks, a migration); not while people subscribe.
   */
  reindexSubscribers(): Promise<void>;
  /** The adapters families can be written to by channel id (main.ts adds WhatsApp). */
  channels: Map<string, BotAdapter>;
  /** What the Cloud API webhook received: every message and status, by id, stored before the 200. */
  inboundJournal: InboundJournal;
  /** The Cloud API webhook, when `whatsappCloud` was given: attach the sink, wait for work. */
  cloudWebhook: CloudWebhook | null;
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
  const audit = new AuditLog(deps.connection, {
    ...(deps.audit ? { secret: deps.audit.secret } : {}),
    ...(deps.audit?.checkpointDir
      ? { checkpoint: AuditHeadFile.inDataDir(deps.audit.checkpointDir, deps.connection.name) }
      : {}),
  });
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
  // One store on both: pieces of 1 MiB read by `_id` suit MongoDB and FerretDB alike.
  const audio = new MongoAudioStore(deps.connection, clock);
  await audio.init();
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
  // Law 09-08 rights: what is stored about a number, the requests, their decisions.
  // The family is told outcomes by the notifier built with the channels below.
  const rightsRequests = new MongoRightsRequests(deps.connection);
  const personalData = new MongoPersonalData(deps.connection, (cityId) => {
    const city = gazetteer.cities.find((candidate) => candidate.id === cityId);
    return city ? { fr: city.fr, ar: city.ar } : null;
  });
  if (database === 'mongo') await Promise.all([rightsRequests.init(), personalData.init()]);
  const rights = new RightsDesk({
    requests: rightsRequests,
    personalData,
    cases,
    subscriptions,
    outbox: alertOutbox,
    audit,
    notifier: { send: (family, text) => notifier.send(family, text) },
    events,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'rights' }),
    hashId: deps.hashId,
  });
  // Flood counters: one document each by `_id`; a TTL index on MongoDB, the purge job on FerretDB.
  const intakeCounters = new MongoIntakeCounters(deps.connection);
  if (database === 'mongo') await intakeCounters.init();
  const devAdapter = new DevAdapter(outbox, clock);
  // Each channel a family can be written to outside a turn; the Cloud channel joins it below.
  const channels = new Map<string, BotAdapter>([['dev', devAdapter]]);
  const notifier = new FamilyNotifier(channels, translator);
  const turns = new TurnPipeline({
    conversations,
    flows,
    translator,
    cases,
    photos,
    photoSanitizer: new SharpPhotoSanitizer(),
    audio,
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
    rights,
    notifier,
    intake: new IntakeGuard({
      limiter: intakeCounters,
      cases,
      logger: deps.logger.child({ component: 'intake' }),
      hashId: deps.hashId,
    }),
  });
  const bot = new BotLogic(turns, translator, deps.logger.child({ component: 'bot' }));
  devAdapter.onTurnError = bot.onTurnError;
  const customerWindows = await customerWindowsFor(deps);
  const sendJournal = await sendJournalFor(deps);
  const cloudSettings = deps.whatsappCloud;
  const cloud =
    cloudSettings?.phoneNumberId !== undefined
      ? createCloudAdapter(cloudSettings, {
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
    sender: namingDevMessages(
      new ChannelAlertSender({ alerts: alertStore, photos, channels, translator, clock }),
    ),
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
  http.addHook('onClose', async () => turns.stopResuming());
  await http.register(errorHandler, { translator });
  // Before every route: body depth, security headers, no-store and rate limits apply to all of them.
  await http.register(jsonBody, {});
  await http.register(securityHeaders);
  // Before the routes: it validates with their zod schemas and documents them.
  await http.register(apiDocs);
  await http.register(officerAuth, { officers });
  await http.register(rateLimits, deps.httpRateLimits ? { limits: deps.httpRateLimits } : {});
  await http.register(healthRoutes, { connection: deps.connection, lifecycle });
  const throttle = deps.loginThrottle ?? DEFAULT_LOGIN_THROTTLE;
  const checks = deps.passwordChecks ?? { active: 4, waiting: 16 };
  const signIn = new SignIn({
    officers,
    rules: throttle,
    checks: new BoundedChecks(checks.active, checks.waiting),
  });
  await http.register(sessionRoutes, { officers, signIn });
  await http.register(officerAccountRoutes, {
    accounts: new OfficerAccounts({ officers, audit, clock: deps.clock }),
  });
  const caseActions = new CaseActions({
    cases,
    officers,
    photos,
    audio,
    audit,
    notifier,
    events,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'cases' }),
    endAlertOfCase: (caseId, by) => alertCommands.endForCase(caseId, by),
  });
  await http.register(caseRoutes, { actions: caseActions, clock: deps.clock });
  await http.register(rightsRoutes, { desk: rights });
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
  await http.register(eventRoutes, {
    events,
    officers,
    ...(deps.liveEventSessionCheckMs ? { sessionCheckMs: deps.liveEventSessionCheckMs } : {}),
  });
  await http.register(consoleRoutes, { rootDir: root });
  const inboundJournal = await inboundJournalFor(deps);
  const cloudWebhook = deps.whatsappCloud
    ? await registerCloudWebhook(http, {
        appSecret: deps.whatsappCloud.appSecret,
        verifyToken: deps.whatsappCloud.verifyToken,
        journal: inboundJournal,
        // The Cloud adapter runs the turns, unless a test hands its own sink.
        sink: deps.whatsappCloud.sink ?? cloud,
        media: new MediaDownloader({
          graphUrl: deps.whatsappCloud.graphUrl,
          graphVersion: deps.whatsappCloud.graphVersion,
          accessToken: deps.whatsappCloud.accessToken,
        }),
        outbox: deps.whatsappCloud.outbox ?? alertOutbox,
        logger: deps.logger.child({ component: 'whatsapp-cloud' }),
        hashId: deps.hashId,
        clock: deps.clock,
        translator,
        // FerretDB runs writes one at a time: more turns at once only contend with the webhook.
        processing: {
          concurrency: (deps.database ?? 'embedded') === 'embedded' ? 2 : 16,
          ...deps.whatsappCloud.processing,
        },
      })
    : null;
  // Every status also reaches the sending side: a 131047 becomes a template, a lost answer is settled.
  if (cloudWebhook && cloud) {
    cloudWebhook.onStatus((status) => cloud.noteStatus(status).then(() => undefined));
  }
  if (deps.devChannel) {
    await http.register(devRoutes, {
      converse: (message) => devAdapter.process(message, bot.onTurn),
      outbox,
      statuses: alertOutbox,
      clock: deps.clock,
      lifecycle,
      translator,
      anyPeer: deps.devChannelAnyPeer ?? false,
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
    audio,
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
    rights,
    reindexSubscribers: () => subscriberIndex.rebuild(subscriberDirectory.eachActive()),
    channels,
    inboundJournal,
    cloudWebhook,
    cloud,
    customerWindows,
    sendJournal,
    purge: () =>
      runRetention(
        {
          conversations,
          photos,
          audio,
          cases,
          officers,
          sightings: sightingReader,
          alerts: alertStore,
          outbox: alertOutbox,
          personalData,
          rightsRequests,
          audit,
          inboundJournal,
          intake: intakeCounters,
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

/** The inbound journal for this database: MongoDB's (TTL index) or the embedded FerretDB's (a board). */
async function inboundJournalFor(deps: AppDeps): Promise<InboundJournal> {
  switch (deps.database ?? 'embedded') {
    case 'embedded':
      return new EmbeddedInboundJournal(deps.connection);
    case 'mongo': {
      const journal = new MongoInboundJournal(deps.connection);
      await journal.init();
      return journal;
    }
  }
}
