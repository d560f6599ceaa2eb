/**
 * The alert broadcast with 100 000 subscribers in the database: how long
 * selecting and enqueueing the recipients of each stage takes (20, 80 and
 * 160 km around Casablanca, then one stage over the whole country), and the
 * send rate the broadcast worker achieves against the one configured (20 and
 * 200 messages/s). Everything measured runs the real code: officer API,
 * alert service, subscriber directory, outbox, worker and dev channel.
 * Progress goes to stderr; the figures are one JSON line on stdout.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Clock } from '../src/app/ports/clock.js';
import { type App, buildApp } from '../src/compose.js';
import type { AlertStage, GeoPoint } from '../src/core/alert/alert.js';
import type { NewCase } from '../src/core/case/report.js';
import type { Language } from '../src/core/nlu/language.js';
import { haversineKm } from '../src/core/place/gazetteer.js';
import {
  encodeGeohash,
  geohashCentre,
  SUBSCRIPTION_CELL_PRECISION,
} from '../src/core/place/geohash.js';
import type { Subscription } from '../src/core/subscription.js';
import { connect } from '../src/database.js';
import { createLogger } from '../src/logger.js';

const settings = z
  .object({
    MONGODB_URI: z.string(),
    BENCH_SUBSCRIBERS: z.coerce.number().int().min(1).default(100_000),
  })
  .parse(process.env);

/** The send runs: configured rate and how many entries (about 15 to 20 s of sending each). */
const SEND_RUNS = [
  { rate: 20, entries: 400 },
  { rate: 200, entries: 3_000 },
] as const;

const CASABLANCA: GeoPoint = { lat: 33.5731, lon: -7.5898 };
const PASSWORD = 'benchmark passphrase, invented';
const REGION = 'casablanca-settat';

/** Where invented subscribers live: share of the total and spread around the city centre. */
const CITIES: ReadonlyArray<{ at: GeoPoint; share: number; sigmaKm: number }> = [
  { at: CASABLANCA, share: 0.24, sigmaKm: 9 },
  { at: { lat: 34.0209, lon: -6.8416 }, share: 0.1, sigmaKm: 7 }, // Rabat-Salé
  { at: { lat: 34.0331, lon: -5.0003 }, share: 0.08, sigmaKm: 6 }, // Fès
  { at: { lat: 31.6295, lon: -7.9811 }, share: 0.08, sigmaKm: 7 }, // Marrakech
  { at: { lat: 35.7595, lon: -5.834 }, share: 0.07, sigmaKm: 6 }, // Tanger
  { at: { lat: 30.4278, lon: -9.5981 }, share: 0.05, sigmaKm: 7 }, // Agadir
  { at: { lat: 33.8935, lon: -5.5473 }, share: 0.04, sigmaKm: 5 }, // Meknès
  { at: { lat: 34.6814, lon: -1.9086 }, share: 0.035, sigmaKm: 5 }, // Oujda
  { at: { lat: 34.261, lon: -6.5802 }, share: 0.03, sigmaKm: 5 }, // Kénitra
  { at: { lat: 35.5785, lon: -5.3684 }, share: 0.025, sigmaKm: 4 }, // Tétouan
  { at: { lat: 32.2994, lon: -9.2372 }, share: 0.02, sigmaKm: 4 }, // Safi
  { at: { lat: 33.2316, lon: -8.5007 }, share: 0.015, sigmaKm: 4 }, // El Jadida
  { at: { lat: 32.3373, lon: -6.3498 }, share: 0.015, sigmaKm: 4 }, // Béni Mellal
  { at: { lat: 35.1681, lon: -2.9335 }, share: 0.015, sigmaKm: 4 }, // Nador
  { at: { lat: 27.1536, lon: -13.2033 }, share: 0.01, sigmaKm: 4 }, // Laâyoune
  { at: { lat: 23.6848, lon: -15.958 }, share: 0.005, sigmaKm: 3 }, // Dakhla
];
/** The rest is scattered over boxes roughly inside the country (share of the scattered ones). */
const SCATTER_BOXES: ReadonlyArray<{
  lat: [number, number];
  lon: [number, number];
  share: number;
}> = [
  { lat: [32, 35.3], lon: [-9, -2.5], share: 0.55 },
  { lat: [29.5, 32], lon: [-9.6, -4.5], share: 0.3 },
  { lat: [26, 28.5], lon: [-13.5, -10], share: 0.1 },
  { lat: [23.5, 26], lon: [-16, -14], share: 0.05 },
];
/**
 * Cells kept free of the 100 000, where the send runs' recipients are put
 * afterwards: an alert of 1 km around a cell's centre then reaches exactly them.
 */
const SEND_CELLS = [
  encodeGeohash(33.5228, -5.1106, SUBSCRIPTION_CELL_PRECISION), // Ifrane
  encodeGeohash(31.9314, -4.4244, SUBSCRIPTION_CELL_PRECISION), // Errachidia
];

const started = performance.now();
/** Progress on stderr, so a long run is visibly alive. */
const progress = (what: string) =>
  process.stderr.write(
    `[alerts bench ${((performance.now() - started) / 1000).toFixed(1)} s] ${what}\n`,
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
const random = seededRandom(20_261_128);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const pick = <T extends { share: number }>(items: readonly T[]): T => {
  let left = random() * items.reduce((sum, item) => sum + item.share, 0);
  for (const item of items) {
    left -= item.share;
    if (left <= 0) return item;
  }
  const last = items.at(-1);
  if (!last) throw new Error('nothing to pick from');
  return last;
};

/** A point where an invented subscriber lives: near a big city mostly, anywhere sometimes. */
function inventedPlace(): GeoPoint {
  const cityShare = CITIES.reduce((sum, city) => sum + city.share, 0);
  if (random() < cityShare) {
    const city = pick(CITIES);
    const northKm = gaussian() * city.sigmaKm;
    const eastKm = gaussian() * city.sigmaKm;
    return {
      lat: city.at.lat + northKm / 111.2,
      lon: city.at.lon + eastKm / (111.2 * Math.cos((city.at.lat * Math.PI) / 180)),
    };
  }
  const box = pick(SCATTER_BOXES);
  return {
    lat: box.lat[0] + random() * (box.lat[1] - box.lat[0]),
    lon: box.lon[0] + random() * (box.lon[1] - box.lon[0]),
  };
}

const LANGUAGE_SHARES: ReadonlyArray<{ language: Language; share: number }> = [
  { language: 'ary', share: 0.4 },
  { language: 'ar', share: 0.35 },
  { language: 'fr', share: 0.25 },
];

/** An invented subscription as flows/subscribe.yaml stores it (a geohash-5 cell). */
function inventedSubscription(
  address: string,
  place: GeoPoint,
  stopped: boolean,
  at: Date,
): Subscription {
  const geohash = encodeGeohash(place.lat, place.lon, SUBSCRIPTION_CELL_PRECISION);
  return {
    _id: `dev:${address}`,
    channel: 'dev',
    address,
    language: pick(LANGUAGE_SHARES).language,
    // STOP forgets the area: only the opt-out is kept.
    area: stopped ? null : { kind: 'cell', geohash, centre: geohashCentre(geohash) },
    status: stopped ? 'stopped' : 'active',
    consentAt: at,
    createdAt: at,
    updatedAt: at,
    stoppedAt: stopped ? at : null,
  };
}

/** An invented confirmed-to-be case of a child last seen in Casablanca. */
function inventedCase(index: number, at: Date): NewCase {
  return {
    reference: `TF-2026-${String(900_000 + index)}`,
    draftId: randomUUID(),
    status: 'pending',
    priority: { level: 'critical', score: 9, reasons: [] },
    language: 'fr',
    channel: 'dev',
    reporter: {
      address: `+2125${String(20_000_000 + index)}`,
      name: 'Parent Inventé',
      relationship: 'parent',
    },
    child: {
      fullName: 'Yassine Inventé',
      sex: 'boy',
      age: { years: 9 },
      photoId: null,
      heightCm: 130,
      build: 'mince',
      hair: 'cheveux noirs courts',
      marks: null,
      clothing: 't-shirt rouge, jean bleu, baskets blanches',
      phone: null,
      hobbies: 'le football',
      problems: null,
      places: 'le terrain de foot du quartier',
      friends: null,
      health: null,
      previousDisappearances: false,
    },
    lastSeen: {
      at,
      place: { kind: 'pin', latitude: CASABLANCA.lat, longitude: CASABLANCA.lon },
      city: 'Casablanca',
    },
    circumstances: "Il jouait au ballon devant l'immeuble.",
    abduction: { suspected: 'no', details: null },
    consent: { given: true, at, noticeVersion: 1 },
    region: REGION,
    assignedTo: null,
    officialReportNumber: null,
    messages: [],
    notes: [],
    confirmation: null,
    closure: null,
    createdAt: at,
    updatedAt: at,
    history: [{ status: 'pending', at, by: 'family' }],
  };
}

/** A clock the scenario moves by hand, to reach the later stages without waiting hours. */
class BenchClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/**
 * When the alert service logged "stage enqueued" for each stage: the moment
 * the last outbox entry of that stage was written (the log line follows the
 * last bulk insert), and how many entries were new.
 */
const stageLog = z.object({
  msg: z.literal('stage enqueued'),
  alertId: z.string(),
  stage: z.number(),
  recipients: z.number(),
});
const enqueued = new Map<string, { at: number; recipients: number }>();
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) {
      if (!line.includes('stage enqueued')) continue;
      const parsed = stageLog.safeParse(JSON.parse(line));
      if (parsed.success)
        enqueued.set(`${parsed.data.alertId}:${parsed.data.stage}`, {
          at: performance.now(),
          recipients: parsed.data.recipients,
        });
    }
    done();
  },
});

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(app: App, username: string): Promise<Session> {
  const response = await app.http.inject({
    method: 'POST',
    url: '/api/session',
    payload: { username, password: PASSWORD },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in answered ${response.statusCode}`);
  return {
    cookie: String(response.headers['set-cookie']).split(';')[0] ?? '',
    csrf: response.json<{ csrfToken: string }>().csrfToken,
  };
}

async function call(app: App, session: Session, url: string, payload: object = {}) {
  const response = await app.http.inject({
    method: 'POST',
    url,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    payload,
  });
  if (response.statusCode >= 300)
    throw new Error(`${url.replace(/[0-9a-f-]{36}/g, ':id')} answered ${response.body}`);
  return response;
}

const alertIdOf = (response: { json<T>(): T }) =>
  z.object({ alert: z.object({ id: z.string() }) }).parse(response.json()).alert.id;

/** A new case, claimed and confirmed through the officer API. */
async function confirmedCase(app: App, officer: Session, index: number, at: Date) {
  const newCase = inventedCase(index, at);
  await app.cases.insertNew(newCase);
  await call(app, officer, `/api/cases/${newCase.draftId}/claim`);
  await call(app, officer, `/api/cases/${newCase.draftId}/confirm`, {
    checklist: {
      minor: true,
      riskToLife: true,
      enoughDescription: true,
      parentsAgreePublication: true,
    },
  });
  return newCase.draftId;
}

interface StageFigure {
  label: string;
  radiusKm: number;
  among: number;
  inCircle: number;
  enqueued: number;
  seconds: number;
}

async function main(): Promise<void> {
  const clock = new BenchClock(new Date('2026-11-28T16:00:00Z'));
  const connection = await connect(settings.MONGODB_URI, `tifli_bench_alerts_${Date.now()}`);
  const logger = createLogger({ level: 'info' }, logSink);
  const build = (alertSendRate: number) =>
    buildApp({
      connection,
      logger,
      hashId: (id) => id,
      clock,
      devChannel: true,
      referencePrefix: 'TF',
      rootDir: process.cwd(),
      alertSendRate,
      // Long enough that no lease runs out in the middle of a measured step
      // (a worker that lost its lease drops what it held until the next reconcile).
      alertLeaseMs: 600_000,
    });

  // Seeding is set-up, not what is measured: straight into the collection.
  const seedStart = performance.now();
  const active: GeoPoint[] = [];
  const subscriptions = connection.collection<Subscription>('subscriptions');
  for (let from = 0; from < settings.BENCH_SUBSCRIBERS; from += 2_000) {
    const batch: Subscription[] = [];
    for (let i = from; i < Math.min(from + 2_000, settings.BENCH_SUBSCRIBERS); i++) {
      let place = inventedPlace();
      while (SEND_CELLS.includes(encodeGeohash(place.lat, place.lon, SUBSCRIPTION_CELL_PRECISION)))
        place = inventedPlace();
      const subscription = inventedSubscription(
        `+2126${String(10_000_000 + i)}`,
        place,
        random() < 0.03,
        clock.now(),
      );
      if (subscription.area) active.push(subscription.area.centre);
      batch.push(subscription);
    }
    await subscriptions.insertMany(batch);
  }
  const seedSeconds = seconds(performance.now() - seedStart);
  progress(`seeded ${settings.BENCH_SUBSCRIBERS} subscribers in ${seedSeconds} s`);
  const inCircle = (centre: GeoPoint, radiusKm: number) =>
    active.filter((point) => haversineKm(centre, point) <= radiusKm).length;

  const app = await build(SEND_RUNS[0].rate);
  // Loaded in bulk, so the board of where subscribers are is built from them (set-up too).
  const boardStart = performance.now();
  await app.reindexSubscribers();
  progress(`built the subscriber board in ${seconds(performance.now() - boardStart)} s`);
  const officerAccount = await app.officers.create({
    username: 'bench.officer',
    password: PASSWORD,
    role: 'officer',
    region: REGION,
  });
  await app.officers.create({
    username: 'bench.supervisor',
    password: PASSWORD,
    role: 'supervisor',
    region: REGION,
  });
  const officer = await signIn(app, 'bench.officer');
  const supervisor = await signIn(app, 'bench.supervisor');

  const stages: StageFigure[] = [];
  /** Times `act`, from its start to the "stage enqueued" of `stage` of `alertId`. */
  const measure = async (
    alertId: string,
    stage: number,
    ring: AlertStage,
    centre: GeoPoint,
    label: string,
    act: () => Promise<unknown>,
  ) => {
    progress(`${label}: selecting and enqueueing`);
    const t0 = performance.now();
    await act();
    const logged = enqueued.get(`${alertId}:${stage}`);
    if (!logged) throw new Error(`stage ${stage} was not enqueued`);
    const figure: StageFigure = {
      label,
      radiusKm: ring.radiusKm,
      among: settings.BENCH_SUBSCRIBERS,
      inCircle: inCircle(centre, ring.radiusKm),
      enqueued: logged.recipients,
      seconds: seconds(logged.at - t0),
    };
    progress(`${label}: ${figure.enqueued} entries in ${figure.seconds} s`);
    stages.push(figure);
  };

  // The published stages around Casablanca: approval enqueues 20 km at once;
  // the periodic reconcile enqueues 80 km after 2 h and 160 km after 6 h (the
  // alert extended first, or it would expire at 6 h).
  const firstCase = await confirmedCase(app, officer, 1, clock.now());
  const staged = alertIdOf(await call(app, officer, `/api/cases/${firstCase}/alerts`));
  const published = [
    { afterMinutes: 0, radiusKm: 20 },
    { afterMinutes: 120, radiusKm: 80 },
    { afterMinutes: 360, radiusKm: 160 },
  ] as const;
  await measure(staged, 0, published[0], CASABLANCA, 'stage 0 (approval)', () =>
    call(app, supervisor, `/api/alerts/${staged}/approve`),
  );
  clock.advance(120 * 60_000);
  await measure(staged, 1, published[1], CASABLANCA, 'stage 1 (after 2 h)', () =>
    app.alertScheduler.reconcile(),
  );
  await call(app, supervisor, `/api/alerts/${staged}/extend`, { hours: 6 });
  clock.advance(240 * 60_000);
  await measure(staged, 2, published[2], CASABLANCA, 'stage 2 (after 6 h)', () =>
    app.alertScheduler.reconcile(),
  );

  // The worst case: one stage over the whole country. The officer API stops
  // at 1000 km (not all of Morocco from one centre), so this alert is
  // proposed through the service; the approval is the API's, as above.
  const countryCase = await confirmedCase(app, officer, 2, clock.now());
  const country = { afterMinutes: 0, radiusKm: 2_000 } as const;
  const found = await app.cases.get(countryCase);
  if (!found) throw new Error('the country-wide case is missing');
  const countryAlert = await app.alerts.propose(found, officerAccount, { stages: [country] });
  await measure(countryAlert._id, 0, country, CASABLANCA, 'whole country (approval)', () =>
    call(app, supervisor, `/api/alerts/${countryAlert._id}/approve`),
  );
  await app.broadcast.stop();
  await app.http.close();

  // Send runs: each with its own app (the worker's rate is set when it is
  // built, and its queue holds only that alert) and its own recipients.
  const sends = [];
  for (const [index, run] of SEND_RUNS.entries()) {
    const cell = SEND_CELLS[index];
    if (!cell) throw new Error('no cell for this send run');
    const centre = geohashCentre(cell);
    const recipients = Array.from({ length: run.entries }, (_, i) =>
      inventedSubscription(
        `+2127${String(10_000_000 + index * 100_000 + i)}`,
        centre,
        false,
        clock.now(),
      ),
    );
    for (let from = 0; from < recipients.length; from += 2_000)
      await subscriptions.insertMany(recipients.slice(from, from + 2_000));
    const sender = await build(run.rate);
    await sender.reindexSubscribers();
    // One worker in the deployment holds the broadcast lease (the previous
    // app's gave it back when it stopped); without it, a worker ignores what
    // it is handed.
    if (!(await sender.broadcast.renewLease())) throw new Error('the broadcast lease is held');
    const asOfficer = await signIn(sender, 'bench.officer');
    const asSupervisor = await signIn(sender, 'bench.supervisor');
    const caseId = await confirmedCase(sender, asOfficer, 3 + index, clock.now());
    const alertId = alertIdOf(
      await call(sender, asOfficer, `/api/cases/${caseId}/alerts`, {
        centre,
        stages: [{ afterMinutes: 0, radiusKm: 1 }],
      }),
    );
    await call(sender, asSupervisor, `/api/alerts/${alertId}/approve`);
    const queued = (await sender.alertOutbox.progress(alertId, false)).queued;
    // The worker reads the outbox by cursor once it sends: it has the alert to read, not its entries.
    if (!sender.broadcast.busy || !sender.broadcast.holdsLease)
      throw new Error(`the worker was not handed the ${queued} entries`);
    progress(`sending ${queued} entries at ${run.rate}/s`);
    // The worker as src/main.ts runs it (renewing its lease as it goes), from
    // its first send to the last receipt written.
    // A pace far below the configured one is stopped after 1.5× the planned
    // time, so the run stays short; what was sent by then is the figure.
    const t0 = performance.now();
    sender.broadcast.start();
    const deadline = t0 + (1500 * run.entries) / run.rate;
    while (sender.broadcast.busy && performance.now() < deadline) await sleep(5);
    await sender.broadcast.stop();
    const elapsed = performance.now() - t0;
    const done = await sender.alertOutbox.progress(alertId, false);
    const achieved = done.sent / (elapsed / 1000);
    sends.push({
      rate: run.rate,
      entries: queued,
      sent: done.sent,
      failed: done.failed + done.skipped + done.cancelled,
      seconds: seconds(elapsed),
      achieved: Number(achieved.toFixed(2)),
      deviationPct: Number((((achieved - run.rate) / run.rate) * 100).toFixed(2)),
    });
    progress(`sent ${done.sent} at ${achieved.toFixed(2)}/s`);
    await sender.http.close();
  }

  await connection.dropDatabase();
  await connection.close();
  process.stdout.write(
    `${JSON.stringify({ scenario: 'alerts', subscribers: settings.BENCH_SUBSCRIBERS, seedSeconds, stages, sends })}\n`,
  );
}

await main();
