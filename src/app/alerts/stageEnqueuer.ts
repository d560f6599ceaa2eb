import { type Alert, insideStage, stageAt } from '../../core/alert/alert.js';
import { capRecord } from '../../core/alert/alertLifecycle.js';
import { type Delivery, deliveryId } from '../../core/alert/delivery.js';
import type { Logger } from '../../logger.js';
import type { AlertStore } from '../ports/alertStore.js';
import type { CaseStore } from '../ports/caseStore.js';
import type { Clock } from '../ports/clock.js';
import type { Events } from '../ports/events.js';
import type { Outbox } from '../ports/outbox.js';
import type { SubscriberIndex } from '../ports/subscriptions.js';
import { publishAlert, recordAlertStep } from './alertSteps.js';

/** What the enqueuer asks of the broadcast worker. */
export interface BroadcastQueue {
  /** Entries just enqueued, taken in memory when they fit; false when the outbox must be read. */
  offer(alertId: string, entries: readonly Delivery[]): boolean;
  /** The outbox of this alert has new entries to send: read it. */
  follow(alertId: string): boolean;
  /** Resolves when the sends under way have finished. */
  inFlightSettled(): Promise<void>;
}

export interface StageEnqueuerDeps {
  alerts: AlertStore;
  outbox: Outbox;
  subscribers: Pick<SubscriberIndex, 'within'>;
  cases: Pick<CaseStore, 'recordAlert'>;
  broadcast: BroadcastQueue;
  events: Events;
  clock: Clock;
  logger: Logger;
}

/** Entries written per insert: large enough to be quick, small enough to stay far from 16 MiB. */
const INSERT_BATCH = 5000;

/**
 * Fills the outbox: each stage's recipients when its time comes, and the
 * closing message for everyone an ended alert reached. Recipients come from
 * the subscriber index and are kept within the exact distance; they are
 * written in batches, never gathered whole. Recipients of an inner ring are
 * duplicates the outbox ignores, so a widening reaches only the new ring.
 */
export class StageEnqueuer {
  constructor(private readonly deps: StageEnqueuerDeps) {}

  /**
   * Enqueues every stage whose time has come and that is not enqueued yet;
   * returns the alert as it is after them.
   */
  async enqueueDue(alert: Alert, now: Date): Promise<Alert> {
    let current = alert;
    const due = stageAt(current, now);
    while (current.stagesQueued <= due) {
      const stage = current.stagesQueued;
      const { added, overflow } = await this.enqueueStage(current, stage, now);
      // Read only after the stage is recorded, so the read does not hold up the write.
      const follow = () => overflow && this.deps.broadcast.follow(current._id);
      const next = await this.deps.alerts.apply(current._id, {
        transition: 'widen',
        stagesQueued: stage,
        set: { stagesQueued: stage + 1 },
        ...(stage === 0 ? {} : { cap: capRecord(current, 'Update', now, stage) }),
      });
      follow();
      // Another instance moved it on, or it ended: its state is read again.
      if (!next) return (await this.deps.alerts.get(current._id)) ?? current;
      this.deps.logger.info({ alertId: current._id, stage, recipients: added }, 'stage enqueued');
      await recordAlertStep(this.deps.cases, next, {
        actor: 'system',
        action: 'alert.stage',
        at: now,
        details: { stage, recipients: added },
      });
      publishAlert(this.deps.events, next);
      current = next;
    }
    return current;
  }

  /** Enqueues one ring; `overflow` when the worker could not take the new entries in memory. */
  private async enqueueStage(
    alert: Alert,
    stage: number,
    now: Date,
  ): Promise<{ added: number; overflow: boolean }> {
    const ring = alert.stages[stage];
    if (!ring) return { added: 0, overflow: false };
    const batch: Delivery[] = [];
    let added = 0;
    let overflow = false;
    const flush = async () => {
      const fresh = await this.deps.outbox.enqueue(batch);
      added += fresh.length;
      if (!this.deps.broadcast.offer(alert._id, fresh)) overflow = true;
      batch.length = 0;
    };
    for await (const subscriber of this.deps.subscribers.within(alert.centre, ring.radiusKm)) {
      if (!insideStage(alert.centre, ring, subscriber.centre)) continue;
      batch.push({
        _id: deliveryId(alert._id, 'alert', subscriber._id),
        alertId: alert._id,
        kind: 'alert',
        subscriptionId: subscriber._id,
        channel: subscriber.channel,
        address: subscriber.address,
        language: subscriber.language,
        stage,
        queuedAt: now,
      });
      if (batch.length >= INSERT_BATCH) await flush();
    }
    await flush();
    return { added, overflow };
  }

  /** Everyone the alert reached gets the closing message (once: the outbox key is unique). */
  async queueClosing(alert: Alert): Promise<void> {
    // A send already under way may still reach someone: they get the closing too.
    await this.deps.broadcast.inFlightSettled();
    const now = this.deps.clock.now();
    const batch: Delivery[] = [];
    let overflow = false;
    const flush = async () => {
      const fresh = await this.deps.outbox.enqueue(batch);
      if (!this.deps.broadcast.offer(alert._id, fresh)) overflow = true;
      batch.length = 0;
    };
    for await (const delivery of this.deps.outbox.reached(alert._id)) {
      batch.push({
        ...delivery,
        _id: deliveryId(alert._id, 'closing', delivery.subscriptionId),
        kind: 'closing',
        queuedAt: now,
      });
      if (batch.length >= INSERT_BATCH) await flush();
    }
    await flush();
    await this.deps.alerts.markClosingQueued(alert._id);
    if (overflow) this.deps.broadcast.follow(alert._id);
  }
}
