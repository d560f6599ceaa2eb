import type { Connection, mongo } from 'mongoose';
import type { SendJournal } from '../../app/ports/sendJournal.js';
import { parseSendAttempt as parseAttempt, type SendAttempt } from '../../core/sendAttempt.js';
import { isDuplicateKey } from '../../mongoErrors.js';

/** One idempotency key's attempt, as stored. */
export interface SendAttemptDocument {
  _id: string;
  state: 'unconfirmed' | 'accepted';
  address: string;
  since: Date;
  channelMessageId?: string;
  resend: string | null;
}

/** Media ids live 30 days and an alert at most a week: after 35 days nobody asks any more. */
const KEEP_SECONDS = 35 * 24 * 3600;

/**
 * The send journal as one document per idempotency key. The claim is an
 * insert (the duplicate key says someone claimed it first); every later
 * write is guarded by `_id` and state. MongoDB finds a message id through
 * an index on `channelMessageId` and forgets attempts through a TTL index.
 */
export class MongoSendJournal implements SendJournal {
  private readonly attempts: mongo.Collection<SendAttemptDocument>;

  constructor(connection: Connection) {
    this.attempts = connection.collection<SendAttemptDocument>('send_attempts');
  }

  /** The indexes (MongoDB only). */
  async init(): Promise<void> {
    await this.attempts.createIndex({ channelMessageId: 1 }, { sparse: true });
    await this.attempts.createIndex({ since: 1 }, { expireAfterSeconds: KEEP_SECONDS });
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
    // Released between our insert and our read: the next attempt claims it.
    if (!found) return { state: 'unconfirmed', since: now, address, resend };
    return parseAttempt(found);
  }

  async accepted(key: string, channelMessageId: string): Promise<void> {
    await this.attempts.updateOne({ _id: key }, { $set: { state: 'accepted', channelMessageId } });
  }

  async confirm(key: string, channelMessageId: string): Promise<boolean> {
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
    const found = await this.attempts.findOne({ channelMessageId });
    return found ? acceptedAttempt(found) : null;
  }
}

/** A stored document as an accepted attempt with its key, or null when it is not accepted. */
export function acceptedAttempt(document: SendAttemptDocument | null) {
  if (!document) return null;
  const attempt = parseAttempt(document);
  return attempt.state === 'accepted' ? { key: document._id, attempt } : null;
}
