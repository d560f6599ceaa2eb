import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type Connection, mongo } from 'mongoose';
import { z } from 'zod';
import type { CaseEvent, Events } from '../../app/ports/events.js';
import { RETENTION } from '../../core/retention.js';
import type { Logger } from '../../logger.js';

const COLLECTION = 'events';
/** Events are for live views only: an hour is far longer than any instance needs to catch up. */
const TTL_SECONDS = RETENTION.liveEventMs / 1000;
/**
 * ObjectIds are made by each client, so two instances' ids in the same
 * seconds are not in insertion order: each poll looks this far back and
 * skips what it already delivered. Clocks further apart than this lose events.
 */
const OVERLAP_SECONDS = 5;
/** At most this many events are read per poll; a longer backlog is read over the next polls. */
const POLL_BATCH = 500;

const id = z.string().min(1).max(200);
const region = z.string().max(100).nullable();
/** What is stored of an event: ids only (the console re-reads the case through the API). */
const storedEvent = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['created', 'updated', 'message']), caseId: id, region }),
  z.object({ type: z.literal('alert'), caseId: id, region, alertId: id }),
  z.object({ type: z.literal('sighting'), caseId: id, region, sightingId: id }),
]);
const storedDocument = z.object({
  _id: z.instanceof(mongo.ObjectId),
  instance: z.string(),
  at: z.date(),
  event: storedEvent,
});
type StoredDocument = z.infer<typeof storedDocument>;

/** How other instances' events reach this one. */
export type EventsTransport = 'change_stream' | 'polling';

export interface MongoEventsOptions {
  logger: Logger;
  /** Tells this instance's documents apart; a fresh one per process by default. */
  instanceId?: string;
  /** Polling period when the server has no change streams. */
  pollMs?: number;
  /** The time written on each document, for the TTL index (the wall clock, not the app's). */
  now?: () => Date;
}

/**
 * Live events shared by every instance on one MongoDB database. `publish`
 * tells this process's listeners at once and inserts a small document
 * (ids only) into `events`, which a TTL index empties after an hour. The
 * other instances hear it through a change stream when the server is a
 * replica set, and otherwise by reading the collection by `_id` every second.
 * An instance never delivers its own documents a second time.
 */
export class MongoEvents implements Events {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly collection: mongo.Collection<StoredDocument>;
  private readonly instance: string;
  private readonly now: () => Date;
  private stream: mongo.ChangeStream<StoredDocument> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> = Promise.resolve();
  private closed = false;
  /** Ids delivered inside the overlap window, so a second read of them is skipped. */
  private readonly delivered = new Map<string, number>();
  /** Seconds since the epoch of the newest document read; polls start a little before it. */
  private newestSeconds = 0;
  private readonly writes = new Set<Promise<unknown>>();

  private constructor(
    private readonly connection: Connection,
    private readonly options: MongoEventsOptions,
  ) {
    this.collection = connection.collection<StoredDocument>(COLLECTION);
    this.instance = options.instanceId ?? randomUUID();
    this.now = options.now ?? (() => new Date());
  }

  /** Declares the indexes and starts hearing the other instances, from now on. */
  static async open(connection: Connection, options: MongoEventsOptions): Promise<MongoEvents> {
    const events = new MongoEvents(connection, options);
    await events.collection.createIndex({ at: 1 }, { expireAfterSeconds: TTL_SECONDS });
    await events.start();
    options.logger.info({ transport: events.transport }, 'live events shared across instances');
    return events;
  }

  /** Whether other instances' events arrive by change stream or by polling. */
  get transport(): EventsTransport {
    return this.stream ? 'change_stream' : 'polling';
  }

  publish(event: CaseEvent): void {
    if (this.closed) return;
    this.emitter.emit('case', event);
    const shared = storedEvent.safeParse(event);
    if (!shared.success) {
      this.options.logger.warn({ type: event.type }, 'event not shared: ids out of bounds');
      return;
    }
    const write = this.collection
      .insertOne({
        _id: new mongo.ObjectId(),
        instance: this.instance,
        at: this.now(),
        event: shared.data,
      })
      .catch((error: unknown) => {
        // Live views only: the other instances' consoles catch up on their next read.
        this.options.logger.warn({ err: error, type: event.type }, 'event not shared');
      });
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  subscribe(listener: (event: CaseEvent) => void): () => void {
    this.emitter.on('case', listener);
    return () => this.emitter.off('case', listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.stream?.close();
    this.stream = null;
    await this.polling;
    await Promise.allSettled([...this.writes]);
    this.emitter.removeAllListeners();
  }

  private async start(): Promise<void> {
    if (await this.isReplicaSet()) {
      this.watch();
      return;
    }
    const newest = await this.collection.find({}).sort({ _id: -1 }).limit(1).next();
    this.newestSeconds = newest ? newest._id.getTimestamp().getTime() / 1000 : 0;
    // Documents already there at start are the past: only later ones are delivered.
    if (newest) {
      const earlier = await this.collection
        .find({ _id: { $gte: this.floor() } }, { projection: { _id: 1 } })
        .toArray();
      for (const doc of earlier) this.delivered.set(doc._id.toHexString(), this.newestSeconds);
    }
    this.poll();
  }

  /** A replica set names itself in `hello` (or `isMaster` on servers that predate it). */
  private async isReplicaSet(): Promise<boolean> {
    const admin = this.connection.db?.admin();
    if (!admin) return false;
    const answer = z.object({ setName: z.string().optional() });
    for (const command of [{ hello: 1 }, { isMaster: 1 }]) {
      try {
        return answer.parse(await admin.command(command)).setName !== undefined;
      } catch (error) {
        this.options.logger.debug(
          { err: error, command: Object.keys(command)[0] },
          'server does not answer',
        );
      }
    }
    return false;
  }

  private watch(): void {
    const stream = this.collection.watch<StoredDocument>([{ $match: { operationType: 'insert' } }]);
    this.stream = stream;
    stream.on('change', (change) => {
      if (change.operationType === 'insert') this.receive(change.fullDocument);
    });
    stream.on('error', (error: unknown) => {
      if (this.closed) return;
      // Without a resume token kept across restarts, polling is the honest fallback.
      this.options.logger.warn({ err: error }, 'change stream failed, polling instead');
      this.stream = null;
      void stream.close();
      this.newestSeconds = this.now().getTime() / 1000;
      this.poll();
    });
  }

  private poll(): void {
    if (this.closed) return;
    this.timer = setInterval(() => {
      // One poll at a time: a slow read is not overtaken by the next.
      this.polling = this.polling.then(() => this.readNewer());
    }, this.options.pollMs ?? 1_000);
    this.timer.unref();
  }

  private floor(): mongo.ObjectId {
    return mongo.ObjectId.createFromTime(
      Math.max(0, Math.floor(this.newestSeconds) - OVERLAP_SECONDS),
    );
  }

  private async readNewer(): Promise<void> {
    if (this.closed) return;
    try {
      const docs = await this.collection
        .find({ _id: { $gte: this.floor() } })
        .sort({ _id: 1 })
        .limit(POLL_BATCH + this.delivered.size)
        .toArray();
      for (const doc of docs) {
        const key = doc._id.toHexString();
        if (this.delivered.has(key)) continue;
        const seconds = doc._id.getTimestamp().getTime() / 1000;
        this.newestSeconds = Math.max(this.newestSeconds, seconds);
        this.delivered.set(key, seconds);
        this.receive(doc);
      }
      const oldest = Math.floor(this.newestSeconds) - OVERLAP_SECONDS;
      for (const [key, seconds] of this.delivered) if (seconds < oldest) this.delivered.delete(key);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'events poll failed');
    }
  }

  private receive(document: unknown): void {
    if (this.closed) return;
    const parsed = storedDocument.safeParse(document);
    if (!parsed.success) {
      this.options.logger.warn({ problem: parsed.error.issues[0]?.message }, 'unreadable event');
      return;
    }
    if (parsed.data.instance === this.instance) return;
    this.emitter.emit('case', parsed.data.event);
  }
}
