import type { Connection, Model } from 'mongoose';
import { mongo, Schema } from 'mongoose';
import type { Alert, AlertEndReason, CapRecord } from '../domain/alert.js';
import type { Language } from '../i18n/language.js';

const alertSchema = new Schema(
  {
    _id: { type: String, required: true },
    caseId: { type: String, required: true },
    caseReference: { type: String, required: true },
    region: { type: String, default: null },
    state: { type: String, required: true },
    endReason: { type: String, default: null },
    centre: { lat: Number, lon: Number },
    stages: [{ _id: false, afterMinutes: Number, radiusKm: Number }],
    windowHours: { type: Number, required: true },
    abductionSuspected: { type: Boolean, required: true },
    content: { type: Schema.Types.Mixed, required: true },
    photoId: { type: String, default: null },
    texts: { type: Schema.Types.Mixed, required: true },
    proposedBy: { type: String, required: true },
    proposedAt: { type: Date, required: true },
    approvedBy: { type: String, default: null },
    approvedAt: { type: Date, default: null },
    expiresAt: { type: Date, default: null },
    endedBy: { type: String, default: null },
    endedAt: { type: Date, default: null },
    stagesQueued: { type: Number, default: 0 },
    closingQueued: { type: Boolean, default: false },
    cap: { type: [Schema.Types.Mixed], default: [] },
  },
  { versionKey: false, collection: 'alerts', minimize: false },
);
// Alerts are few (a handful active nationwide): reading them all is cheaper
// than an index every insert pays for, and FerretDB would scan anyway.

/** What an outbox entry carries: the alert itself, or the closing message after it ended. */
export type DeliveryKind = 'alert' | 'closing';

/**
 * `queued` → `sending` (claimed by one worker) → `sent`; `skipped` when the
 * number sent STOP meanwhile, `cancelled` when the alert ended before it went
 * out, `failed` when the channel refused it.
 */
export const DELIVERY_STATES = [
  'queued',
  'sending',
  'sent',
  'skipped',
  'cancelled',
  'failed',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One message of one alert to one recipient; its `_id` makes it unique. */
export interface Delivery {
  _id: string;
  alertId: string;
  kind: DeliveryKind;
  subscriptionId: string;
  channel: string;
  address: string;
  language: Language;
  stage: number;
  state: DeliveryState;
  queuedAt: Date;
  claimedAt: Date | null;
  sentAt: Date | null;
  attempts: number;
}

const deliverySchema = new Schema<Delivery>(
  {
    _id: { type: String, required: true },
    alertId: { type: String, required: true },
    kind: { type: String, required: true },
    subscriptionId: { type: String, required: true },
    channel: { type: String, required: true },
    address: { type: String, required: true },
    language: { type: String, required: true },
    stage: { type: Number, required: true },
    state: { type: String, required: true },
    queuedAt: { type: Date, required: true },
    claimedAt: { type: Date, default: null },
    sentAt: { type: Date, default: null },
    attempts: { type: Number, default: 0 },
  },
  { versionKey: false, collection: 'alert_deliveries' },
);

/** The outbox key: one alert (or closing) message per alert and recipient. */
export const deliveryId = (alertId: string, kind: DeliveryKind, subscriptionId: string): string =>
  `${alertId}:${kind}:${subscriptionId}`;

/** Counts of an alert's outbox, for the console. */
export interface DeliveryProgress {
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
  cancelled: number;
  closingSent: number;
}

/** A bulk insert that failed only on duplicates (a stage enqueued again after a crash). */
function onlyDuplicates(error: unknown): error is mongo.MongoBulkWriteError {
  if (!(error instanceof mongo.MongoBulkWriteError)) return false;
  // The driver gives one write error as an object and several as an array.
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.length > 0 && writeErrors.every((entry) => entry.code === 11000);
}

/**
 * Alerts and their outbox on MongoDB. Every state change is one
 * single-document update guarded by the expected state; outbox entries are
 * claimed one by one by `_id`, so two workers never send the same message.
 */
export class MongoAlertRepository {
  private readonly alerts: Model<Alert>;
  private readonly deliveries: Model<Delivery>;
  /** The outbox's own collection, for bulk inserts without mongoose's per-document work. */
  private readonly outbox: mongo.Collection<Delivery>;

  constructor(connection: Connection) {
    this.outbox = connection.collection<Delivery>('alert_deliveries');
    this.alerts = connection.models.Alert ?? connection.model<Alert>('Alert', alertSchema);
    this.deliveries =
      connection.models.AlertDelivery ??
      connection.model<Delivery>('AlertDelivery', deliverySchema);
  }

  async insert(alert: Alert): Promise<void> {
    await this.alerts.create(alert);
  }

  get(id: string): Promise<Alert | null> {
    return this.alerts.findOne({ _id: id }).lean<Alert>();
  }

  /** A case's alerts, newest first. */
  async forCase(caseId: string): Promise<Alert[]> {
    return this.alerts.find({ caseId }).sort({ proposedAt: -1 }).lean<Alert[]>();
  }

  /** Alerts not yet over: proposed or active (the worker's and the bot's view). */
  async open(): Promise<Alert[]> {
    return this.alerts.find({ state: { $in: ['proposed', 'active'] } }).lean<Alert[]>();
  }

  /** Ended alerts whose closing messages are still to enqueue (after a crash). */
  async endedWithoutClosing(): Promise<Alert[]> {
    return this.alerts.find({ state: 'ended', closingQueued: false }).lean<Alert[]>();
  }

  /**
   * Changes an alert if it is still in `from` (and, when given, still has
   * `stagesQueued` stages enqueued); `null` when someone else changed it first.
   */
  async update(
    id: string,
    guard: { state: Alert['state'] | Alert['state'][]; stagesQueued?: number },
    set: Partial<Alert>,
    push?: { cap: CapRecord },
  ): Promise<Alert | null> {
    const states = Array.isArray(guard.state) ? guard.state : [guard.state];
    return this.alerts
      .findOneAndUpdate(
        {
          _id: id,
          state: { $in: states },
          ...(guard.stagesQueued === undefined ? {} : { stagesQueued: guard.stagesQueued }),
        },
        { $set: set, ...(push ? { $push: push } : {}) },
        { new: true },
      )
      .lean<Alert>();
  }

  /** Ends an alert that is proposed or active; `null` if it had already ended. */
  end(
    id: string,
    reason: AlertEndReason,
    by: string,
    now: Date,
    cancel: CapRecord | null,
  ): Promise<Alert | null> {
    return this.update(
      id,
      { state: ['proposed', 'active'] },
      { state: 'ended', endReason: reason, endedBy: by, endedAt: now },
      cancel ? { cap: cancel } : undefined,
    );
  }

  /**
   * Adds outbox entries; entries that already exist (the same recipient in an
   * inner ring, or a stage enqueued again after a crash) are left as they are.
   * Returns how many were new.
   */
  async enqueue(entries: Delivery[]): Promise<number> {
    if (entries.length === 0) return 0;
    try {
      const inserted = await this.outbox.insertMany(entries, { ordered: false });
      return inserted.insertedCount;
    } catch (error) {
      if (!onlyDuplicates(error)) throw error;
      return error.insertedCount;
    }
  }

  /** Outbox entries of an alert still to send (read once when a worker takes an alert up). */
  async pending(alertId: string): Promise<Delivery[]> {
    return this.deliveries
      .find({ alertId, state: { $in: ['queued', 'sending'] } })
      .sort({ queuedAt: 1, _id: 1 })
      .lean<Delivery[]>();
  }

  /** The recipients the alert reached (for the closing message). */
  async reached(alertId: string): Promise<Delivery[]> {
    return this.deliveries
      .find({ alertId, kind: 'alert', state: { $in: ['sent', 'sending'] } })
      .lean<Delivery[]>();
  }

  /**
   * Claims one entry for sending. A `queued` entry is claimed outright; a
   * `sending` one only once its claim is older than `staleBefore` (its worker
   * died between claiming and recording the send).
   */
  async claim(id: string, now: Date, staleBefore: Date): Promise<Delivery | null> {
    const queued = await this.deliveries
      .findOneAndUpdate(
        { _id: id, state: 'queued' },
        { $set: { state: 'sending', claimedAt: now }, $inc: { attempts: 1 } },
        { new: true },
      )
      .lean<Delivery>();
    if (queued) return queued;
    return this.deliveries
      .findOneAndUpdate(
        { _id: id, state: 'sending', claimedAt: { $lt: staleBefore } },
        { $set: { claimedAt: now }, $inc: { attempts: 1 } },
        { new: true },
      )
      .lean<Delivery>();
  }

  /** Records how a claimed entry ended. */
  async settle(id: string, state: Exclude<DeliveryState, 'queued' | 'sending'>, now: Date) {
    await this.deliveries.updateOne(
      { _id: id, state: 'sending' },
      { $set: { state, ...(state === 'sent' ? { sentAt: now } : {}) } },
    );
  }

  /** Entries of an ended alert that never went out will not go out. */
  async cancelQueued(alertId: string): Promise<void> {
    await this.deliveries.updateMany(
      { alertId, kind: 'alert', state: 'queued' },
      { $set: { state: 'cancelled' } },
    );
  }

  /** The outbox's counts for an alert. */
  async progress(alertId: string): Promise<DeliveryProgress> {
    const rows = await this.deliveries.aggregate<{
      _id: { kind: DeliveryKind; state: DeliveryState };
      count: number;
    }>([
      { $match: { alertId } },
      { $group: { _id: { kind: '$kind', state: '$state' }, count: { $sum: 1 } } },
    ]);
    const progress: DeliveryProgress = {
      queued: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      cancelled: 0,
      closingSent: 0,
    };
    for (const row of rows) {
      if (row._id.kind === 'closing') {
        if (row._id.state === 'sent') progress.closingSent += row.count;
        continue;
      }
      switch (row._id.state) {
        case 'queued':
        case 'sending':
          progress.queued += row.count;
          break;
        case 'sent':
          progress.sent += row.count;
          break;
        case 'failed':
          progress.failed += row.count;
          break;
        case 'skipped':
          progress.skipped += row.count;
          break;
        case 'cancelled':
          progress.cancelled += row.count;
          break;
        default: {
          const unreachable: never = row._id.state;
          throw new Error(`unknown delivery state ${String(unreachable)}`);
        }
      }
    }
    return progress;
  }

  /** Whether this recipient received this alert (the bot's "which child?"). */
  async received(alertId: string, subscriptionId: string): Promise<boolean> {
    const found = await this.deliveries
      .findOne({ _id: deliveryId(alertId, 'alert', subscriptionId) }, { state: 1 })
      .lean();
    return found?.state === 'sent' || found?.state === 'sending';
  }
}
