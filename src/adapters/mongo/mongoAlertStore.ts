import type { Connection, Model } from 'mongoose';
import { type mongo, Schema } from 'mongoose';
import { z } from 'zod';
import type { AlertStore } from '../../app/ports/alertStore.js';
import { ALERT_END_REASONS, ALERT_STATES, type Alert } from '../../core/alert/alert.js';
import {
  ALERT_TRANSITIONS,
  type AlertChange,
  guardStates,
  OPEN_ALERT_CLAIM_GRACE_MS,
} from '../../core/alert/alertLifecycle.js';
import { AppError } from '../../core/errors.js';
import { isDuplicateKey } from '../../mongoErrors.js';

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
  { versionKey: false, collection: 'alerts', minimize: false, autoIndex: false },
);
// A case's alerts, newest first (the console), and the ended ones the
// scheduler and the retention job look at. Alerts are few (a handful open
// nationwide, a few per case), so the indexes cost little on insert.
alertSchema.index({ caseId: 1, proposedAt: -1 });
alertSchema.index({ state: 1, endedAt: 1 });

const geoPointSchema = z.object({ lat: z.number(), lon: z.number() });
const nullableText = z.string().nullable();

/** A stored alert as read back: parsed, never trusted. */
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

/**
 * Alerts on MongoDB. Every transition is one `findOneAndUpdate` guarded by
 * the states it leaves (and, where two instances may race, by the stage count
 * or the expiry as read). One open alert per case is kept by a marker keyed
 * by the case: of two proposals at once, one inserts and the other finds the
 * key taken. Used on the embedded FerretDB as well: its filters beyond `_id`
 * scan, but the alerts collection holds a few documents per case.
 */
export class MongoAlertStore implements AlertStore {
  private readonly alerts: Model<Alert>;
  private readonly openMarkers: mongo.Collection<{ _id: string; alertId: string; at?: Date }>;

  constructor(connection: Connection) {
    this.openMarkers = connection.collection('alert_open');
    this.alerts = connection.models.Alert ?? connection.model<Alert>('Alert', alertSchema);
  }

  /** Builds the declared indexes; call once at start-up. */
  async init(): Promise<void> {
    await this.alerts.createIndexes();
  }

  async insert(alert: Alert): Promise<void> {
    await this.alerts.create(alert);
  }

  async get(id: string): Promise<Alert | null> {
    const found = await this.alerts.findOne({ _id: id }).lean();
    return found ? parseAlert(found) : null;
  }

  async forCase(caseId: string): Promise<Alert[]> {
    return (await this.alerts.find({ caseId }).sort({ proposedAt: -1 }).lean()).map(parseAlert);
  }

  async open(): Promise<Alert[]> {
    return (await this.alerts.find({ state: { $in: ['proposed', 'active'] } }).lean()).map(
      parseAlert,
    );
  }

  async apply(id: string, change: AlertChange): Promise<Alert | null> {
    const states = guardStates(change.transition, change.from);
    if (states.length === 0) return null;
    const updated = await this.alerts
      .findOneAndUpdate(
        {
          _id: id,
          state: { $in: states },
          ...(change.stagesQueued === undefined ? {} : { stagesQueued: change.stagesQueued }),
          ...(change.expiresAt === undefined ? {} : { expiresAt: change.expiresAt }),
        },
        {
          $set: { ...change.set, state: ALERT_TRANSITIONS[change.transition].to },
          ...(change.cap ? { $push: { cap: change.cap } } : {}),
        },
        { new: true },
      )
      .lean();
    return updated ? parseAlert(updated) : null;
  }

  async markClosingQueued(id: string): Promise<void> {
    await this.alerts.updateOne({ _id: id, state: 'ended' }, { $set: { closingQueued: true } });
  }

  async endedSince(since: Date): Promise<Alert[]> {
    return (await this.alerts.find({ state: 'ended', endedAt: { $gte: since } }).lean()).map(
      parseAlert,
    );
  }

  async claimOpen(caseId: string, alertId: string, now: Date): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.openMarkers.insertOne({ _id: caseId, alertId, at: now });
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const marker = await this.openMarkers.findOne({ _id: caseId });
      if (marker && !(await this.markerIsStale(marker, now))) return false;
      // Guarded by the holder read, so a marker replaced meanwhile is left alone.
      if (marker) await this.openMarkers.deleteOne({ _id: caseId, alertId: marker.alertId });
    }
    return false;
  }

  /** Over, or left by a proposal that died between its claim and its insert. */
  private async markerIsStale(marker: { alertId: string; at?: Date }, now: Date): Promise<boolean> {
    const holder = await this.get(marker.alertId);
    if (holder) return holder.state === 'ended';
    // A marker of older code has no time: its alert was stored before its claim returned.
    return !marker.at || now.getTime() - marker.at.getTime() > OPEN_ALERT_CLAIM_GRACE_MS;
  }

  async releaseOpen(caseId: string, alertId: string): Promise<void> {
    await this.openMarkers.deleteOne({ _id: caseId, alertId });
  }

  async outboxesDue(endedBefore: Date): Promise<string[]> {
    const due = await this.alerts
      .find(
        {
          state: 'ended',
          endedAt: { $lt: endedBefore },
          closingQueued: true,
          outboxPurgedAt: null,
        },
        { _id: 1 },
      )
      .lean();
    return due.map((alert) => alert._id);
  }

  async markOutboxPurged(alertId: string, now: Date): Promise<void> {
    await this.alerts.updateOne({ _id: alertId }, { $set: { outboxPurgedAt: now } });
  }
}
