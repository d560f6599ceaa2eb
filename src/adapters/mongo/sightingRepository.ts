import type { Connection, Model, mongo } from 'mongoose';
import { Schema } from 'mongoose';
import { z } from 'zod';
import type { SightingStore } from '../../app/ports/sightings.js';
import type { GeoPoint } from '../../core/alert/alert.js';
import { type Place, placeSchema } from '../../core/case/report.js';
import type { Gazetteer } from '../../core/place/gazetteer.js';
import {
  assessSighting,
  type NewSighting,
  SIGHTING_WINDOW_MS,
  type Sighting,
  type SightingLink,
} from '../../core/sighting.js';

const sightingSchema = new Schema<Sighting>(
  {
    _id: { type: String, required: true },
    alertId: { type: String, required: true },
    caseId: { type: String, required: true },
    channel: { type: String, required: true },
    address: { type: String, required: true },
    language: { type: String, required: true },
    seenAt: { type: Date, required: true },
    place: { type: Schema.Types.Mixed, required: true },
    distanceKm: { type: Number, default: null },
    description: { type: String, required: true },
    photoId: { type: String, default: null },
    mayCallBack: { type: Boolean, required: true },
    flagged: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'sightings', minimize: false },
);
// How many a number sent in the last hour (asked before every sighting flow),
// and a case's sightings newest first (the console): each one index range.
sightingSchema.index({ channel: 1, address: 1, createdAt: 1 });
sightingSchema.index({ caseId: 1, createdAt: -1 });

/** The fields of an alert and of its case a sighting is linked and measured with. */
const alertLinkSchema = z.object({
  caseId: z.string(),
  region: z.string().nullable().default(null),
  centre: z.object({ lat: z.number(), lon: z.number() }).nullable().optional(),
});
const caseLastSeenSchema = z.object({
  lastSeen: z.object({ place: placeSchema, city: z.string().nullable().default(null) }),
});

/**
 * Sightings on MongoDB, `_id` = the sighting flow's draft id (a retried
 * submission stores one). The alert gives the case; the distance is measured
 * from where the child was last seen to where the citizen saw them, when both
 * are a pin or a known city.
 */
export class MongoSightingRepository implements SightingStore {
  private readonly model: Model<Sighting>;
  private readonly alerts: mongo.Collection<{ _id: string }>;
  private readonly cases: mongo.Collection<{ _id: string }>;

  constructor(
    connection: Connection,
    private readonly gazetteer: Pick<Gazetteer, 'findCity'>,
  ) {
    this.model =
      connection.models.Sighting ?? connection.model<Sighting>('Sighting', sightingSchema);
    this.alerts = connection.collection<{ _id: string }>('alerts');
    this.cases = connection.collection<{ _id: string }>('cases');
  }

  async add(
    sighting: NewSighting,
  ): Promise<{ created: boolean; sighting: Sighting; throttled: boolean; region: string | null }> {
    const link = await this.link(sighting.alertId);
    const existing = await this.model.findOne({ _id: sighting._id }).lean<Sighting>();
    if (existing)
      return { created: false, sighting: existing, throttled: false, region: link.region };

    const recent = await this.countSince(
      sighting.channel,
      sighting.address,
      new Date(sighting.createdAt.getTime() - SIGHTING_WINDOW_MS),
    );
    const { sighting: stored, throttled } = assessSighting(
      sighting,
      link,
      this.pointOf(sighting.place),
      recent,
    );
    if (throttled) return { created: false, sighting: stored, throttled, region: link.region };
    try {
      await this.model.create(stored);
    } catch (error) {
      if (!z.object({ code: z.literal(11000) }).safeParse(error).success) throw error;
      const first = await this.model.findOne({ _id: sighting._id }).lean<Sighting>();
      if (!first) throw error;
      return { created: false, sighting: first, throttled: false, region: link.region };
    }
    return { created: true, sighting: stored, throttled: false, region: link.region };
  }

  async countSince(channel: string, address: string, since: Date): Promise<number> {
    return this.model.countDocuments({ address, channel, createdAt: { $gte: since } });
  }

  /** The case of an alert, its region, and where its child was last seen (a point, if known). */
  private async link(alertId: string): Promise<SightingLink> {
    const alert = alertLinkSchema.safeParse(await this.alerts.findOne({ _id: alertId }));
    if (!alert.success) throw new Error(`sighting for an unknown alert ${alertId}`);
    const found = caseLastSeenSchema.safeParse(
      await this.cases.findOne({ _id: alert.data.caseId }, { projection: { lastSeen: 1 } }),
    );
    let lastSeen: GeoPoint | null = null;
    if (found.success) {
      const { place, city } = found.data.lastSeen;
      lastSeen =
        place.kind === 'pin'
          ? this.pointOf(place)
          : (this.cityPoint(city ?? '') ?? this.pointOf(place));
    }
    return {
      caseId: alert.data.caseId,
      region: alert.data.region,
      // The alert's centre is the place last seen unless an officer moved it.
      lastSeen: lastSeen ?? alert.data.centre ?? null,
    };
  }

  private pointOf(place: Place): GeoPoint | null {
    return place.kind === 'pin'
      ? { lat: place.latitude, lon: place.longitude }
      : this.cityPoint(place.text);
  }

  private cityPoint(text: string): GeoPoint | null {
    const city = this.gazetteer.findCity(text);
    return city ? { lat: city.lat, lon: city.lon } : null;
  }
}
