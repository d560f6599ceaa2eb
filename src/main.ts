import { WhatsAppAdapter } from './adapters/channels/whatsappAdapter.js';
import { createWhatsAppClient } from './adapters/channels/whatsappClient.js';
import { systemClock } from './app/ports/clock.js';
import { buildApp } from './compose.js';
import { loadConfig } from './config.js';
import { openDatabase } from './database.js';
import { createIdHasher, createLogger } from './logger.js';

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
  });

  let whatsapp: WhatsAppAdapter | undefined;
  if (config.whatsapp) {
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
    await whatsapp.start((context) => app.lifecycle.track(() => app.bot.onTurn(context)));
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
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Tifli failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
