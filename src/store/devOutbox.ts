import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';

interface OutboxDocument {
  to: string;
  text: string;
  imageUrl?: string;
  at: Date;
}

const outboxSchema = new Schema<OutboxDocument>(
  {
    to: { type: String, required: true, index: true },
    text: { type: String, required: true },
    imageUrl: { type: String },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'dev_outbox' },
);

/**
 * What the dev channel "sent" outside a turn (officer relay, alerts,
 * notifications), kept in the database so several instances and restarts see
 * the same outbox. Development and tests only.
 */
export class DevOutbox {
  private readonly model: Model<OutboxDocument>;

  constructor(connection: Connection) {
    this.model =
      connection.models.DevOutbox ?? connection.model<OutboxDocument>('DevOutbox', outboxSchema);
  }

  async add(message: OutboxDocument): Promise<void> {
    await this.model.create(message);
  }

  /** Every message sent to one address, oldest first. */
  async list(to: string): Promise<Array<{ text: string; imageUrl?: string; at: Date }>> {
    const docs = await this.model.find({ to }).sort({ at: 1, _id: 1 }).lean();
    return docs.map((doc) =>
      doc.imageUrl
        ? { text: doc.text, imageUrl: doc.imageUrl, at: doc.at }
        : { text: doc.text, at: doc.at },
    );
  }
}
