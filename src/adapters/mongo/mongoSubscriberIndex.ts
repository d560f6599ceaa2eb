import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import type { SubscriberIndex, SubscriberPoint } from '../../app/ports/subscriptions.js';
import type { GeoPoint } from '../../core/alert/alert.js';
import { languageSchema } from '../../core/nlu/language.js';
import { cellsCovering, subscriberCell } from '../../core/place/cellCover.js';

/** What a broadcast needs of a subscription, as read back. */
const pointSchema = z.object({
  _id: z.string(),
  channel: z.string(),
  address: z.string(),
  language: languageSchema,
  area: z.object({ centre: z.object({ lat: z.number(), lon: z.number() }) }),
});

/** What a cell is computed from. */
const centreSchema = z.object({
  _id: z.string(),
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

/** Subscriptions given their cell per bulk write, when old ones are backfilled. */
const BACKFILL_BATCH = 1_000;

/**
 * Where subscribers are, on MongoDB: the subscriptions themselves, by the
 * indexed `cell` the subscription repository writes (and removes on STOP).
 * A stage is one `find({cell: {$in: …}, status: 'active'})` over the cells
 * its circle touches, streamed through a cursor; the caller checks the exact
 * distance. Nothing to keep in step, so writes do nothing; building the
 * index only gives a cell to active subscriptions stored without one (written
 * before the cell existed, or loaded in bulk), which `{cell: null}` finds
 * through the same index.
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
    await this.backfillCells();
  }

  async rebuild(_source: AsyncIterable<SubscriberPoint>): Promise<void> {
    await this.backfillCells();
  }

  /** Gives its cell to every active subscription that has none; a second run finds nothing. */
  private async backfillCells(): Promise<number> {
    const cursor = this.subscriptions.find(
      { cell: null, status: 'active' },
      { projection: { _id: 1, 'area.centre': 1 }, batchSize: BACKFILL_BATCH },
    );
    let batch: Array<{
      updateOne: { filter: { _id: string }; update: { $set: { cell: string } } };
    }> = [];
    let filled = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await this.subscriptions.bulkWrite(batch, { ordered: false });
      filled += batch.length;
      batch = [];
    };
    for await (const document of cursor) {
      const parsed = centreSchema.safeParse(document);
      if (!parsed.success) continue;
      batch.push({
        updateOne: {
          filter: { _id: parsed.data._id },
          update: { $set: { cell: subscriberCell(parsed.data.area.centre) } },
        },
      });
      if (batch.length >= BACKFILL_BATCH) await flush();
    }
    await flush();
    return filled;
  }
}
