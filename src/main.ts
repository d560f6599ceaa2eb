import { randomBytes } from 'node:crypto';
import type { CloudChannelOptions } from './adapters/channels/cloud/cloudChannel.js';
import { cloudStatusOf, FakeGraph } from './adapters/channels/cloud/fake/fakeGraph.js';
import { messageActivity } from './adapters/channels/messageActivity.js';
import { WhatsAppAdapter } from './adapters/channels/whatsappAdapter.js';
import { createWhatsAppClient } from './adapters/channels/whatsappClient.js';
import { systemClock } from './app/ports/clock.js';
import { type App, buildApp } from './compose.js';
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

  const database = await openDatabase({ mongodbUri: config.mongodbUri, dataDir: config.dataDir });
  logger.info(
    { database: database.description, adapters: config.databaseAdapters },
    'database connected',
  );

  // WHATSAPP=cloud-fake: the official path against a fake Graph API on this machine.
  let app: App | undefined;
  const fake =
    config.whatsapp === 'cloud-fake' ? await startFakeGraph(config, logger, () => app) : null;
  if (fake) {
    logger.info(
      { fakeGraph: fake.url, playground: `${fake.url}/fake/inbound` },
      'fake Graph API started (WHATSAPP=cloud-fake)',
    );
  }
  const whatsappCloud = cloudOptions(config, fake);

  app = await buildApp({
    connection: database.connection,
    database: config.databaseAdapters,
    logger,
    hashId,
    clock: systemClock,
    devChannel: config.devChannel,
    referencePrefix: config.caseReferencePrefix,
    trustProxy: config.trustProxy,
    publicBaseUrl: config.publicBaseUrl,
    capSender: config.capSender,
    alertSettings: config.alerts,
    alertSendRate: config.alertSendRate,
    alertLeaseMs: config.alertLeaseMs,
    chromiumPath: config.chromiumPath,
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
    { port: config.port, devChannel: config.devChannel, whatsapp: config.whatsapp },
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
  app: () => App | undefined,
): Promise<FakeGraph> {
  return FakeGraph.start({
    port: config.whatsappCloud.fakePort,
    throughput: config.whatsappCloud.throughput,
    accessToken: randomBytes(24).toString('hex'),
    onInbound: (message) => {
      const cloud = app()?.cloud;
      if (!cloud) return;
      void cloud
        .processActivity(
          messageActivity({
            channelId: 'whatsapp',
            from: message.from,
            messageId: message.id,
            timestamp: message.at,
            ...(message.text ? { text: message.text } : {}),
            ...(message.location ? { location: message.location } : {}),
          }),
        )
        .catch((error: unknown) => logger.error({ err: error }, 'fake inbound message failed'));
    },
    onStatus: (status) => {
      void app()
        ?.cloud?.noteStatus(cloudStatusOf(status))
        .catch((error: unknown) => logger.error({ err: error }, 'fake status failed'));
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Tifli failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
