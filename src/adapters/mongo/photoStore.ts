import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { PhotoStore } from '../../app/ports/photoStore.js';

interface PhotoDocument {
  _id: string;
  draftId: string;
  mimeType: string;
  size: number;
  data: Buffer;
  createdAt: Date;
}

const photoSchema = new Schema<PhotoDocument>(
  {
    _id: String,
    draftId: { type: String, required: true, index: true },
    mimeType: { type: String, required: true },
    size: { type: Number, required: true },
    data: { type: Buffer, required: true },
    createdAt: { type: Date, required: true, index: true },
  },
  { versionKey: false, collection: 'photos' },
);

/**
 * Photos in MongoDB, one document each (5 MB at most, well under the 16 MB
 * document limit), keyed by content hash so saving twice stores once.
 */
export class MongoPhotoStore {
  private readonly model: Model<PhotoDocument>;

  constructor(
    connection: Connection,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.model = connection.models.Photo ?? connection.model<PhotoDocument>('Photo', photoSchema);
  }

  async save(photo: {
    photoId: string;
    mimeType: string;
    data: Buffer;
    draftId: string;
  }): Promise<void> {
    await this.model.updateOne(
      { _id: photo.photoId },
      {
        $setOnInsert: {
          draftId: photo.draftId,
          mimeType: photo.mimeType,
          size: photo.data.length,
          data: photo.data,
          createdAt: this.clock(),
        },
      },
      { upsert: true },
    );
  }

  /**
   * Removes photos received before `olderThan` whose report was never
   * submitted (the family cancelled or stopped answering).
   */
  async purgeUnsubmitted(
    olderThan: Date,
    submitted: (draftId: string) => Promise<boolean>,
  ): Promise<number> {
    const old = await this.model.find({ createdAt: { $lt: olderThan } }, { draftId: 1 }).lean();
    let removed = 0;
    for (const photo of old) {
      if (await submitted(photo.draftId)) continue;
      await this.model.deleteOne({ _id: photo._id });
      removed++;
    }
    return removed;
  }

  /** One photo's bytes, for officers (issue: never from a public URL). */
  async load(photoId: string): Promise<{ mimeType: string; data: Buffer } | null> {
    // Not lean: the hydrated document gives the bytes back as a Buffer.
    const doc = await this.model.findById(photoId);
    return doc ? { mimeType: doc.mimeType, data: doc.data } : null;
  }
}

MongoPhotoStore.prototype satisfies PhotoStore;
