import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import type { SightingReader } from '../../app/ports/sightings.js';
import { placeSchema } from '../../core/case/report.js';
import { languageSchema } from '../../core/nlu/language.js';
import type { Sighting } from '../../core/sighting.js';

const storedSightingSchema = z.object({
  _id: z.string(),
  alertId: z.string(),
  caseId: z.string(),
  channel: z.string(),
  address: z.string(),
  language: languageSchema,
  seenAt: z.coerce.date(),
  place: placeSchema,
  distanceKm: z.number().nullable(),
  description: z.string(),
  photoId: z.string().nullable(),
  mayCallBack: z.boolean(),
  flagged: z.boolean(),
  createdAt: z.coerce.date(),
});

/**
 * The console's read side of the `sightings` collection (written by the bot's
 * sighting flow): a case's sightings, newest first. Stored documents are
 * parsed, and one that does not parse is left out rather than shown half.
 */
export class MongoSightingReader implements SightingReader {
  private readonly collection: mongo.Collection<{ _id: string }>;

  constructor(connection: Connection) {
    this.collection = connection.collection<{ _id: string }>('sightings');
  }

  /** Whether a sighting was stored under this draft id (its photo is then kept). */
  async exists(id: string): Promise<boolean> {
    return (await this.collection.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
  }

  async forCase(caseId: string): Promise<Sighting[]> {
    const documents = await this.collection.find({ caseId }).sort({ createdAt: -1 }).toArray();
    return documents.flatMap((document) => {
      const parsed = storedSightingSchema.safeParse(document);
      return parsed.success ? [parsed.data satisfies Sighting] : [];
    });
  }
}
