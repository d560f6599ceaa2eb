import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import type { SubscriberIndex, SubscriberPoint } from '../../app/ports/subscriptions.js';
import type { GeoPoint } from '../../core/alert/alert.js';
import { languageSchema } from '../../core/nlu/language.js';
import { cellsCovering } from '../../core/place/cellCover.js';

/** What a broadcast needs of a subscription, as read back. */
const pointSchema = z.object({
  _id: z.string(),
  channel: z.string(),
  address: z.string(),
  language: languageSchema,
  area: z.object({ centre: z.object({ lat: z.number(), lon: z.number() }) }),
});

const PROJECTION = { _id: 1, channel: 1, address: 1, language: 1, 'area.centre': 1 } as const;
/** Subscribers per round trip: a few hundred kilobytes. */
const BATCH_SIZE = 5_000;
/**
 * Cells per query. A stage of up to about 500 km names fewer; a country-wide
 * one names tens of thousands, read as several queries one after the other
 * (each still one index scan) rather than one huge `$in`.
 */
const CELLS_PER_QUERY = 1_000;

/**
 * Where subscribers are, on MongoDB: the subscriptions themselves, by the
 * indexed `cell` the subscription repository writes (and removes on STOP).
 * A stage is one `find({cell: {$in: …}, status: 'active'})` over the cells
 * its circle touches, streamed through a cursor; the caller checks the exact
 * distance. Nothing to keep in step, so writes and rebuilds do nothing.
 */
export class MongoSubscriberIndex implements SubscriberIndex {
  private readonly subscriptions: mongo.Collection<{ _id: string }>;

  constructor(connection: Connection) {
    this.subscriptions = connection.collection<{ _id: string }>('subscriptions');
  }

  async *within(centre: GeoPoint, radiusKm: number): AsyncIterable<SubscriberPoint> {
    const cells = cellsCovering(centre, radiusKm);
    for (let start = 0; start < cells.length; start += CELLS_PER_QUERY) {
      const cursor = this.subscriptions.find(
        { cell: { $in: cells.slice(start, start + CELLS_PER_QUERY) }, status: 'active' },
        { projection: PROJECTION, batchSize: BATCH_SIZE },
      );
      for await (const document of cursor) {
        const parsed = pointSchema.safeParse(document);
        // A subscription that does not parse cannot be written to: it is not a recipient.
        if (!parsed.success) continue;
        const { _id, channel, address, language, area } = parsed.data;
        yield { _id, channel, address, language, centre: area.centre };
      }
    }
  }

  async put(_point: SubscriberPoint, _previous: GeoPoint | null): Promise<void> {
    // The subscription repository writes the cell with the subscription.
  }

  async remove(_subscriptionId: string, _centre: GeoPoint): Promise<void> {
    // STOP removes the cell with the area, in the same write.
  }

  async ensureBuilt(_source: AsyncIterable<SubscriberPoint>): Promise<void> {
    // The index is the subscriptions' own: it exists as soon as they do.
  }

  async rebuild(_source: AsyncIterable<SubscriberPoint>): Promise<void> {
    // Nothing derived to rebuild.
  }
}
