import type { Connection, Model } from 'mongoose';
import { mongo, Schema } from 'mongoose';
import type { DevOutboxMessage, DevOutbox as DevOutboxPort } from '../../app/ports/devOutbox.js';

type OutboxDocument = DevOutboxMessage;

const outboxSchema = new Schema<OutboxDocument>(
  {
    to: { type: String, required: true, index: true },
    text: { type: String, required: true },
    imageUrl: { type: String },
    at: { type: Date, required: true },
    messageId: { type: String },
    choices: { type: [{ _id: false, title: String, value: String }], default: undefined },
    requestLocation: { type: Boolean },
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
  private readonly keyed: mongo.Collection<OutboxDocument & { _id: string }>;

  constructor(connection: Connection) {
    this.keyed = connection.collection<OutboxDocument & { _id: string }>('dev_outbox');
    this.model =
      connection.models.DevOutbox ?? connection.model<OutboxDocument>('DevOutbox', outboxSchema);
  }

  /**
   * Records a message. With an `id` (an alert's outbox entry) a second send
   * of the same message is recorded once, as a real channel with idempotency
   * keys would deliver it once.
   */
  async add(message: OutboxDocument & { id?: string | undefined }): Promise<void> {
    const { id, ...fields } = message;
    if (!id) {
      await this.model.create(fields);
      return;
    }
    // The native collection: the model's `_id` is an ObjectId, this key is a
    // string. An insert, not an upsert: FerretDB reads the whole collection for
    // an update, an insert checks the key alone.
    try {
      await this.keyed.insertOne({ _id: id, ...fields });
    } catch (error) {
      if (!(error instanceof mongo.MongoServerError) || error.code !== 11000) throw error;
    }
  }

  /** Every message sent to one address, oldest first. */
  async list(to: string): Promise<Array<Omit<DevOutboxMessage, 'to'>>> {
    const docs = await this.model.find({ to }).sort({ at: 1, _id: 1 }).lean();
    return docs.map((doc) => ({
      text: doc.text,
      ...(doc.imageUrl ? { imageUrl: doc.imageUrl } : {}),
      at: doc.at,
      ...(doc.messageId ? { messageId: doc.messageId } : {}),
      ...(doc.choices
        ? { choices: doc.choices.map(({ title, value }) => ({ title, value })) }
        : {}),
      ...(doc.requestLocation ? { requestLocation: true } : {}),
    }));
  }
}

DevOutbox.prototype satisfies DevOutboxPort;
