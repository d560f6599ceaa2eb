import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import type { RecipientCheck, SubscriberPoint } from '../../app/ports/subscriptions.js';
import { languageSchema } from '../../core/nlu/language.js';

/** The fields of a stored subscription the broadcast reads (src/core/subscription.ts). */
const subscriberSchema = z.object({
  _id: z.string(),
  channel: z.string(),
  address: z.string(),
  language: languageSchema,
  status: z.enum(['active', 'stopped']),
  area: z.object({ centre: z.object({ lat: z.number(), lon: z.number() }) }),
});

const PROJECTION = { _id: 1, channel: 1, address: 1, language: 1, status: 1, area: 1 } as const;

/**
 * The broadcast's read side of the `subscriptions` collection: every active
 * subscriber, streamed with only the fields selection needs, and the STOP
 * check made just before each send.
 */
export class MongoSubscriberDirectory implements RecipientCheck {
  private readonly collection: mongo.Collection<{ _id: string }>;

  constructor(connection: Connection) {
    this.collection = connection.collection<{ _id: string }>('subscriptions');
  }

  /** Every active subscription, read once to build the board (src/adapters/embedded/subscriberBoard.ts). */
  async *eachActive(): AsyncIterable<SubscriberPoint> {
    // `status` is checked here, not in the filter: FerretDB would read every
    // document for a filter on it anyway, and the projection keeps each small.
    const cursor = this.collection.find({}, { projection: PROJECTION, batchSize: 5000 });
    for await (const document of cursor) {
      const parsed = subscriberSchema.safeParse(document);
      if (!parsed.success || parsed.data.status !== 'active') continue;
      const { _id, channel, address, language, area } = parsed.data;
      yield { _id, channel, address, language, centre: area.centre };
    }
  }

  async isActive(subscriptionId: string): Promise<boolean> {
    const found = await this.collection.findOne(
      { _id: subscriptionId },
      { projection: { status: 1 } },
    );
    return z.object({ status: z.literal('active') }).safeParse(found).success;
  }
}
