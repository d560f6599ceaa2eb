import type { Connection, mongo } from 'mongoose';
import { acceptedAttempt, MongoSendJournal } from '../mongo/mongoSendJournal.js';

interface MessageKeyDocument {
  _id: string;
  key: string;
}

/**
 * The send journal on the embedded FerretDB, which indexes nothing but
 * `_id`: a message id is found through a second document keyed by it
 * (`send_attempt_messages`), so no lookup scans every attempt of an alert.
 */
export class EmbeddedSendJournal extends MongoSendJournal {
  private readonly messages: mongo.Collection<MessageKeyDocument>;

  constructor(connection: Connection) {
    super(connection);
    this.messages = connection.collection<MessageKeyDocument>('send_attempt_messages');
  }

  override async accepted(key: string, channelMessageId: string): Promise<void> {
    // The pointer first: an accepted attempt can always be found by its id.
    await this.pointAt(key, channelMessageId);
    await super.accepted(key, channelMessageId);
  }

  protected override async pointAt(key: string, channelMessageId: string): Promise<void> {
    await this.messages.updateOne({ _id: channelMessageId }, { $set: { key } }, { upsert: true });
  }

  override async byChannelMessageId(channelMessageId: string) {
    const pointer = await this.messages.findOne({ _id: channelMessageId });
    if (!pointer) return null;
    const found = acceptedAttempt(await this.attempts.findOne({ _id: pointer.key }));
    return found?.attempt.channelMessageId === channelMessageId ? found : null;
  }
}
