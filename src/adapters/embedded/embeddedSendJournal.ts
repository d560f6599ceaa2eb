import type { Connection, mongo } from 'mongoose';
import type { SendJournal } from '../../app/ports/sendJournal.js';
import { parseSendAttempt, type SendAttempt } from '../../core/sendAttempt.js';
import { isDuplicateKey } from '../../mongoErrors.js';

interface AttemptDocument {
  _id: string;
  state: 'unconfirmed' | 'accepted';
  address: string;
  since: Date;
  channelMessageId?: string;
  resend: string | null;
}

interface MessageKeyDocument {
  _id: string;
  key: string;
}

/**
 * The send journal on the embedded FerretDB, which indexes nothing but
 * `_id`: one document per idempotency key (`send_attempts`, every write
 * guarded by `_id` and state, which the patched FerretDB serves by its
 * `_id` index), and a message id is found through a second document keyed
 * by it (`send_attempt_messages`), so no lookup scans an alert's attempts.
 */
export class EmbeddedSendJournal implements SendJournal {
  private readonly attempts: mongo.Collection<AttemptDocument>;
  private readonly messages: mongo.Collection<MessageKeyDocument>;

  constructor(connection: Connection) {
    this.attempts = connection.collection<AttemptDocument>('send_attempts');
    this.messages = connection.collection<MessageKeyDocument>('send_attempt_messages');
  }

  async begin(
    key: string,
    address: string,
    now: Date,
    resend: string | null,
  ): Promise<SendAttempt | null> {
    try {
      await this.attempts.insertOne({
        _id: key,
        state: 'unconfirmed',
        address,
        since: now,
        resend,
      });
      return null;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const found = await this.attempts.findOne({ _id: key });
    if (!found) return { state: 'unconfirmed', since: now, address, resend };
    return parseSendAttempt(found);
  }

  async accepted(key: string, channelMessageId: string): Promise<void> {
    // The pointer first: an accepted attempt can always be found by its id.
    await this.pointAt(key, channelMessageId);
    await this.attempts.updateOne({ _id: key }, { $set: { state: 'accepted', channelMessageId } });
  }

  async confirm(key: string, channelMessageId: string): Promise<boolean> {
    const found = await this.attempts.findOne({ _id: key, state: 'unconfirmed' });
    if (!found) return false;
    await this.pointAt(key, channelMessageId);
    const result = await this.attempts.updateOne(
      { _id: key, state: 'unconfirmed' },
      { $set: { state: 'accepted', channelMessageId } },
    );
    return result.modifiedCount === 1;
  }

  async claimResend(key: string, channelMessageId: string, now: Date): Promise<boolean> {
    const result = await this.attempts.updateOne(
      { _id: key, state: 'accepted', channelMessageId },
      { $set: { state: 'unconfirmed', since: now }, $unset: { channelMessageId: '' } },
    );
    return result.modifiedCount === 1;
  }

  async release(key: string): Promise<void> {
    await this.attempts.deleteOne({ _id: key, state: 'unconfirmed' });
  }

  async retake(key: string, since: Date, now: Date): Promise<boolean> {
    const result = await this.attempts.updateOne(
      { _id: key, state: 'unconfirmed', since },
      { $set: { since: now } },
    );
    return result.modifiedCount === 1;
  }

  async byChannelMessageId(channelMessageId: string) {
    const pointer = await this.messages.findOne({ _id: channelMessageId });
    if (!pointer) return null;
    const document = await this.attempts.findOne({ _id: pointer.key });
    if (!document) return null;
    const attempt = parseSendAttempt(document);
    return attempt.state === 'accepted' && attempt.channelMessageId === channelMessageId
      ? { key: document._id, attempt }
      : null;
  }

  private async pointAt(key: string, channelMessageId: string): Promise<void> {
    await this.messages.updateOne({ _id: channelMessageId }, { $set: { key } }, { upsert: true });
  }
}
