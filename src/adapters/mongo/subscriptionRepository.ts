import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { SubscriberIndex, SubscriptionStore } from '../../app/ports/subscriptions.js';
import type { Language } from '../../core/nlu/language.js';
import {
  type SubscriberArea,
  type Subscription,
  subscriptionKey,
} from '../../core/subscription.js';

const subscriptionSchema = new Schema<Subscription>(
  {
    _id: { type: String, required: true },
    channel: { type: String, required: true },
    address: { type: String, required: true },
    language: { type: String, required: true },
    // Only the cell or the city and its centre (domain/subscription.ts): never the pin.
    // Null once the number sent STOP: only the opt-out itself is kept.
    area: { type: Schema.Types.Mixed, default: null },
    status: { type: String, required: true, enum: ['active', 'stopped'] },
    consentAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    stoppedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'subscriptions', minimize: false },
);
// No secondary index: the bot reads and writes by `_id` (`channel:address`),
// and the broadcast worker reads the active ones of a region in one pass.

/**
 * Citizens' subscriptions on MongoDB, one document per number, written by
 * `_id` only (FerretDB scans for any other filter). STOP keeps the document,
 * `stopped`, so a broadcast in progress skips that number.
 */
export class MongoSubscriptionRepository implements SubscriptionStore {
  private readonly model: Model<Subscription>;

  constructor(
    connection: Connection,
    private readonly board: SubscriberIndex,
  ) {
    this.model =
      connection.models.Subscription ??
      connection.model<Subscription>('Subscription', subscriptionSchema);
  }

  async subscribe(subscription: {
    channel: string;
    address: string;
    language: Language;
    area: SubscriberArea;
    now: Date;
  }): Promise<void> {
    const { channel, address, language, now } = subscription;
    // Rebuilt field by field so nothing but the coarse area reaches the database.
    const area: SubscriberArea =
      subscription.area.kind === 'cell'
        ? {
            kind: 'cell',
            geohash: subscription.area.geohash,
            centre: { lat: subscription.area.centre.lat, lon: subscription.area.centre.lon },
          }
        : {
            kind: 'city',
            cityId: subscription.area.cityId,
            centre: { lat: subscription.area.centre.lat, lon: subscription.area.centre.lon },
          };
    const _id = subscriptionKey(channel, address);
    const previous = await this.model.findOne({ _id }, { area: 1 }).lean();
    // On the board first: a crash in between leaves a line the broadcast skips, never a miss.
    await this.board.put(
      { _id, channel, address, language, centre: area.centre },
      previous?.area?.centre ?? null,
    );
    await this.model.updateOne(
      { _id },
      {
        $set: {
          channel,
          address,
          language,
          area,
          status: 'active',
          consentAt: now,
          updatedAt: now,
          stoppedAt: null,
        },
        $setOnInsert: { createdAt: now },
      },
      { upsert: true },
    );
  }

  async unsubscribe(
    channel: string,
    address: string,
    now: Date,
  ): Promise<{ wasSubscribed: boolean }> {
    const _id = subscriptionKey(channel, address);
    const current = await this.model.findOne({ _id }, { status: 1, area: 1 }).lean();
    if (!current || current.status === 'stopped') return { wasSubscribed: false };
    await this.model.updateOne(
      { _id },
      { $set: { status: 'stopped', stoppedAt: now, updatedAt: now, area: null } },
    );
    // Off the board after STOP is stored (the broadcast checks the subscription anyway).
    if (current.area) await this.board.remove(_id, current.area.centre);
    return { wasSubscribed: true };
  }

  async find(channel: string, address: string): Promise<Subscription | null> {
    return this.model.findOne({ _id: subscriptionKey(channel, address) }).lean<Subscription>();
  }
}
