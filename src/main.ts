import { randomBytes } from 'node:crypto';
import type { CloudChannelOptions } from './adapters/channels/cloud/cloudChannel.js';
import { FakeGraph } from './adapters/channels/cloud/fake/fakeGraph.js';
import {
  type FakeContent,
  type FakeItem,
  FakeMetaWebhook,
} from './adapters/channels/cloud/fake/fakeMetaWebhook.js';
import { WhatsAppAdapter } from './adapters/channels/whatsappAdapter.js';
import { createWhatsAppClient } from './adapters/channels/whatsappClient.js';
import { systemClock } from './app/ports/clock.js';
import { buildApp } from './compose.js';
import { type Config, loadConfig } from './config.js';
import { openDatabase } from './database.js';
import { createIdHasher, createLogger, type Logger } from './logger.js';

/**
 * The composition root: config, logger, database, app, channels, and a
 * graceful stop on SIGTERM (stop intake, finish turns in flight, close the database).
 */
async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(
      `Tifli cannot start, the configuration is invalid:\n  ${loaded.problems.join('\n  ')}\n`,
    );
    process.exit(2);
  }
  const config = loaded.config;
  const logger = createLogger({ level: config.logLevel });
  const hashId = createIdHasher(config.logHashSecret);
  if (config.nodeEnv === 'production' && config.devChannel) {
    logger.warn(
      { anyPeer: config.devChannelAnyPeer },
      'DEV_CHANNEL is on in production: /dev/messages and /dev/outbox have no authentication and show what officers wrote to families',
    );
  }

  const database = await openDatabase({
    mongodbUri: config.mongodbUri,
    dataDir: config.dataDir,
    // The service cannot work without its database: when the embedded one
    // cannot be brought back, exit non-zero so the process manager sees it.
    supervision: {
      logger: logger.child({ component: 'database' }),
      onLost: (reason) => {
        process.stderr.write(`Tifli is stopping: ${reason}\n`);
        process.exit(3);
      },
    },
  });
  logger.info(
    { database: database.description, adapters: config.databaseAdapters },
    'database connected',
  );
  if (config.auditHmacSecretIsDevelopment)
    logger.warn('AUDIT_HMAC_SECRET is not set: the audit chain is keyed with the development key');

  // WHATSAPP=cloud-fake: the official path against a fake Graph API on this machine.
  let webhook: FakeMetaWebhook | undefined;
  const fake =
    config.whatsapp === 'cloud-fake' ? await startFakeGraph(config, logger, () => webhook) : null;
  if (fake) {
    logger.info(
      { fakeGraph: fake.url, playground: `${fake.url}/fake/inbound` },
      'fake Graph API started (WHATSAPP=cloud-fake)',
    );
  }
  const whatsappCloud = cloudOptions(config, fake);
  if (fake && whatsappCloud) {
    // Meta's webhook, faked: what the fake number receives reaches the service signed, as Meta posts it.
    webhook = new FakeMetaWebhook({
      url: `http://127.0.0.1:${config.port}/webhooks/whatsapp`,
      appSecret: whatsappCloud.appSecret,
      phoneNumberId: whatsappCloud.phoneNumberId,
    });
  }

  const app = await buildApp({
    connection: database.connection,
    database: config.databaseAdapters,
    logger,
    hashId,
    clock: systemClock,
    devChannel: config.devChannel,
    devChannelAnyPeer: config.devChannelAnyPeer,
    referencePrefix: config.caseReferencePrefix,
    trustProxy: config.trustProxy,
    publicBaseUrl: config.publicBaseUrl,
    capSender: config.capSender,
    alertSettings: config.alerts,
    alertSendRate: config.alertSendRate,
    alertLeaseMs: config.alertLeaseMs,
    chromiumPath: config.chromiumPath,
    audit: { secret: config.auditHmacSecret, checkpointDir: config.dataDir },
    ...(whatsappCloud ? { whatsappCloud } : {}),
  });

  let whatsapp: WhatsAppAdapter | undefined;
  if (config.whatsapp === 'web') {
    const { client, mediaFactory } = createWhatsAppClient({
      sessionDir: config.whatsappSessionDir,
      chromiumPath: config.chromiumPath,
    });
    whatsapp = new WhatsAppAdapter({
      client,
      logger: logger.child({ component: 'whatsapp' }),
      hashId,
      mediaFactory,
    });
    whatsapp.onTurnError = app.bot.onTurnError;
    app.channels.set('whatsapp', whatsapp);
    const running = app;
    await whatsapp.start((context) => running.lifecycle.track(() => running.bot.onTurn(context)));
  }

  // The broadcast resumes what a previous run left in the outbox, then follows stages and expiry.
  app.broadcast.start();
  app.alertScheduler.start();

  await app.http.listen({ port: config.port, host: config.host });
  logger.info(
    {
      port: config.port,
      devChannel: config.devChannel ? (config.devChannelAnyPeer ? 'any peer' : 'loopback') : 'off',
      whatsapp: config.whatsapp,
    },
    'Tifli is running',
  );

  const purge = async () => {
    try {
      logger.info(await app.purge(), 'retention purge done');
    } catch (error) {
      logger.error({ err: error }, 'retention purge failed');
    }
  };
  await purge();
  const purgeTimer = setInterval(() => void purge(), 15 * 60_000);
  purgeTimer.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new messages, finishing turns in flight');
    const force = setTimeout(() => {
      logger.error('turns did not finish in time, exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    clearInterval(purgeTimer);
    app.alertScheduler.stop();
    await app.broadcast.stop();
    await whatsapp?.stop();
    await app.lifecycle.drain();
    await app.turns.idle();
    await app.http.close();
    await app.poster.close();
    await fake?.close();
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** The Cloud API channel's settings, or none when another channel (or none) is configured. */
function cloudOptions(config: Config, fake: FakeGraph | null): CloudChannelOptions | undefined {
  const cloud = config.whatsappCloud;
  const shared = {
    graphVersion: cloud.graphVersion,
    throughput: cloud.throughput,
    messagingLimit: cloud.messagingLimit,
    templates: cloud.templates,
    unconfirmedGraceMs: cloud.unconfirmedGraceMs,
  };
  if (fake) {
    return {
      ...shared,
      phoneNumberId: fake.phoneNumberId,
      accessToken: fake.accessToken,
      appSecret: randomBytes(24).toString('hex'),
      verifyToken: randomBytes(12).toString('hex'),
      graphUrl: fake.url,
    };
  }
  if (config.whatsapp !== 'cloud') return undefined;
  const { phoneNumberId, accessToken, appSecret, verifyToken } = cloud;
  // The configuration refuses WHATSAPP=cloud without them; this only narrows their types.
  if (!phoneNumberId || !accessToken || !appSecret || !verifyToken) {
    throw new Error('WHATSAPP=cloud needs the phone number id, token, app secret and verify token');
  }
  return {
    ...shared,
    phoneNumberId,
    accessToken,
    appSecret,
    verifyToken,
    graphUrl: cloud.graphUrl,
  };
}

/**
 * Starts the fake Graph API with a generated token. What a person writes on
 * its playground (`POST /fake/inbound`) goes to the Cloud channel as the
 * webhook would hand it over, and the statuses of what the channel sent come back.
 */
async function startFakeGraph(
  config: Config,
  logger: Logger,
  webhook: () => FakeMetaWebhook | undefined,
): Promise<FakeGraph> {
  const post = (item: FakeItem) => {
    const sender = webhook();
    if (!sender) return;
    void sender
      .send([item])
      .catch((error: unknown) => logger.error({ err: error }, 'fake webhook delivery failed'));
  };
  return FakeGraph.start({
    port: config.whatsappCloud.fakePort,
    throughput: config.whatsappCloud.throughput,
    accessToken: randomBytes(24).toString('hex'),
    onInbound: (message) => {
      const sender = webhook();
      if (!sender) return;
      // A phone number is a wa_id; anything else is a business-scoped user id.
      const person = /^\+?\d+$/.test(message.from)
        ? { waId: message.from.replace(/^\+/, '') }
        : { userId: message.from };
      const content: FakeContent = message.location
        ? { type: 'location', ...message.location }
        : { type: 'text', body: message.text ?? '' };
      post(sender.message(person, content, { id: message.id, at: message.at }));
    },
    // Meta's status shape already: it goes into the notification as it is.
    onStatus: (status) => post({ kind: 'status', status: { ...status } }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Tifli failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
