/**
 * Subscribers at national scale on the database (the embedded FerretDB
 * unless MONGODB_URI is set): BENCH_SUBSCRIBERS invented subscriptions
 * (1 000 000 by default, nine in ten around Casablanca, a sixth of those
 * subscribed to the city itself, so one spot holds about 150 000) are
 * loaded in bulk and the subscriber board built once from the same points; then:
 * - subscribe latency through the subscription repository and the board
 *   (new numbers, numbers moving, bursts of 20 into one cell) and STOP;
 * - selecting and enqueueing a 160 km stage around Casablanca through the
 *   embedded outbox (`EmbeddedOutbox.enqueue`), as the stage enqueuer does;
 * - the largest document: every board document read back and measured,
 *   every subscription measured as it was written, and one outbox entry
 *   of each batch of 5 000 (all of one shape).
 * Progress goes to stderr; the figures are one JSON line on stdout.
 */
import { mongo } from 'mongoose';
import { z } from 'zod';
import { EmbeddedOutbox } from '../src/adapters/embedded/embeddedOutbox.js';
import { SubscriberBoard } from '../src/adapters/embedded/subscriberBoard.js';
import { MongoSubscriberIndex } from '../src/adapters/mongo/mongoSubscriberIndex.js';
import { MongoSubscriptionRepository } from '../src/adapters/mongo/subscriptionRepository.js';
import type { SubscriberIndex, SubscriberPoint } from '../src/app/ports/subscriptions.js';
import { type GeoPoint, insideStage } from '../src/core/alert/alert.js';
import { type Delivery, deliveryId } from '../src/core/alert/delivery.js';
import type { Language } from '../src/core/nlu/language.js';
import { subscriberCell } from '../src/core/place/cellCover.js';
import {
  encodeGeohash,
  geohashCentre,
  SUBSCRIPTION_CELL_PRECISION,
} from '../src/core/place/geohash.js';
import type { SubscriberArea, Subscription } from '../src/core/subscription.js';
import { connect } from '../src/database.js';

const settings = z
  .object({
    MONGODB_URI: z.string(),
    BENCH_SUBSCRIBERS: z.coerce.number().int().min(1_000).default(1_000_000),
    BENCH_DATABASE: z.enum(['embedded', 'mongo']).default('embedded'),
  })
  .parse(process.env);

const CASABLANCA: GeoPoint = { lat: 33.5731, lon: -7.5898 };
const STAGE = { afterMinutes: 0, radiusKm: 160 } as const;
const INSERT_BATCH = 5_000;
const ENQUEUE_BATCH = 5_000;
const LANGUAGES: readonly Language[] = ['ar', 'fr', 'ary'];

/** The rest of the country: a few cities and a scatter. */
const ELSEWHERE: ReadonlyArray<GeoPoint> = [
  { lat: 34.0209, lon: -6.8416 }, // Rabat
  { lat: 34.0331, lon: -5.0003 }, // Fès
  { lat: 31.6295, lon: -7.9811 }, // Marrakech
  { lat: 35.7595, lon: -5.834 }, // Tanger
  { lat: 30.4278, lon: -9.5981 }, // Agadir
  { lat: 34.6814, lon: -1.9086 }, // Oujda
  { lat: 27.1536, lon: -13.2033 }, // Laâyoune
];

const started = performance.now();
const progress = (what: string) =>
  process.stderr.write(
    `[subscribers bench ${((performance.now() - started) / 1000).toFixed(1)} s] ${what}\n`,
  );
const seconds = (ms: number) => Number((ms / 1000).toFixed(2));

/** A seeded generator (mulberry32): the same invented country on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = seededRandom(20_261_202);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

function near(at: GeoPoint, sigmaKm: number): GeoPoint {
  return {
    lat: at.lat + (gaussian() * sigmaKm) / 111.2,
    lon: at.lon + (gaussian() * sigmaKm) / (111.2 * Math.cos((at.lat * Math.PI) / 180)),
  };
}

/** Where the i-th invented subscriber wants alerts for (coarse, as the bot stores it). */
function inventedArea(i: number, total: number): SubscriberArea {
  const aroundCasablanca = i < total * 0.9;
  if (aroundCasablanca && i % 6 === 0)
    return { kind: 'city', cityId: 'casablanca', centre: { ...CASABLANCA } };
  const pin = aroundCasablanca
    ? near(CASABLANCA, 12)
    : random() < 0.7
      ? near(ELSEWHERE[i % ELSEWHERE.length] ?? CASABLANCA, 8)
      : { lat: 29.5 + random() * 5.5, lon: -9.6 + random() * 7.5 };
  const geohash = encodeGeohash(pin.lat, pin.lon, SUBSCRIPTION_CELL_PRECISION);
  return { kind: 'cell', geohash, centre: geohashCentre(geohash) };
}

const addressOf = (i: number) => `+2126${String(10_000_000 + i)}`;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number((sorted[Math.max(0, index)] ?? 0).toFixed(1));
}

function latencies(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: Number((sorted.at(-1) ?? 0).toFixed(1)),
  };
}

async function main(): Promise<void> {
  const now = new Date('2026-12-02T10:00:00Z');
  const connection = await connect(settings.MONGODB_URI, `tifli_bench_subscribers_${Date.now()}`);
  const index: SubscriberIndex =
    settings.BENCH_DATABASE === 'mongo'
      ? new MongoSubscriberIndex(connection)
      : new SubscriberBoard(connection);
  const repository = new MongoSubscriptionRepository(connection, index);
  const outbox = new EmbeddedOutbox(connection);
  // The model declares its indexes; they exist before the bulk load, as in production.
  await connection.model('Subscription').init();

  // Bulk load: straight into the collection, as a migration would.
  const subscriptions = connection.collection<Subscription & { cell: string }>('subscriptions');
  let largestSubscription = 0;
  const loaded: SubscriberPoint[] = [];
  const loadStart = performance.now();
  for (let from = 0; from < settings.BENCH_SUBSCRIBERS; from += INSERT_BATCH) {
    const batch = [];
    for (let i = from; i < Math.min(from + INSERT_BATCH, settings.BENCH_SUBSCRIBERS); i++) {
      const area = inventedArea(i, settings.BENCH_SUBSCRIBERS);
      const document = {
        _id: `dev:${addressOf(i)}`,
        channel: 'dev',
        address: addressOf(i),
        language: LANGUAGES[i % 3] ?? 'ar',
        area,
        cell: subscriberCell(area.centre),
        status: 'active' as const,
        consentAt: now,
        createdAt: now,
        updatedAt: now,
        stoppedAt: null,
      };
      largestSubscription = Math.max(largestSubscription, mongo.BSON.calculateObjectSize(document));
      batch.push(document);
      loaded.push({
        _id: document._id,
        channel: document.channel,
        address: document.address,
        language: document.language,
        centre: area.centre,
      });
    }
    await subscriptions.insertMany(batch, { ordered: false });
    if ((from / INSERT_BATCH) % 20 === 0) progress(`loaded ${from + batch.length} subscriptions`);
  }
  const insertSeconds = seconds(performance.now() - loadStart);
  progress(`loaded ${settings.BENCH_SUBSCRIBERS} subscriptions in ${insertSeconds} s`);
  // Built once from the points just loaded: reading a million subscriptions
  // back through FerretDB (about 4 000 a second) would measure FerretDB's
  // reads, not the index.
  const buildStart = performance.now();
  await index.rebuild(
    (async function* () {
      yield* loaded;
    })(),
  );
  const buildSeconds = seconds(performance.now() - buildStart);
  progress(`built the index in ${buildSeconds} s`);

  // Subscribe latency: new numbers around Casablanca, one at a time.
  const subscribe = async (i: number) => {
    const t0 = performance.now();
    await repository.subscribe({
      channel: 'dev',
      address: addressOf(i),
      language: LANGUAGES[i % 3] ?? 'ar',
      area: inventedArea(i % (settings.BENCH_SUBSCRIBERS * 0.9), settings.BENCH_SUBSCRIBERS),
      now,
    });
    return performance.now() - t0;
  };
  const fresh: number[] = [];
  for (let k = 0; k < 500; k++) fresh.push(await subscribe(settings.BENCH_SUBSCRIBERS + k));
  progress(`500 new subscribers: p99 ${latencies(fresh).p99Ms} ms`);
  // Numbers already subscribed, subscribing again (most to another cell).
  const again: number[] = [];
  for (let k = 0; k < 300; k++) again.push(await subscribe(1 + k * 2_999));
  progress(`300 subscribing again: p99 ${latencies(again).p99Ms} ms`);
  // Bursts: 20 at once into Casablanca's centre (the densest spot).
  const burst: number[] = [];
  const burstRounds: number[] = [];
  for (let round = 0; round < 10; round++) {
    const t0 = performance.now();
    const times = await Promise.all(
      Array.from({ length: 20 }, async (_, k) => {
        const i = settings.BENCH_SUBSCRIBERS + 10_000 + round * 20 + k;
        const s0 = performance.now();
        await repository.subscribe({
          channel: 'dev',
          address: addressOf(i),
          language: 'ary',
          area: { kind: 'city', cityId: 'casablanca', centre: { ...CASABLANCA } },
          now,
        });
        return performance.now() - s0;
      }),
    );
    burst.push(...times);
    burstRounds.push(performance.now() - t0);
  }
  progress(`bursts of 20 into one spot: p99 ${latencies(burst).p99Ms} ms`);
  const stops: number[] = [];
  for (let k = 0; k < 200; k++) {
    const t0 = performance.now();
    await repository.unsubscribe('dev', addressOf(5 + k * 4_001), now);
    stops.push(performance.now() - t0);
  }
  progress(`200 STOP: p99 ${latencies(stops).p99Ms} ms`);

  // A 160 km stage around Casablanca: select, keep those inside, enqueue in batches.
  progress('selecting and enqueueing 160 km around Casablanca');
  const alertId = 'bench-alert-160km';
  let given = 0;
  let enqueued = 0;
  let enqueueMs = 0;
  let largestDelivery = 0;
  let batch: Delivery[] = [];
  const flush = async () => {
    const t0 = performance.now();
    enqueued += (await outbox.enqueue(batch)).length;
    enqueueMs += performance.now() - t0;
    batch = [];
  };
  const stageStart = performance.now();
  for await (const subscriber of index.within(CASABLANCA, STAGE.radiusKm)) {
    given++;
    if (!insideStage(CASABLANCA, STAGE, subscriber.centre)) continue;
    const delivery: Delivery = {
      _id: deliveryId(alertId, 'alert', subscriber._id),
      alertId,
      kind: 'alert',
      subscriptionId: subscriber._id,
      channel: subscriber.channel,
      address: subscriber.address,
      language: subscriber.language,
      stage: 0,
      queuedAt: now,
    };
    if (batch.length === 0)
      largestDelivery = Math.max(largestDelivery, mongo.BSON.calculateObjectSize(delivery));
    batch.push(delivery);
    if (batch.length >= ENQUEUE_BATCH) await flush();
  }
  await flush();
  const stageSeconds = seconds(performance.now() - stageStart);
  progress(`160 km: ${enqueued} entries of ${given} selected in ${stageSeconds} s`);

  // The board's documents, every one read back and measured.
  let largestBoard = { id: '', bytes: 0 };
  let boardDocuments = 0;
  if (settings.BENCH_DATABASE === 'embedded') {
    for await (const document of connection.collection('subscriber_pages').find()) {
      boardDocuments++;
      const bytes = mongo.BSON.calculateObjectSize(document);
      if (bytes > largestBoard.bytes) largestBoard = { id: String(document._id), bytes };
    }
  }
  progress(`largest board document ${largestBoard.id}: ${largestBoard.bytes} bytes`);

  await connection.dropDatabase();
  await connection.close();
  process.stdout.write(
    `${JSON.stringify({
      scenario: 'subscribers',
      database: settings.BENCH_DATABASE,
      subscribers: settings.BENCH_SUBSCRIBERS,
      load: { insertSeconds, buildSeconds },
      subscribe: {
        fresh: latencies(fresh),
        again: latencies(again),
        burst: latencies(burst),
        burstRoundMs: latencies(burstRounds),
        stop: latencies(stops),
      },
      stage: {
        radiusKm: STAGE.radiusKm,
        selected: given,
        enqueued,
        seconds: stageSeconds,
        enqueueSeconds: seconds(enqueueMs),
      },
      largest: {
        board: largestBoard,
        boardDocuments,
        subscriptionBytes: largestSubscription,
        deliveryBytes: largestDelivery,
      },
    })}\n`,
  );
}

await main();
