import type { Alert } from '../../core/alert/alert.js';
import type { Logger } from '../../logger.js';
import type { AlertStore } from '../ports/alertStore.js';
import type { Clock } from '../ports/clock.js';
import type { AlertCommands } from './alertCommands.js';
import type { AlertProgress } from './alertProgress.js';
import type { BroadcastWorker } from './broadcastWorker.js';
import type { StageEnqueuer } from './stageEnqueuer.js';

export interface AlertSchedulerDeps {
  alerts: Pick<AlertStore, 'open' | 'get' | 'endedSince'>;
  commands: Pick<AlertCommands, 'end'>;
  stages: Pick<StageEnqueuer, 'enqueueDue' | 'queueClosing'>;
  worker: Pick<BroadcastWorker, 'renewLease' | 'follow' | 'drain'>;
  progress: Pick<AlertProgress, 'forget' | 'stop'>;
  clock: Clock;
  logger: Logger;
  /** How often a pass runs (config ALERT_TICK_MS). */
  tickMs: number;
}

/** How long after its end an alert's closing messages are still looked after. */
const CLOSING_WINDOW_MS = 3 * 24 * 3_600_000;

/**
 * The alerts' clock: a periodic pass that expires alerts past their window,
 * enqueues the stages whose time has come, finishes ends a crash
 * interrupted, and hands the broadcast worker whatever the outbox holds when
 * this instance sends. Every instance runs it; the guarded transitions make
 * two passes at once harmless.
 */
export class AlertScheduler {
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  /** The alert's state when this instance last handed its outbox to the worker. */
  private readonly outboxRead = new Map<string, string>();
  private wasSending = false;

  constructor(private readonly deps: AlertSchedulerDeps) {}

  /** One pass; a pass asked for while one runs joins it. */
  async reconcile(): Promise<void> {
    if (this.reconciling) return this.reconciling;
    this.reconciling = this.reconcileOnce().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const now = this.deps.clock.now();
    // Only the lease holder reads the outbox; the others move stages and expiry along.
    const sending = await this.deps.worker.renewLease();
    if (sending && !this.wasSending) this.outboxRead.clear();
    this.wasSending = sending;
    for (const alert of await this.deps.alerts.open()) {
      if (alert.state !== 'active') continue;
      if (alert.expiresAt && now.getTime() >= new Date(alert.expiresAt).getTime()) {
        // Guarded by the expiry as read: an extension made meanwhile wins.
        await this.deps.commands
          .end(alert, 'expired', 'system', alert.expiresAt)
          .catch((error: unknown) => {
            this.deps.logger.warn({ err: error, alertId: alert._id }, 'expiry lost a race');
          });
        continue;
      }
      const current = await this.deps.stages.enqueueDue(alert, now);
      if (sending) this.handOver(current);
    }
    // Ended alerts still have closing messages to send for a while.
    for (const alert of await this.deps.alerts.endedSince(
      new Date(now.getTime() - CLOSING_WINDOW_MS),
    )) {
      if (!alert.closingQueued && alert.approvedAt) await this.deps.stages.queueClosing(alert);
      if (sending) this.handOver((await this.deps.alerts.get(alert._id)) ?? alert);
    }
  }

  /**
   * Has the worker read an alert's outbox, once per change of the alert (a
   * stage, its end, its closings) or of the lease holder: what another
   * instance enqueued, or a dead worker left, is sent from here.
   */
  private handOver(alert: Alert): void {
    const signature = `${alert.state}:${alert.stagesQueued}:${alert.closingQueued}`;
    if (this.outboxRead.get(alert._id) === signature) return;
    // A lease that ran out between its renewal and now (a slow database) takes
    // nothing: the outbox is then read on a later pass, not marked as read.
    if (this.deps.worker.follow(alert._id)) this.outboxRead.set(alert._id, signature);
  }

  /** Starts the periodic pass (src/main.ts); tests call `reconcile` or `runOnce` themselves. */
  start(): void {
    if (this.timer) return;
    const tick = () =>
      void this.reconcile().catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'alert reconcile failed'),
      );
    tick();
    this.timer = setInterval(tick, this.deps.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.deps.progress.stop();
  }

  /** Runs a pass and sends everything due now (tests, the crash test's checks). */
  async runOnce(): Promise<void> {
    await this.reconcile();
    await this.deps.worker.drain();
    // Whoever asks next sees what was just sent.
    this.deps.progress.forget();
  }
}
