import { randomUUID } from 'node:crypto';
import type { FamilyNotifier } from '../../adapters/channels/familyNotifier.js';
import type { MongoAlertRepository } from '../../adapters/mongo/alertRepository.js';
import type { MongoCaseRepository } from '../../adapters/mongo/caseRepository.js';
import {
  type Alert,
  type AlertEndReason,
  type AlertStage,
  type AlertTexts,
  type CapRecord,
  containsPhoneNumber,
  type GeoPoint,
  insideStage,
  publicProjection,
  stageAt,
} from '../../core/alert/alert.js';
import { composeAlertTexts, PHONE_IN_TEXT_ERROR_KEY } from '../../core/alert/composeAlert.js';
import { type Delivery, type DeliveryProgress, deliveryId } from '../../core/alert/delivery.js';
import type { StoredCase } from '../../core/case/storedCase.js';
import { key, raw } from '../../core/conversation/text.js';
import { AppError } from '../../core/errors.js';
import type { Translator } from '../../core/i18n/translator.js';
import { LANGUAGES, type Language } from '../../core/nlu/language.js';
import type { Officer } from '../../core/officer.js';
import type { Gazetteer } from '../../core/place/gazetteer.js';
import { subscriptionKey } from '../../core/subscription.js';
import { channelErrorSummary, type Logger } from '../../logger.js';
import type { AlertChoice, AlertDirectory } from '../ports/alertDirectory.js';
import type { Clock } from '../ports/clock.js';
import type { Events } from '../ports/events.js';
import type { BroadcastWorker } from './broadcastWorker.js';

/** The alert settings an operator chooses (config: ALERT_*). */
export interface AlertSettings {
  stages: readonly AlertStage[];
  windowHours: number;
  /** The longest an alert may last in all, extensions included. */
  maxHours: number;
  /** How often stages, expiry and stranded outbox entries are looked at. */
  tickMs: number;
}

/** A subscriber as the broadcast selects it: where (a cell's or city's centre) and how to write. */
export interface SubscriberPoint {
  _id: string;
  channel: string;
  address: string;
  language: Language;
  centre: GeoPoint;
}

/** Where subscribers are: those whose area may lie within a circle, streamed. */
export interface SubscriberDirectory {
  within(centre: GeoPoint, radiusKm: number): AsyncIterable<SubscriberPoint>;
}

export interface AlertServiceDeps {
  alerts: MongoAlertRepository;
  cases: MongoCaseRepository;
  subscribers: SubscriberDirectory;
  worker: BroadcastWorker;
  gazetteer: Gazetteer;
  translator: Translator;
  notifier: FamilyNotifier;
  events: Events;
  clock: Clock;
  logger: Logger;
  settings: AlertSettings;
}

/** What an officer proposes; every field has a default from the case and the settings. */
export interface AlertProposal {
  centre?: GeoPoint | undefined;
  stages?: AlertStage[] | undefined;
  windowHours?: number | undefined;
  texts?: AlertTexts | undefined;
}

const INSERT_BATCH = 5000;
/** How long after its end an alert's closing messages are still looked after. */
const CLOSING_WINDOW_MS = 3 * 24 * 3_600_000;

/**
 * The alert's life: proposal, approval by another supervisor, staged
 * widening, extension, and the end (cancel, expiry, child found) with its
 * closing messages. Each step is a guarded single-document update, and the
 * periodic `reconcile` redoes whatever a crash interrupted.
 */
export class AlertService {
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private readonly progressTimers = new Map<string, NodeJS.Timeout>();
  private readonly endedCache = new Map<string, boolean>();
  private readonly activeSeen = new Map<string, number>();
  private readonly progressCache = new Map<string, { at: number; value: DeliveryProgress }>();
  /** The alert's state when this instance last read its outbox. */
  private readonly outboxRead = new Map<string, string>();
  private wasSending = false;

  constructor(private readonly deps: AlertServiceDeps) {}

  /** The centre an alert defaults to: the pin, or the city of the place last seen. */
  defaultCentre(found: StoredCase): GeoPoint | null {
    const place = found.lastSeen.place;
    if (place.kind === 'pin') return { lat: place.latitude, lon: place.longitude };
    const city =
      this.deps.gazetteer.findCity(found.lastSeen.city ?? '') ??
      this.deps.gazetteer.findCity(place.text);
    return city ? { lat: city.lat, lon: city.lon } : null;
  }

  /** What the officer sees before proposing: nothing is stored. */
  preview(found: StoredCase) {
    const content = publicProjection(found);
    return {
      content,
      texts: composeAlertTexts(content, {
        translator: this.deps.translator,
        abductionSuspected: found.abduction.suspected === 'yes',
      }),
      centre: this.defaultCentre(found),
      stages: [...this.deps.settings.stages],
      windowHours: this.deps.settings.windowHours,
    };
  }

  async propose(found: StoredCase, officer: Officer, proposal: AlertProposal): Promise<Alert> {
    if (found.status !== 'confirmed')
      throw new AppError('conflict', 'the case is not confirmed', undefined, {
        key: 'alert:errors.case_not_confirmed',
      });
    const preview = this.preview(found);
    const centre = proposal.centre ?? preview.centre;
    if (!centre)
      throw new AppError('bad_request', 'no centre: the place last seen is not known', undefined, {
        key: 'alert:errors.no_centre',
        fields: ['centre'],
      });
    const windowHours = proposal.windowHours ?? this.deps.settings.windowHours;
    if (windowHours > this.deps.settings.maxHours) throw this.tooLong(['windowHours']);
    const texts = proposal.texts ?? preview.texts;
    const withPhone = LANGUAGES.filter((language) => containsPhoneNumber(texts[language]));
    if (withPhone.length > 0)
      throw new AppError('bad_request', 'alert text carries a phone number', undefined, {
        key: PHONE_IN_TEXT_ERROR_KEY,
        fields: withPhone.map((language) => `texts.${language}`),
      });
    const now = this.deps.clock.now();
    const alertId = randomUUID();
    if (!(await this.deps.alerts.claimOpen(found._id, alertId)))
      throw new AppError('conflict', 'this case already has an open alert', undefined, {
        key: 'alert:errors.already_open',
      });
    const alert: Alert = {
      _id: alertId,
      caseId: found._id,
      caseReference: found.reference,
      region: found.region,
      state: 'proposed',
      endReason: null,
      centre,
      stages: proposal.stages ?? [...this.deps.settings.stages],
      windowHours,
      abductionSuspected: found.abduction.suspected === 'yes',
      content: preview.content,
      photoId: found.child.photoId,
      texts,
      proposedBy: officer.username,
      proposedAt: now,
      approvedBy: null,
      approvedAt: null,
      expiresAt: null,
      endedBy: null,
      endedAt: null,
      stagesQueued: 0,
      closingQueued: false,
      cap: [],
    };
    try {
      await this.deps.alerts.insert(alert);
    } catch (error) {
      await this.deps.alerts.releaseOpen(found._id, alertId);
      throw error;
    }
    await this.audit(alert, officer.username, 'alert.proposed', now);
    this.publish(alert);
    return alert;
  }

  /**
   * A supervisor other than the proposer approves: the case becomes
   * `alert_active`, the first stage is enqueued and the family is told.
   */
  async approve(alert: Alert, officer: Officer): Promise<Alert> {
    if (alert.state !== 'proposed') throw notProposed();
    if (alert.proposedBy === officer.username)
      throw new AppError('conflict', 'the proposer cannot approve their own alert', undefined, {
        key: 'alert:errors.own_proposal',
      });
    const now = this.deps.clock.now();
    const moved = await this.deps.cases.transition(
      alert.caseId,
      'activateAlert',
      officer.username,
      now,
    );
    if (!moved.ok)
      throw new AppError('conflict', 'the case is no longer confirmed', undefined, {
        key: 'alert:errors.case_changed',
      });
    const approved = await this.deps.alerts.update(
      alert._id,
      { state: 'proposed' },
      {
        state: 'active',
        approvedBy: officer.username,
        approvedAt: now,
        expiresAt: new Date(now.getTime() + alert.windowHours * 3_600_000),
      },
      { cap: capRecord(alert, 'Alert', now, 0) },
    );
    if (!approved) {
      // Cancelled between our read and our write: put the case back.
      await this.deps.cases.transition(alert.caseId, 'endAlert', officer.username, now);
      throw notProposed();
    }
    await this.audit(approved, officer.username, 'alert.approved', now);
    // The family hears first; choosing the recipients among every subscriber takes longer.
    await this.tellFamily(approved, 'alert:family.live');
    this.publish(approved);
    await this.enqueueDueStages(approved, now);
    return (await this.deps.alerts.get(alert._id)) ?? approved;
  }

  /** Adds hours to an active alert, up to the maximum. */
  async extend(alert: Alert, officer: Officer, hours: number): Promise<Alert> {
    if (alert.state !== 'active' || !alert.expiresAt || !alert.approvedAt) throw notActive();
    const windowHours = alert.windowHours + hours;
    if (windowHours > this.deps.settings.maxHours) throw this.tooLong(['hours']);
    const now = this.deps.clock.now();
    const extended = await this.deps.alerts.update(
      alert._id,
      { state: 'active' },
      {
        windowHours,
        expiresAt: new Date(new Date(alert.approvedAt).getTime() + windowHours * 3_600_000),
      },
    );
    if (!extended) throw notActive();
    await this.audit(extended, officer.username, 'alert.extended', now);
    this.publish(extended);
    return extended;
  }

  private tooLong(fields: string[]): AppError {
    const max = this.deps.settings.maxHours;
    return new AppError('bad_request', `an alert lasts at most ${max} h`, undefined, {
      key: 'alert:errors.too_long',
      params: { max: String(max) },
      fields,
    });
  }

  /** Cancels a proposed or active alert. */
  cancel(alert: Alert, officer: Officer): Promise<Alert> {
    return this.end(alert, 'cancelled', officer.username);
  }

  /** The case was resolved: its open alert ends with "the child has been found". */
  async endForCase(caseId: string, by: string): Promise<void> {
    for (const alert of await this.deps.alerts.forCase(caseId)) {
      if (alert.state === 'ended') continue;
      // Ended meanwhile (cancelled, expired): the case is resolved all the same.
      await this.end(alert, 'resolved', by).catch((error: unknown) => {
        if (!(error instanceof AppError && error.code === 'conflict')) throw error;
      });
    }
  }

  /**
   * Ends an alert: nothing more of it is sent, the case goes back to
   * `confirmed` (unless the child was found), a CAP Cancel is published and
   * everyone it reached gets the closing message.
   */
  async end(
    alert: Alert,
    reason: AlertEndReason,
    by: string,
    expiresAt?: Date | null,
  ): Promise<Alert> {
    const now = this.deps.clock.now();
    // Whether it was active is decided by the write that ends it, not by an
    // earlier read: an approval may have landed in between.
    const ended =
      (await this.deps.alerts.end(
        alert._id,
        'active',
        {
          reason,
          by,
          now,
          cancel: capRecord(alert, 'Cancel', now, Math.max(0, alert.stagesQueued - 1)),
        },
        expiresAt,
      )) ??
      (expiresAt === undefined
        ? await this.deps.alerts.end(alert._id, 'proposed', { reason, by, now, cancel: null })
        : null);
    if (!ended)
      throw new AppError('conflict', 'the alert has already ended', undefined, {
        key: 'alert:errors.ended',
      });
    const wasActive = ended.approvedAt !== null;
    this.endedCache.set(alert._id, true);
    await this.deps.alerts.releaseOpen(alert.caseId, alert._id);
    await this.audit(ended, by, `alert.${reason}`, now);
    if (reason !== 'resolved') {
      // Guarded by the case's state: a case an approval left in `alert_active` comes back too.
      await this.deps.cases.transition(alert.caseId, 'endAlert', by, now);
    }
    if (wasActive) {
      if (reason !== 'resolved') await this.tellFamily(ended, 'alert:family.ended');
      await this.queueClosing(ended);
    } else {
      await this.deps.alerts.update(alert._id, { state: 'ended' }, { closingQueued: true });
    }
    this.publish(ended);
    return (await this.deps.alerts.get(alert._id)) ?? ended;
  }

  /** Whether an outbox entry may still go out: alerts only while active, closings always. */
  async maySend(delivery: Delivery): Promise<boolean> {
    if (delivery.kind === 'closing') return true;
    if (this.endedCache.get(delivery.alertId)) return false;
    // An active alert is re-read at most once a second: a cancel on another
    // instance stops this one's sends within that second.
    const checkedActive = this.activeSeen.get(delivery.alertId);
    if (checkedActive !== undefined && performance.now() - checkedActive < 1000) return true;
    const alert = await this.deps.alerts.get(delivery.alertId);
    if (alert?.state !== 'active') {
      this.endedCache.set(delivery.alertId, true);
      return false;
    }
    this.activeSeen.set(delivery.alertId, performance.now());
    return true;
  }

  /**
   * The console's view of one alert's outbox, counted at most once a second
   * per alert (counting reads the whole outbox on FerretDB).
   */
  async progress(alert: Alert): Promise<DeliveryProgress> {
    const key = `${alert._id}:${alert.state}`;
    const cached = this.progressCache.get(key);
    if (cached && performance.now() - cached.at < 1000) return cached.value;
    const value = await this.deps.alerts.progress(alert._id, alert.state === 'ended');
    this.progressCache.set(key, { at: performance.now(), value });
    return value;
  }

  /** Tells the console (at most once a second per alert) that a broadcast progressed. */
  sent(delivery: Delivery): void {
    if (this.progressTimers.has(delivery.alertId)) return;
    const timer = setTimeout(() => {
      this.progressTimers.delete(delivery.alertId);
      void this.deps.alerts.get(delivery.alertId).then(
        (alert) => alert && this.publish(alert),
        (error: unknown) => this.deps.logger.warn({ err: error }, 'progress event failed'),
      );
    }, 1000);
    timer.unref();
    this.progressTimers.set(delivery.alertId, timer);
  }

  /**
   * One pass over open alerts: expire those past their window, enqueue the
   * stages whose time has come, finish ends a crash interrupted, and hand the
   * worker whatever is pending in the outbox.
   */
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
        await this.end(alert, 'expired', 'system', alert.expiresAt).catch((error: unknown) => {
          this.deps.logger.warn({ err: error, alertId: alert._id }, 'expiry lost a race');
        });
        continue;
      }
      const current = await this.enqueueDueStages(alert, now);
      if (sending) await this.readOutbox(current);
    }
    // Ended alerts still have closing messages to send for a while.
    for (const alert of await this.deps.alerts.endedSince(
      new Date(now.getTime() - CLOSING_WINDOW_MS),
    )) {
      if (!alert.closingQueued && alert.approvedAt) await this.queueClosing(alert);
      if (sending) await this.readOutbox((await this.deps.alerts.get(alert._id)) ?? alert);
    }
  }

  /**
   * Hands the worker what the outbox holds for an alert, once per change of
   * the alert (a stage, its end, its closings) or of the lease holder: what
   * another instance enqueued, or a dead worker left, is sent from here.
   */
  private async readOutbox(alert: Alert): Promise<void> {
    const signature = `${alert.state}:${alert.stagesQueued}:${alert.closingQueued}`;
    if (this.outboxRead.get(alert._id) === signature) return;
    this.deps.worker.add(await this.deps.alerts.pending(alert._id));
    this.outboxRead.set(alert._id, signature);
  }

  /** Starts the periodic reconcile (src/main.ts); tests call `reconcile` themselves. */
  start(): void {
    if (this.timer) return;
    const tick = () =>
      void this.reconcile().catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'alert reconcile failed'),
      );
    tick();
    this.timer = setInterval(tick, this.deps.settings.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const timer of this.progressTimers.values()) clearTimeout(timer);
    this.progressTimers.clear();
  }

  /** Runs a reconcile and sends everything due now (tests, the crash test's checks). */
  async runOnce(): Promise<void> {
    await this.reconcile();
    await this.deps.worker.drain();
    // Whoever asks next sees what was just sent.
    this.progressCache.clear();
  }

  /** The bot's view: open alerts, those this number received first. */
  readonly directory: AlertDirectory = {
    activeFor: async (channel, address) => {
      const subscriptionId = subscriptionKey(channel, address);
      const choices: AlertChoice[] = [];
      for (const alert of await this.deps.alerts.open()) {
        if (alert.state !== 'active') continue;
        choices.push({
          alertId: alert._id,
          caseId: alert.caseId,
          firstName: alert.content.firstName,
          ageYears: alert.content.age.years,
          city: alert.content.lastSeen.city,
          received: await this.deps.alerts.received(alert._id, subscriptionId),
        });
      }
      return choices.sort((a, b) => Number(b.received) - Number(a.received));
    },
  };

  /**
   * Enqueues every stage whose time has come and that is not enqueued yet.
   * Recipients already reached by an inner ring are duplicates the outbox
   * ignores, so a widening reaches only the new ring.
   */
  private async enqueueDueStages(alert: Alert, now: Date): Promise<Alert> {
    let current = alert;
    const due = stageAt(current, now);
    while (current.stagesQueued <= due) {
      const stage = current.stagesQueued;
      const added = await this.enqueueStage(current, stage, now);
      const record = stage === 0 ? undefined : { cap: capRecord(current, 'Update', now, stage) };
      const next = await this.deps.alerts.update(
        current._id,
        { state: 'active', stagesQueued: stage },
        { stagesQueued: stage + 1 },
        record,
      );
      // Another instance moved it on, or it ended: its state is read again.
      if (!next) return (await this.deps.alerts.get(current._id)) ?? current;
      this.deps.logger.info({ alertId: current._id, stage, recipients: added }, 'stage enqueued');
      await this.audit(next, 'system', 'alert.stage', now, { stage, recipients: added });
      this.publish(next);
      current = next;
    }
    return current;
  }

  private async enqueueStage(alert: Alert, stage: number, now: Date): Promise<number> {
    const ring = alert.stages[stage];
    if (!ring) return 0;
    let batch: Delivery[] = [];
    const queued: Delivery[] = [];
    let added = 0;
    const flush = async () => {
      const fresh = await this.deps.alerts.enqueue(batch);
      added += fresh.length;
      queued.push(...fresh);
      batch = [];
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
    // Recipients of inner rings are duplicates the outbox kept as they were; the
    // worker skips entries it already has. A restart reads the outbox instead.
    this.deps.worker.add(queued);
    return added;
  }

  /** Everyone the alert reached gets the closing message (once: the outbox key is unique). */
  private async queueClosing(alert: Alert): Promise<void> {
    // A send already under way may still reach someone: they get the closing too.
    await this.deps.worker.inFlightSettled();
    const now = this.deps.clock.now();
    const reached = await this.deps.alerts.reached(alert._id);
    const entries: Delivery[] = reached.map((delivery) => ({
      ...delivery,
      _id: deliveryId(alert._id, 'closing', delivery.subscriptionId),
      kind: 'closing',
      queuedAt: now,
    }));
    const fresh: Delivery[] = [];
    for (let start = 0; start < entries.length; start += INSERT_BATCH) {
      fresh.push(...(await this.deps.alerts.enqueue(entries.slice(start, start + INSERT_BATCH))));
    }
    await this.deps.alerts.update(alert._id, { state: 'ended' }, { closingQueued: true });
    this.deps.worker.add(fresh);
  }

  private async tellFamily(alert: Alert, sentence: string): Promise<void> {
    const found = await this.deps.cases.get(alert.caseId);
    if (!found) return;
    try {
      await this.deps.notifier.send(
        { channel: found.channel, address: found.reporter.address, language: found.language },
        key(sentence, { reference: raw(found.reference) }),
      );
    } catch (error) {
      this.deps.logger.error(
        { ...channelErrorSummary(error), caseId: found._id },
        'family notification failed',
      );
    }
  }

  private async audit(
    alert: Alert,
    actor: string,
    action: string,
    at: Date,
    details: Record<string, string | number | boolean | null> = {},
  ): Promise<void> {
    await this.deps.cases.recordAlert(alert.caseId, {
      at,
      actor,
      action,
      details: { alertId: alert._id, ...details },
    });
  }

  private publish(alert: Alert): void {
    this.deps.events.publish({
      type: 'alert',
      caseId: alert.caseId,
      region: alert.region,
      alertId: alert._id,
    });
  }
}

const notProposed = () =>
  new AppError('conflict', 'the alert is not proposed', undefined, {
    key: 'alert:errors.not_proposed',
  });
const notActive = () =>
  new AppError('conflict', 'the alert is not active', undefined, {
    key: 'alert:errors.not_active',
  });

/**
 * The next CAP message of an alert's chain. Its identifier says what it is
 * (`-alert`, `-stage2`, `-cancel`), so two instances writing the same step
 * write the same identifier, never two that clash.
 */
function capRecord(
  alert: Alert,
  msgType: CapRecord['msgType'],
  now: Date,
  stage: number,
): CapRecord {
  const step = msgType === 'Alert' ? 'alert' : msgType === 'Update' ? `stage${stage}` : 'cancel';
  return {
    identifier: `tifli-${alert._id}-${step}`,
    msgType,
    sent: now.toISOString(),
    stage,
  };
}
