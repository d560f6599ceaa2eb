import type { Connection, Model } from 'mongoose';
import { mongo, Schema } from 'mongoose';
import { z } from 'zod';
import {
  ALERT_END_REASONS,
  ALERT_STATES,
  type Alert,
  type AlertEndReason,
  type CapRecord,
} from '../../core/alert/alert.js';
import {
  type Delivery,
  type DeliveryKind,
  type DeliveryProgress,
  deliveryId,
  RECEIPT_STATES,
  type ReceiptState,
} from '../../core/alert/delivery.js';
import { AppError } from '../../core/errors.js';
import { type Language, languageSchema } from '../../core/nlu/language.js';

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
    /** When the retention job deleted the outbox (who was reached); the alert itself stays. */
    outboxPurgedAt: { type: Date, default: null },
    cap: { type: [Schema.Types.Mixed], default: [] },
  },
  { versionKey: false, collection: 'alerts', minimize: false },
);
// Alerts are few (a handful active nationwide): reading them all is cheaper
// than an index every insert pays for, and FerretDB would scan anyway.

const geoPointSchema = z.object({ lat: z.number(), lon: z.number() });
const nullableText = z.string().nullable();

/** A stored alert as read back: parsed, never trusted (STYLE.md). */
const storedAlertSchema = z.object({
  _id: z.string(),
  caseId: z.string(),
  caseReference: z.string(),
  region: nullableText,
  state: z.enum(ALERT_STATES),
  endReason: z.enum(ALERT_END_REASONS).nullable(),
  centre: geoPointSchema,
  stages: z.array(z.object({ afterMinutes: z.number(), radiusKm: z.number() })).min(1),
  windowHours: z.number(),
  abductionSuspected: z.boolean(),
  content: z.object({
    firstName: z.string(),
    age: z.object({ years: z.number(), months: z.number().optional() }),
    sex: z.enum(['boy', 'girl']),
    heightCm: z.number().nullable(),
    build: nullableText,
    hair: nullableText,
    marks: nullableText,
    clothing: nullableText,
    lastSeen: z.object({ at: z.string(), place: nullableText, city: nullableText }),
    hasPhoto: z.boolean(),
  }),
  photoId: nullableText,
  texts: z.object({ ar: z.string(), fr: z.string(), ary: z.string() }),
  proposedBy: z.string(),
  proposedAt: z.coerce.date(),
  approvedBy: nullableText,
  approvedAt: z.coerce.date().nullable(),
  expiresAt: z.coerce.date().nullable(),
  endedBy: nullableText,
  endedAt: z.coerce.date().nullable(),
  stagesQueued: z.number().int().min(0),
  closingQueued: z.boolean(),
  cap: z.array(
    z.object({
      identifier: z.string(),
      msgType: z.enum(['Alert', 'Update', 'Cancel']),
      sent: z.string(),
      stage: z.number().int().min(0),
    }),
  ),
});

/** Reads a stored alert; one that does not parse is an error to see, not to act on. */
function parseAlert(document: unknown): Alert {
  const parsed = storedAlertSchema.safeParse(document);
  if (!parsed.success) {
    throw new AppError(
      'internal',
      'a stored alert does not parse',
      parsed.error.issues.slice(0, 3),
    );
  }
  const alert: Alert = parsed.data;
  return alert;
}

/** The receipt of one outbox entry, under the entry's `_id`. */
interface Receipt {
  _id: string;
  alertId: string;
  kind: DeliveryKind;
  state: ReceiptState;
  at: Date;
}

/** An outbox entry as read back. */
const storedDeliverySchema = z.object({
  _id: z.string(),
  alertId: z.string(),
  kind: z.enum(['alert', 'closing']),
  subscriptionId: z.string(),
  channel: z.string(),
  address: z.string(),
  language: languageSchema,
  stage: z.number().int().min(0),
  queuedAt: z.coerce.date(),
});

function parseDeliveries(documents: unknown[]): Delivery[] {
  return documents.map((document) => {
    const parsed = storedDeliverySchema.safeParse(document);
    if (!parsed.success) throw new AppError('internal', 'a stored outbox entry does not parse');
    return parsed.data;
  });
}

const BROADCAST_LEASE = 'broadcast';

/** A bulk insert that failed only on duplicates (a stage enqueued again after a crash). */
function onlyDuplicates(error: unknown): error is mongo.MongoBulkWriteError {
  if (!(error instanceof mongo.MongoBulkWriteError)) return false;
  // The driver gives one write error as an object and several as an array.
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.length > 0 && writeErrors.every((entry) => entry.code === 11000);
}

/**
 * Alerts and their outbox on MongoDB. Every state change is one
 * single-document update guarded by the expected state. Outbox entries are
 * written by `_id` alone (FerretDB reads a whole collection for any other
 * filter): one worker at a time holds the broadcast lease and sends them.
 */
export class MongoAlertRepository {
  private readonly alerts: Model<Alert>;
  /** The outbox, written in bulk without mongoose's per-document work. */
  private readonly outbox: mongo.Collection<Delivery>;
  private readonly leases: mongo.Collection<{ _id: string; owner: string; until: Date }>;
  private readonly receipts: mongo.Collection<Receipt>;
  private readonly openMarkers: mongo.Collection<{ _id: string; alertId: string }>;

  constructor(connection: Connection) {
    this.openMarkers = connection.collection('alert_open');
    this.receipts = connection.collection<Receipt>('alert_receipts');
    this.leases = connection.collection('alert_leases');
    this.outbox = connection.collection<Delivery>('alert_deliveries');
    this.alerts = connection.models.Alert ?? connection.model<Alert>('Alert', alertSchema);
  }

  async insert(alert: Alert): Promise<void> {
    await this.alerts.create(alert);
  }

  async get(id: string): Promise<Alert | null> {
    const found = await this.alerts.findOne({ _id: id }).lean();
    return found ? parseAlert(found) : null;
  }

  /** A case's alerts, newest first. */
  async forCase(caseId: string): Promise<Alert[]> {
    return (await this.alerts.find({ caseId }).sort({ proposedAt: -1 }).lean()).map(parseAlert);
  }

  /** Alerts not yet over: proposed or active (the worker's and the bot's view). */
  async open(): Promise<Alert[]> {
    return (await this.alerts.find({ state: { $in: ['proposed', 'active'] } }).lean()).map(
      parseAlert,
    );
  }

  /**
   * Changes an alert if it is still in `from` (and, when given, still has
   * `stagesQueued` stages enqueued); `null` when someone else changed it first.
   */
  async update(
    id: string,
    guard: {
      state: Alert['state'] | Alert['state'][];
      stagesQueued?: number;
      expiresAt?: Date | null;
    },
    set: Partial<Alert>,
    push?: { cap: CapRecord },
  ): Promise<Alert | null> {
    const states = Array.isArray(guard.state) ? guard.state : [guard.state];
    const updated = await this.alerts
      .findOneAndUpdate(
        {
          _id: id,
          state: { $in: states },
          ...(guard.stagesQueued === undefined ? {} : { stagesQueued: guard.stagesQueued }),
          ...(guard.expiresAt === undefined ? {} : { expiresAt: guard.expiresAt }),
        },
        { $set: set, ...(push ? { $push: push } : {}) },
        { new: true },
      )
      .lean();
    return updated ? parseAlert(updated) : null;
  }

  /**
   * Ends an alert if it is still in `from` (and, for an expiry, still expires
   * when it was read to); an active one gets its CAP Cancel in the same write.
   * `null` if it had changed meanwhile.
   */
  end(
    id: string,
    from: 'proposed' | 'active',
    change: { reason: AlertEndReason; by: string; now: Date; cancel: CapRecord | null },
    expiresAt?: Date | null,
  ): Promise<Alert | null> {
    return this.update(
      id,
      { state: from, ...(expiresAt === undefined ? {} : { expiresAt }) },
      { state: 'ended', endReason: change.reason, endedBy: change.by, endedAt: change.now },
      change.cancel ? { cap: change.cancel } : undefined,
    );
  }

  /** Alerts ended since `since` (their closing messages may still be going out). */
  async endedSince(since: Date): Promise<Alert[]> {
    return (await this.alerts.find({ state: 'ended', endedAt: { $gte: since } }).lean()).map(
      parseAlert,
    );
  }

  /**
   * Marks a case as having an open alert, keyed by the case: of two proposals
   * at once, one inserts and the other finds the key taken. A marker whose
   * alert is gone or over (a crash between the two writes) is replaced.
   */
  async claimOpen(caseId: string, alertId: string): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.openMarkers.insertOne({ _id: caseId, alertId });
        return true;
      } catch (error) {
        if (!(error instanceof mongo.MongoServerError) || error.code !== 11000) throw error;
      }
      const marker = await this.openMarkers.findOne({ _id: caseId });
      const holder = marker ? await this.get(marker.alertId) : null;
      if (holder && holder.state !== 'ended') return false;
      // The marker collection holds one document per open alert: this filter is cheap.
      if (marker) await this.openMarkers.deleteOne({ _id: caseId, alertId: marker.alertId });
    }
    return false;
  }

  /** The case may have a new alert (its open one ended, or its proposal failed). */
  async releaseOpen(caseId: string, alertId: string): Promise<void> {
    await this.openMarkers.deleteOne({ _id: caseId, alertId });
  }

  /**
   * Adds outbox entries; entries that already exist (the same recipient in an
   * inner ring, or a stage enqueued again after a crash) are left as they are.
   * Returns the entries that were new.
   */
  async enqueue(entries: Delivery[]): Promise<Delivery[]> {
    if (entries.length === 0) return [];
    try {
      await this.outbox.insertMany(entries, { ordered: false });
      return entries;
    } catch (error) {
      if (!onlyDuplicates(error)) throw error;
      const writeErrors = Array.isArray(error.writeErrors)
        ? error.writeErrors
        : [error.writeErrors];
      const refused = new Set(writeErrors.map((entry) => entry.index));
      return entries.filter((_, index) => !refused.has(index));
    }
  }

  /** Outbox entries of an alert without a receipt (read when a worker takes the broadcast up). */
  async pending(alertId: string): Promise<Delivery[]> {
    const settled = new Set(
      (await this.receipts.find({ alertId }, { projection: { _id: 1 } }).toArray()).map(
        (receipt) => receipt._id,
      ),
    );
    const entries = parseDeliveries(
      await this.outbox.find({ alertId }).sort({ queuedAt: 1, _id: 1 }).toArray(),
    );
    return entries.filter((entry) => !settled.has(entry._id));
  }

  /** The recipients the alert reached (for the closing message). */
  async reached(alertId: string): Promise<Delivery[]> {
    const sent = new Set(
      (
        await this.receipts
          .find({ alertId, kind: 'alert', state: 'sent' }, { projection: { _id: 1 } })
          .toArray()
      ).map((receipt) => receipt._id),
    );
    const entries = parseDeliveries(await this.outbox.find({ alertId, kind: 'alert' }).toArray());
    return entries.filter((entry) => sent.has(entry._id));
  }

  /** Records how an entry ended; a second receipt for the same entry is ignored. */
  async settle(entry: Delivery, state: ReceiptState, now: Date): Promise<void> {
    try {
      await this.receipts.insertOne({
        _id: entry._id,
        alertId: entry.alertId,
        kind: entry.kind,
        state,
        at: now,
      });
    } catch (error) {
      if (!(error instanceof mongo.MongoServerError) || error.code !== 11000) throw error;
    }
  }

  /**
   * Takes or renews the broadcast lease: one sender at a time, cluster-wide,
   * as one WhatsApp number sends at one pace. Held until `now + ttlMs`; a
   * lease left by a dead worker is taken over once it has run out.
   */
  async acquireLease(owner: string, now: Date, ttlMs: number): Promise<boolean> {
    const until = new Date(now.getTime() + ttlMs);
    try {
      await this.leases.insertOne({ _id: BROADCAST_LEASE, owner, until });
      return true;
    } catch (error) {
      if (!(error instanceof mongo.MongoServerError) || error.code !== 11000) throw error;
    }
    // The lease collection holds one document: a filter beyond `_id` costs nothing here.
    const taken = await this.leases.findOneAndUpdate(
      { _id: BROADCAST_LEASE, $or: [{ owner }, { until: { $lt: now } }] },
      { $set: { owner, until } },
    );
    return taken !== null;
  }

  /** Gives the lease back at a clean stop, so another instance need not wait for it to run out. */
  async releaseLease(owner: string): Promise<void> {
    await this.leases.deleteOne({ _id: BROADCAST_LEASE, owner });
  }

  /**
   * The outbox's counts for an alert: receipts by state, and entries without
   * one (queued while the alert runs, cancelled once it has ended).
   */
  async progress(alertId: string, ended: boolean): Promise<DeliveryProgress> {
    const [entries, receipts] = await Promise.all([
      this.outbox
        .aggregate<{ _id: DeliveryKind; count: number }>([
          { $match: { alertId } },
          { $group: { _id: '$kind', count: { $sum: 1 } } },
        ])
        .toArray(),
      this.receipts
        .aggregate<{ _id: { kind: DeliveryKind; state: ReceiptState }; count: number }>([
          { $match: { alertId } },
          { $group: { _id: { kind: '$kind', state: '$state' }, count: { $sum: 1 } } },
        ])
        .toArray(),
    ]);
    const progress: DeliveryProgress = {
      queued: entries.find((row) => row._id === 'alert')?.count ?? 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      cancelled: 0,
      closingSent: 0,
    };
    for (const row of receipts) {
      if (row._id.kind === 'closing') {
        if (row._id.state === 'sent') progress.closingSent += row.count;
        continue;
      }
      progress.queued -= row.count;
      switch (row._id.state) {
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
          throw new Error(`unknown receipt state ${String(unreachable)}`);
        }
      }
    }
    if (ended) {
      progress.cancelled += progress.queued;
      progress.queued = 0;
    }
    return progress;
  }

  /**
   * Deletes the outbox and receipts of alerts ended before `endedBefore`
   * (they name every number reached); the alert document stays with its case.
   * Returns how many alerts were purged.
   */
  async purgeOutboxes(endedBefore: Date, now: Date): Promise<number> {
    const due = await this.alerts
      .find(
        {
          state: 'ended',
          closingQueued: true,
          endedAt: { $lt: endedBefore },
          outboxPurgedAt: null,
        },
        { _id: 1 },
      )
      .lean();
    for (const { _id } of due) {
      await this.outbox.deleteMany({ alertId: _id });
      await this.receipts.deleteMany({ alertId: _id });
      await this.alerts.updateOne({ _id }, { $set: { outboxPurgedAt: now } });
    }
    return due.length;
  }

  /** Whether this recipient received this alert (the bot's "which child?"). */
  async received(alertId: string, subscriptionId: string): Promise<boolean> {
    const receipt = await this.receipts.findOne(
      { _id: deliveryId(alertId, 'alert', subscriptionId) },
      { projection: { state: 1 } },
    );
    return receipt?.state === 'sent';
  }
}
