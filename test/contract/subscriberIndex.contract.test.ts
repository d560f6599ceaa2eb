import { mongo } from 'mongoose';
import { beforeAll, expect, it } from 'vitest';
import { SubscriberBoard } from '../../src/adapters/embedded/subscriberBoard.js';
import { MemorySubscriberIndex } from '../../src/adapters/memory/memorySubscriberIndex.js';
import { MemorySubscriptionStore } from '../../src/adapters/memory/memorySubscriptionStore.js';
import { MongoSubscriberIndex } from '../../src/adapters/mongo/mongoSubscriberIndex.js';
import { MongoSubscriberDirectory } from '../../src/adapters/mongo/subscriberDirectory.js';
import { MongoSubscriptionRepository } from '../../src/adapters/mongo/subscriptionRepository.js';
import type {
  RecipientCheck,
  SubscriberIndex,
  SubscriberPoint,
  SubscriptionStore,
} from '../../src/app/ports/subscriptions.js';
import type { GeoPoint } from '../../src/core/alert/alert.js';
import type { Language } from '../../src/core/nlu/language.js';
import { haversineKm } from '../../src/core/place/gazetteer.js';
import { encodeGeohash, geohashCentre } from '../../src/core/place/geohash.js';
import type { SubscriberArea } from '../../src/core/subscription.js';
import { type Backend, describeContract } from './backends.js';

/**
 * Where subscribers are, on every backend: the subscription store keeps the
 * index in step (subscribe, move, STOP), and a circle's selection, once the
 * caller keeps those within the exact distance, is the same set everywhere
 * and exactly the subscribers inside it. Nothing stored holds the point a
 * citizen shared. On the embedded board, a crowd in one spot is spread over
 * pages that each stay under the board's bound.
 */

interface Subject {
  store: SubscriptionStore;
  index: SubscriberIndex;
  recipients: RecipientCheck;
  /** The active subscribers as the store has them, to rebuild the index from. */
  active(): AsyncIterable<SubscriberPoint>;
  /** Everything the backend stored, as plain data. */
  stored(): Promise<unknown[]>;
}

/** memory → memory adapters; embedded → the board; mongo → the indexed cell. */
function subjectFor(backend: Backend, options: { membersPerPage?: number } = {}): Subject {
  switch (backend.kind) {
    case 'memory': {
      const index = new MemorySubscriberIndex();
      const store = new MemorySubscriptionStore(index);
      return {
        store,
        index,
        recipients: store,
        active: () => store.eachActive(),
        stored: async () => store.stored(),
      };
    }
    case 'embedded':
    case 'mongo': {
      const { connection } = backend;
      const index =
        backend.kind === 'embedded'
          ? new SubscriberBoard(connection, options)
          : new MongoSubscriberIndex(connection);
      const directory = new MongoSubscriberDirectory(connection);
      return {
        store: new MongoSubscriptionRepository(connection, index),
        index,
        recipients: directory,
        active: () => directory.eachActive(),
        stored: async () => {
          const documents: unknown[] = [];
          for (const { name } of await connection.listCollections())
            documents.push(...(await connection.collection(name).find().toArray()));
          return documents;
        },
      };
    }
    default: {
      const unknown: never = backend;
      throw new Error(`no subject for ${JSON.stringify(unknown)}`);
    }
  }
}

const NOW = new Date('2026-11-28T16:00:00Z');
const LANGUAGES: readonly Language[] = ['ar', 'fr', 'ary'];

/** Invented towns (real coordinates), each with subscribers around it. */
const TOWNS: ReadonlyArray<{ cityId: string; at: GeoPoint }> = [
  { cityId: 'casablanca', at: { lat: 33.5731, lon: -7.5898 } },
  { cityId: 'rabat', at: { lat: 34.0209, lon: -6.8416 } },
  { cityId: 'fes', at: { lat: 34.0331, lon: -5.0003 } },
  { cityId: 'marrakech', at: { lat: 31.6295, lon: -7.9811 } },
  { cityId: 'tanger', at: { lat: 35.7595, lon: -5.834 } },
  { cityId: 'agadir', at: { lat: 30.4278, lon: -9.5981 } },
  { cityId: 'oujda', at: { lat: 34.6814, lon: -1.9086 } },
  { cityId: 'laayoune', at: { lat: 27.1536, lon: -13.2033 } },
];

interface Invented {
  channel: string;
  address: string;
  language: Language;
  area: SubscriberArea;
}

/** The area a shared pin becomes: its 5 km cell and that cell's centre. */
function cellArea(pin: GeoPoint): SubscriberArea {
  const geohash = encodeGeohash(pin.lat, pin.lon, 5);
  return { kind: 'cell', geohash, centre: geohashCentre(geohash) };
}

/** A deterministic crowd: per town, pins up to about 60 km out, and some who chose the town itself. */
function invented(): Invented[] {
  const people: Invented[] = [];
  TOWNS.forEach((town, t) => {
    for (let i = 0; i < 40; i++) {
      const n = t * 100 + i;
      const area: SubscriberArea =
        i % 5 === 0
          ? { kind: 'city', cityId: town.cityId, centre: { ...town.at } }
          : cellArea({
              lat: town.at.lat + (((n * 7919) % 1100) - 550) / 1000,
              lon: town.at.lon + (((n * 104729) % 1300) - 650) / 1000,
            });
      people.push({
        channel: i % 4 === 0 ? 'whatsapp' : 'dev',
        address:
          i % 4 === 0
            ? `2126410${String(n).padStart(5, '0')}@c.us`
            : `+2126410${String(n).padStart(5, '0')}`,
        language: LANGUAGES[n % 3] ?? 'ar',
        area,
      });
    }
  });
  return people;
}

const CIRCLES: ReadonlyArray<[GeoPoint, number]> = [
  [{ lat: 33.5731, lon: -7.5898 }, 20],
  [{ lat: 33.5731, lon: -7.5898 }, 160],
  [{ lat: 34.0209, lon: -6.8416 }, 80],
  [{ lat: 33.8, lon: -6.2 }, 45],
  [{ lat: 31.63, lon: -8.0 }, 300],
  [{ lat: 30.42, lon: -9.6 }, 5],
  [{ lat: 27.15, lon: -13.2 }, 500],
  [{ lat: 32, lon: -6 }, 2000],
];

/** What `within` gave, and the ids of those the caller keeps (inside the exact distance). */
async function select(index: SubscriberIndex, centre: GeoPoint, radiusKm: number) {
  const given: SubscriberPoint[] = [];
  for await (const point of index.within(centre, radiusKm)) given.push(point);
  const inside = new Set(
    given.filter((point) => haversineKm(centre, point.centre) <= radiusKm).map((p) => p._id),
  );
  return { given, inside };
}

const idOf = (person: Invented) => `${person.channel}:${person.address}`;

function expected(people: Invented[], centre: GeoPoint, radiusKm: number): Set<string> {
  return new Set(
    people.filter((p) => haversineKm(centre, p.area.centre) <= radiusKm).map((p) => idOf(p)),
  );
}

describeContract('SubscriberIndex', (backend) => {
  let subject: Subject;
  let people: Invented[];

  beforeAll(async () => {
    subject = subjectFor(backend());
    await subject.index.ensureBuilt(subject.active());
    people = invented();
    for (const person of people) await subject.store.subscribe({ ...person, now: NOW });
  }, 120_000);

  it('selects a superset of the subscribers inside any circle, exactly them once filtered', async () => {
    for (const [centre, radiusKm] of CIRCLES) {
      const { given, inside } = await select(subject.index, centre, radiusKm);
      const label = `${centre.lat},${centre.lon} ${radiusKm} km`;
      expect(inside, label).toEqual(expected(people, centre, radiusKm));
      // Each comes with what a broadcast needs to write to them.
      for (const point of given) {
        const person = people.find((p) => idOf(p) === point._id);
        expect(point, label).toEqual({
          _id: point._id,
          channel: person?.channel,
          address: person?.address,
          language: person?.language,
          centre: person?.area.centre,
        });
      }
    }
  });

  it('takes a subscriber who sent STOP out of every selection', async () => {
    const leaving = people[3];
    if (!leaving) throw new Error('no one to stop');
    const id = idOf(leaving);
    expect(await subject.recipients.isActive(id)).toBe(true);
    expect(await subject.store.unsubscribe(leaving.channel, leaving.address, NOW)).toEqual({
      wasSubscribed: true,
    });
    expect(await subject.recipients.isActive(id)).toBe(false);
    expect((await select(subject.index, leaving.area.centre, 1)).inside).not.toContain(id);
    expect((await select(subject.index, { lat: 32, lon: -6 }, 2000)).inside).not.toContain(id);
    people = people.filter((p) => p !== leaving);
  });

  it('moves a subscriber who subscribes again elsewhere', async () => {
    const mover = people[1];
    if (mover?.area.kind !== 'cell') throw new Error('no pin subscriber to move');
    const from = mover.area.centre;
    const moved: Invented = { ...mover, area: cellArea({ lat: 35.7712, lon: -5.8101 }) };
    await subject.store.subscribe({ ...moved, now: NOW });
    people = people.map((p) => (p === mover ? moved : p));
    expect((await select(subject.index, from, 1)).inside).not.toContain(idOf(mover));
    const there = await select(subject.index, moved.area.centre, 1);
    expect(there.inside).toContain(idOf(mover));
    const found = there.given.find((point) => point._id === idOf(mover));
    expect(found?.centre).toEqual(moved.area.centre);
    expect(await subject.recipients.isActive(idOf(mover))).toBe(true);
  });

  it('stores no precise point, even when one is handed over with the area', async () => {
    const pin = { lat: 33.58123456, lon: -7.61234567 };
    // A caller that passes more than the area: the store keeps only the coarse cell.
    const area = { ...cellArea(pin), pin, latitude: pin.lat, longitude: pin.lon };
    const careless = { channel: 'dev', address: '+212641099999', language: 'fr' as const, area };
    await subject.store.subscribe({ ...careless, now: NOW });
    people.push({ ...careless, area: cellArea(pin) });
    const dump = JSON.stringify(await subject.stored());
    expect(dump).toContain('641099999');
    expect(dump).not.toContain('58123456');
    expect(dump).not.toContain('61234567');
    expect((await select(subject.index, pin, 5)).inside).toContain('dev:+212641099999');
  });

  it('is rebuilt from the subscriptions to the same selections', async () => {
    await subject.index.rebuild(subject.active());
    for (const [centre, radiusKm] of CIRCLES) {
      expect((await select(subject.index, centre, radiusKm)).inside).toEqual(
        expected(people, centre, radiusKm),
      );
    }
  });
});

describeContract(
  'SubscriberBoard',
  (backend) => {
    const spot: GeoPoint = { lat: 33.5731, lon: -7.5898 };
    const crowd = 2_000;
    /** Small pages, so a few thousand subscribers make dozens of them and many splits. */
    const membersPerPage = 50;
    let board: SubscriberBoard;
    let store: SubscriptionStore;

    const pageSizes = async () => {
      const current = backend();
      if (current.kind === 'memory') throw new Error('the board lives in a database');
      const documents = await current.connection.collection('subscriber_pages').find().toArray();
      return documents.map((document) => mongo.BSON.calculateObjectSize(document));
    };

    beforeAll(async () => {
      const current = backend();
      if (current.kind === 'memory') throw new Error('the board lives in a database');
      board = new SubscriberBoard(current.connection, { membersPerPage });
      store = new MongoSubscriptionRepository(current.connection, board);
      // A whole town subscribed to its centre, ten at a time, as a burst would.
      for (let from = 0; from < crowd; from += 10) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.subscribe({
              channel: 'dev',
              address: `+2126420${String(from + i).padStart(5, '0')}`,
              language: 'ary',
              area: { kind: 'city', cityId: 'casablanca', centre: spot },
              now: NOW,
            }),
          ),
        );
      }
    }, 180_000);

    it('spreads a crowd in one spot over pages that each stay under the bound', async () => {
      const sizes = await pageSizes();
      expect(sizes.length).toBeGreaterThan(crowd / membersPerPage / 2);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(board.maxPageBytes);
      const given: string[] = [];
      for await (const point of board.within(spot, 1)) given.push(point._id);
      expect(given).toHaveLength(crowd);
      expect(new Set(given).size).toBe(crowd);
    });

    it('forgets those of the crowd who stop, and rebuilds under the bound too', async () => {
      for (let i = 0; i < crowd; i += 8)
        await store.unsubscribe('dev', `+2126420${String(i).padStart(5, '0')}`, NOW);
      const left = async () => {
        const ids = new Set<string>();
        for await (const point of board.within(spot, 1)) ids.add(point._id);
        return ids;
      };
      const remaining = await left();
      expect(remaining.size).toBe(crowd - crowd / 8);
      expect(remaining).not.toContain('dev:+212642000000');
      const current = backend();
      if (current.kind === 'memory') throw new Error('the board lives in a database');
      await board.rebuild(new MongoSubscriberDirectory(current.connection).eachActive());
      expect(await left()).toEqual(remaining);
      expect(Math.max(...(await pageSizes()))).toBeLessThanOrEqual(board.maxPageBytes);
    }, 120_000);
  },
  ['embedded'],
);
