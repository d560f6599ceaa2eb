import type { Logger } from '../../logger.js';
import {
  type EmbeddedExposure,
  type EmbeddedFerretDb,
  startEmbeddedFerretDb,
} from './embeddedFerretDb.js';

/** How hard the supervisor tries before it declares the embedded database lost. */
export interface SupervisionPolicy {
  /** Restarts allowed within `windowMs`; one more means the database cannot come back. */
  maxRestarts: number;
  windowMs: number;
  /** The wait before the first restart; it doubles with each restart in the window. */
  firstDelayMs: number;
  maxDelayMs: number;
}

/**
 * Five restarts in five minutes: a crash now and then is survived without
 * anyone noticing, a FerretDB that dies as soon as it starts (a full disk, a
 * corrupted file) stops the service instead of looping forever.
 */
export const DEFAULT_SUPERVISION: SupervisionPolicy = {
  maxRestarts: 5,
  windowMs: 5 * 60_000,
  firstDelayMs: 250,
  maxDelayMs: 8_000,
};

/** The supervised database: always the same address, whichever process serves it. */
export interface SupervisedFerretDb {
  readonly uri: string;
  /** How it is reached (the first launch decides; restarts keep it). */
  readonly exposure: EmbeddedExposure;
  /** The process serving it now (none while it restarts). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the embedded FerretDB and keeps it running: when its process exits
 * without being asked to, it is started again on the same address and data
 * directory (the driver reconnects by itself), after a back-off that doubles
 * with each restart. When more than `maxRestarts` are needed within the
 * window, `onLost` is called once and nothing more is tried: the service
 * must stop, since it cannot work without its database.
 */
export async function superviseEmbeddedFerretDb(options: {
  dataDir: string;
  binary?: string;
  logger: Logger;
  onLost: (reason: string) => void;
  policy?: SupervisionPolicy;
}): Promise<SupervisedFerretDb> {
  const policy = options.policy ?? DEFAULT_SUPERVISION;
  const { logger } = options;
  const launch = (port: number) =>
    startEmbeddedFerretDb({
      dataDir: options.dataDir,
      port,
      ...(options.binary ? { binary: options.binary } : {}),
    });

  let current: EmbeddedFerretDb | undefined = await launch(0);
  // Restarts keep the first address, so the connection string never changes.
  const port = Number(new URL(current.uri).port);
  let stopping = false;
  let lost = false;
  let timer: NodeJS.Timeout | undefined;
  const restarts: number[] = [];

  const giveUp = (reason: string) => {
    if (lost) return;
    lost = true;
    logger.fatal({ restarts: restarts.length, windowMs: policy.windowMs }, reason);
    options.onLost(reason);
  };

  const scheduleRestart = () => {
    const now = Date.now();
    while (restarts.length > 0 && (restarts[0] ?? now) <= now - policy.windowMs) restarts.shift();
    if (restarts.length >= policy.maxRestarts) {
      giveUp(
        `the embedded database could not be kept running: ${restarts.length} restarts within ${Math.round(policy.windowMs / 1000)} s`,
      );
      return;
    }
    const delay = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** restarts.length);
    restarts.push(now);
    timer = setTimeout(() => void restart(), delay);
  };

  const restart = async () => {
    timer = undefined;
    if (stopping) return;
    try {
      const next = await launch(port);
      if (stopping) {
        await next.stop();
        return;
      }
      current = next;
      logger.warn(
        { ferretdbPid: next.pid, restarts: restarts.length },
        'embedded database restarted',
      );
      watch(next);
    } catch (error) {
      logger.error({ err: error }, 'embedded database restart failed');
      scheduleRestart();
    }
  };

  const watch = (server: EmbeddedFerretDb) => {
    void server.exited.then(({ code, signal }) => {
      if (stopping || current !== server) return;
      current = undefined;
      logger.error(
        { code, signal, ferretdbPid: server.pid },
        'embedded database exited; restarting it',
      );
      scheduleRestart();
    });
  };

  logger.info({ ferretdbPid: current.pid }, 'embedded database started');
  watch(current);

  return {
    uri: current.uri,
    exposure: current.exposure,
    pid: () => current?.pid,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await current?.stop();
    },
  };
}
