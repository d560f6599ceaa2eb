import { beforeEach, expect, it } from 'vitest';
import { SubscriberBoard } from '../../src/adapters/embedded/subscriberBoard.js';
import { MemorySubscriberIndex } from '../../src/adapters/memory/memorySubscriberIndex.js';
import { MemorySubscriptionStore } from '../../src/adapters/memory/memorySubscriptionStore.js';
import { MongoSubscriberIndex } from '../../src/adapters/mongo/mongoSubscriberIndex.js';
import { MongoSubscriberDirectory } from '../../src/adapters/mongo/subscriberDirectory.js';
import { MongoSubscriptionRepository } from '../../src/adapters/mongo/subscriptionRepository.js';
import type { RecipientCheck, SubscriptionStore } from '../../src/app/ports/subscriptions.js';
import type { GeoPoint } from '../../src/core/alert/alert.js';
import { encodeGeohash, geohashCentre } from '../../src/core/place/geohash.js';
import type { SubscriberArea } from '../../src/core/subscription.js';
import { type Backend, describeContract } from './backends.js';

/**
 * The subscription itself, on every backend: what is kept of a number that
 * subscribes, subscribes again and sends STOP, and whether it may still
 * receive alerts. (Where subscribers are found is the subscriber index suite's.)
 */
function subscriptionsFor(backend: Backend): {
  store: SubscriptionStore;
  recipients: RecipientCheck;
} {
  switch (backend.kind) {
    case 'memory': {
      const store = new MemorySubscriptionStore(new MemorySubscriberIndex());
      return { store, recipients: store };
    }
    case 'embedded':
    case 'mongo': {
      const { connection } = backend;
      const index =
        backend.kind === 'embedded'
          ? new SubscriberBoard(connection)
          : new MongoSubscriberIndex(connection);
      return {
        store: new MongoSubscriptionRepository(connection, index),
        recipients: new MongoSubscriberDirectory(connection),
      };
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

/** The coarse cell of a shared pin, as the subscribe flow keeps it. */
function cellArea(point: GeoPoint): SubscriberArea {
  const geohash = encodeGeohash(point.lat, point.lon, 5);
  return { kind: 'cell', geohash, centre: geohashCentre(geohash) };
}

const FES: SubscriberArea = { kind: 'city', cityId: 'fes', centre: { lat: 34.0331, lon: -5.0003 } };
const START = new Date('2026-11-28T16:00:00Z');
const hours = (n: number) => new Date(START.getTime() + n * 3_600_000);

let counter = 0;

describeContract('SubscriptionStore and RecipientCheck', (backend) => {
  let store: SubscriptionStore;
  let recipients: RecipientCheck;
  let address: string;
  beforeEach(() => {
    ({ store, recipients } = subscriptionsFor(backend()));
    counter += 1;
    // An invented number, new for each test (the suite shares one database).
    address = `+21264200${String(counter).padStart(4, '0')}`;
  });
  const id = () => `dev:${address}`;

  it('keeps a subscription with its coarse area, and it may receive alerts', async () => {
    const area = cellArea({ lat: 33.5731, lon: -7.5898 });
    await store.subscribe({ channel: 'dev', address, language: 'ary', area, now: START });
    expect(await store.find('dev', address)).toEqual({
      _id: id(),
      channel: 'dev',
      address,
      language: 'ary',
      area,
      status: 'active',
      consentAt: START,
      createdAt: START,
      updatedAt: START,
      stoppedAt: null,
    });
    expect(await recipients.isActive(id())).toBe(true);
    expect(await store.find('whatsapp', address)).toBeNull();
    expect(await recipients.isActive(`whatsapp:${address}`)).toBe(false);
  });

  it('replaces the area and the language when the number subscribes again', async () => {
    await store.subscribe({
      channel: 'dev',
      address,
      language: 'fr',
      area: cellArea({ lat: 33.5731, lon: -7.5898 }),
      now: START,
    });
    await store.subscribe({ channel: 'dev', address, language: 'ar', area: FES, now: hours(2) });
    expect(await store.find('dev', address)).toMatchObject({
      language: 'ar',
      area: FES,
      status: 'active',
      consentAt: hours(2),
      createdAt: START,
      updatedAt: hours(2),
    });
  });

  it('keeps only the opt-out after STOP, and no alert goes to that number', async () => {
    await store.subscribe({ channel: 'dev', address, language: 'fr', area: FES, now: START });
    expect(await store.unsubscribe('dev', address, hours(1))).toEqual({ wasSubscribed: true });
    expect(await store.find('dev', address)).toMatchObject({
      _id: id(),
      status: 'stopped',
      area: null,
      stoppedAt: hours(1),
      updatedAt: hours(1),
    });
    expect(await recipients.isActive(id())).toBe(false);
    expect(await store.unsubscribe('dev', address, hours(2))).toEqual({ wasSubscribed: false });
    expect((await store.find('dev', address))?.stoppedAt).toEqual(hours(1));
  });

  it('says STOP from a number never subscribed changed nothing', async () => {
    expect(await store.unsubscribe('dev', address, START)).toEqual({ wasSubscribed: false });
    expect(await store.find('dev', address)).toBeNull();
    expect(await recipients.isActive(id())).toBe(false);
  });

  it('makes a number that stopped active again when it subscribes again', async () => {
    await store.subscribe({ channel: 'dev', address, language: 'fr', area: FES, now: START });
    await store.unsubscribe('dev', address, hours(1));
    await store.subscribe({ channel: 'dev', address, language: 'fr', area: FES, now: hours(3) });
    expect(await store.find('dev', address)).toMatchObject({
      status: 'active',
      area: FES,
      stoppedAt: null,
      consentAt: hours(3),
    });
    expect(await recipients.isActive(id())).toBe(true);
  });
});
