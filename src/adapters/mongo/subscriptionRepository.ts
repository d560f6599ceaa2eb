import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { SubscriberIndex, SubscriptionStore } from '../../app/ports/subscriptions.js';
import type { Language } from '../../core/nlu/language.js';
import { subscriberCell } from '../../core/place/cellCover.js';
import {
  coarseArea,
  type SubscriberArea,
  type Subscription,
  subscriptionKey,
} from '../../core/subscription.js';

/** A subscription as stored: the subscription and the cell it is found by. */
type StoredSubscription = Subscription & { cell?: string };

const subscriptionSchema = new Schema<StoredSubscription>(
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
    // The cell of the area's centre (src/core/place/cellCover.ts), absent once stopped.
    cell: { type: String },
  },
  { versionKey: false, collection: 'subscriptions', minimize: false },
);
// The bot reads and writes by `_id` (`channel:address`). An alert's stage
// reads the active subscriptions of the cells its circle touches: one `$in`
// on this index. A geohash cell rather than a 2dsphere index because
// mongo-java-server, which runs this adapter in CI, has no `$geoWithin`;
// the exact distance is checked by the caller. FerretDB ignores the index
// (it reads by `_id` only) and selects through its own board instead.
subscriptionSchema.index({ cell: 1, status: 1 });

/**
 * Citizens' subscriptions on MongoDB, one document per number, written by
 * `_id` only (FerretDB scans for any other filter). Each active one carries
 * the indexed `cell` an alert selects it by. STOP keeps the document,
 * `stopped` and without its area or cell, so a broadcast in progress skips
 * that number.
 */
export class MongoSubscriptionRepository implements SubscriptionStore {
  private readonly model: Model<StoredSubscription>;

  constructor(
    connection: Connection,
    private readonly board: SubscriberIndex,
  ) {
    this.model =
      connection.models.Subscription ??
      connection.model<StoredSubscription>('Subscription', subscriptionSchema);
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
    const area = coarseArea(subscription.area);
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
          cell: subscriberCell(area.centre),
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
      {
        $set: { status: 'stopped', stoppedAt: now, updatedAt: now, area: null },
        $unset: { cell: '' },
      },
    );
    // Off the board after STOP is stored (the broadcast checks the subscription anyway).
    if (current.area) await this.board.remove(_id, current.area.centre);
    return { wasSubscribed: true };
  }

  async find(channel: string, address: string): Promise<Subscription | null> {
    return this.model
      .findOne({ _id: subscriptionKey(channel, address) }, { cell: 0 })
      .lean<Subscription>();
  }
}
