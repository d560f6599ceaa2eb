import type { Connection } from 'mongoose';
import { mongo } from 'mongoose';
import { z } from 'zod';
import type { SubscriberIndex, SubscriberPoint } from '../../app/ports/subscriptions.js';
import type { GeoPoint } from '../../core/alert/alert.js';
import { languageSchema } from '../../core/nlu/language.js';
import { encodeGeohash } from '../../core/place/geohash.js';

/**
 * Board cells are geohashes of 3 characters: 1.40625° × 1.40625°, about
 * 156 km × 130 km in Morocco. Morocco fits in a few dozen of them.
 */
const CELL_PRECISION = 3;
const CELL_DEGREES = 180 / 2 ** 7;
const KM_PER_DEGREE = 111.32;
const MAX_ATTEMPTS = 20;
const META_ID = 'meta';

/** One board document: the subscribers of one cell, one line each. */
interface CellDocument {
  _id: string;
  /** `subscriptionId \t language \t lat \t lon` lines. */
  members: string;
  version: number;
}

const memberSchema = z.tuple([
  z.string().min(1),
  languageSchema,
  z.coerce.number().min(-90).max(90),
  z.coerce.number().min(-180).max(180),
]);

const cellId = (point: GeoPoint) => `cell:${encodeGeohash(point.lat, point.lon, CELL_PRECISION)}`;

const line = (point: SubscriberPoint) =>
  `${point._id}\t${point.language}\t${point.centre.lat}\t${point.centre.lon}`;

/**
 * Where subscribers are, for choosing an alert's recipients: a projection of
 * the `subscriptions` collection into one document per large cell, each
 * holding its subscribers as lines of text. An alert reads the few cells its
 * circle touches instead of every subscription (FerretDB reads 100 000
 * subscriptions in about 8 s, far too slow for "minutes matter").
 *
 * The board is kept a superset of the active subscriptions: a subscription
 * is put on the board before it is stored, and taken off after STOP is
 * stored. A line left by a crash is harmless, since the broadcast checks the
 * subscription itself before each send.
 */
export class MongoSubscriberBoard implements Pick<SubscriberIndex, 'within'> {
  private readonly cells: mongo.Collection<CellDocument>;

  constructor(connection: Connection) {
    this.cells = connection.collection<CellDocument>('subscriber_cells');
  }

  /** Puts a subscriber on the board, off the cell they were in before if they moved. */
  async put(point: SubscriberPoint, previous: GeoPoint | null): Promise<void> {
    if (previous && cellId(previous) !== cellId(point.centre)) {
      await this.change(cellId(previous), (members) => without(members, point._id));
    }
    await this.change(cellId(point.centre), (members) => [
      ...without(members, point._id),
      line(point),
    ]);
  }

  /** Takes a subscriber off the board (after STOP). */
  async remove(subscriptionId: string, centre: GeoPoint): Promise<void> {
    await this.change(cellId(centre), (members) => without(members, subscriptionId));
  }

  /** Subscribers whose area centre may lie within `radiusKm` of `centre` (the cells it touches). */
  async *within(centre: GeoPoint, radiusKm: number): AsyncIterable<SubscriberPoint> {
    for (const id of cellsAround(centre, radiusKm)) {
      const document = await this.cells.findOne({ _id: id });
      if (!document) continue;
      for (const member of document.members.split('\n')) {
        const parsed = memberSchema.safeParse(member.split('\t'));
        if (!parsed.success) continue;
        const [subscriptionId, language, lat, lon] = parsed.data;
        const separator = subscriptionId.indexOf(':');
        yield {
          _id: subscriptionId,
          channel: subscriptionId.slice(0, separator),
          address: subscriptionId.slice(separator + 1),
          language,
          centre: { lat, lon },
        };
      }
    }
  }

  /** Builds the board if it was never built (a database from before it existed). */
  async ensureBuilt(source: AsyncIterable<SubscriberPoint>): Promise<void> {
    if (await this.cells.findOne({ _id: META_ID })) return;
    await this.rebuild(source);
  }

  /**
   * Rebuilds the whole board from the subscriptions (start-up of an old
   * database, or after subscriptions were loaded in bulk). Not safe while
   * people subscribe: run it before taking traffic.
   */
  async rebuild(source: AsyncIterable<SubscriberPoint>): Promise<void> {
    const grouped = new Map<string, string[]>();
    for await (const point of source) {
      const id = cellId(point.centre);
      const lines = grouped.get(id) ?? [];
      lines.push(line(point));
      grouped.set(id, lines);
    }
    await this.cells.deleteMany({});
    const documents = [...grouped].map(([_id, lines]) => ({
      _id,
      members: lines.join('\n'),
      version: 1,
    }));
    if (documents.length > 0) await this.cells.insertMany(documents);
    await this.cells.insertOne({ _id: META_ID, members: '', version: 1 });
  }

  /**
   * Changes one cell: read, change in code, write back only if nobody wrote
   * it meanwhile (the version), else again. Reads and writes by `_id` alone.
   */
  private async change(id: string, edit: (members: string[]) => string[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.cells.findOne({ _id: id });
      const members = current?.members ? current.members.split('\n') : [];
      const next = edit(members).join('\n');
      if (!current) {
        try {
          await this.cells.insertOne({ _id: id, members: next, version: 1 });
          return;
        } catch (error) {
          if (isDuplicateKey(error)) continue;
          throw error;
        }
      }
      const written = await this.cells.findOneAndUpdate(
        { _id: id, version: current.version },
        { $set: { members: next, version: current.version + 1 } },
      );
      if (written) return;
    }
    throw new Error(`subscriber board cell ${id} kept changing`);
  }
}

function without(members: string[], subscriptionId: string): string[] {
  const prefix = `${subscriptionId}\t`;
  return members.filter((member) => member !== '' && !member.startsWith(prefix));
}

/** The board cells a circle may touch: every cell of its bounding box. */
export function cellsAround(centre: GeoPoint, radiusKm: number): string[] {
  const dLat = radiusKm / KM_PER_DEGREE;
  const cosine = Math.max(0.01, Math.cos((centre.lat * Math.PI) / 180));
  const dLon = Math.min(180, radiusKm / (KM_PER_DEGREE * cosine));
  const south = Math.max(-90, centre.lat - dLat);
  const north = Math.min(90, centre.lat + dLat);
  const ids = new Set<string>();
  // Half a cell at a time, so no cell between two steps is missed.
  const step = CELL_DEGREES / 2;
  for (let lat = south; lat <= north + step; lat += step) {
    for (let lon = centre.lon - dLon; lon <= centre.lon + dLon + step; lon += step) {
      ids.add(
        cellId({
          lat: Math.min(north, lat),
          lon: ((((Math.min(centre.lon + dLon, lon) + 180) % 360) + 360) % 360) - 180,
        }),
      );
    }
  }
  return [...ids];
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof mongo.MongoServerError && error.code === 11000;
}
