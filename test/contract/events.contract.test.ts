import { Writable } from 'node:stream';
import { mongo } from 'mongoose';
import { afterEach, expect, it, vi } from 'vitest';
import { MemoryEvents } from '../../src/adapters/memory/memoryEvents.js';
import { MongoEvents } from '../../src/adapters/mongo/mongoEvents.js';
import type { CaseEvent, Events } from '../../src/app/ports/events.js';
import { createLogger } from '../../src/logger.js';
import { type Backend, describeContract } from './backends.js';

const logs: string[] = [];
const logger = createLogger(
  { level: 'warn' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  }),
);

const opened: Events[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((events) => events.close()));
});

/**
 * One instance's events on this backend, as the app picks them: the embedded
 * FerretDB (one instance, no TTL index, no change streams) keeps them in
 * process; on MongoDB instances on one database share them.
 */
async function openEvents(backend: Backend): Promise<Events> {
  const events =
    backend.kind === 'mongo'
      ? await MongoEvents.open(backend.connection, { logger, pollMs: 100 })
      : new MemoryEvents();
  opened.push(events);
  return events;
}

function connectionOf(backend: Backend) {
  if (backend.kind === 'memory') throw new Error('a database backend only');
  return backend.connection;
}

/** What a listener heard, in order. */
function record(events: Events): CaseEvent[] {
  const heard: CaseEvent[] = [];
  events.subscribe((event) => heard.push(event));
  return heard;
}

// Other instances' events arrive within a poll or two; this only bounds a failure.
const ARRIVAL = { timeout: 15_000, interval: 50 };

describeContract('Events', (backend) => {
  it('tells every listener of the instance at once, with the ids only', async () => {
    const events = await openEvents(backend());
    const first = record(events);
    const second = record(events);
    const alert: CaseEvent = {
      type: 'alert',
      caseId: 'case-1',
      region: 'casablanca-settat',
      alertId: 'alert-1',
    };
    events.publish(alert);
    events.publish({ type: 'created', caseId: 'case-2', region: null });
    expect(first).toEqual([alert, { type: 'created', caseId: 'case-2', region: null }]);
    expect(second).toEqual(first);
  });

  it('stops telling a listener that unsubscribed, and everyone once closed', async () => {
    const events = await openEvents(backend());
    const kept = record(events);
    const gone: CaseEvent[] = [];
    const unsubscribe = events.subscribe((event) => gone.push(event));
    events.publish({ type: 'updated', caseId: 'case-3', region: 'oriental' });
    unsubscribe();
    events.publish({ type: 'message', caseId: 'case-3', region: 'oriental' });
    expect(gone).toEqual([{ type: 'updated', caseId: 'case-3', region: 'oriental' }]);
    expect(kept.map((event) => event.type)).toEqual(['updated', 'message']);
    await events.close();
    events.publish({ type: 'updated', caseId: 'case-3', region: 'oriental' });
    expect(kept).toHaveLength(2);
  });
});

describeContract(
  'Events across instances',
  (backend) => {
    it('two instances on one database hear each other, and never their own events twice', async () => {
      const a = await openEvents(backend());
      const b = await openEvents(backend());
      const heardByA = record(a);
      const heardByB = record(b);
      const sighting: CaseEvent = {
        type: 'sighting',
        caseId: 'case-10',
        region: 'fes-meknes',
        sightingId: 'sighting-1',
      };
      a.publish(sighting);
      await vi.waitFor(() => expect(heardByB).toEqual([sighting]), ARRIVAL);
      // B answers; once A hears it, A has read past its own event, so a second copy would be here.
      const reply: CaseEvent = { type: 'updated', caseId: 'case-10', region: 'fes-meknes' };
      b.publish(reply);
      await vi.waitFor(() => expect(heardByA).toContainEqual(reply), ARRIVAL);
      expect(heardByA).toEqual([sighting, reply]);
      expect(heardByB).toEqual([sighting, reply]);
    });

    it('an instance that starts later hears what is published after it started, not before', async () => {
      const a = await openEvents(backend());
      const witness = record(await openEvents(backend()));
      const before: CaseEvent = { type: 'created', caseId: 'case-20', region: null };
      a.publish(before);
      // Once another instance heard it, it is stored: the late one starts after it.
      await vi.waitFor(() => expect(witness).toEqual([before]), ARRIVAL);
      const heard = record(await openEvents(backend()));
      const after: CaseEvent = { type: 'message', caseId: 'case-21', region: 'souss-massa' };
      a.publish(after);
      await vi.waitFor(() => expect(heard).toContainEqual(after), ARRIVAL);
      expect(heard).toEqual([after]);
    });

    it('hears an event whose id sorts before one it already heard (ids are made by each client)', async () => {
      const a = await openEvents(backend());
      const heard = record(await openEvents(backend()));
      const first: CaseEvent = { type: 'updated', caseId: 'case-40', region: null };
      a.publish(first);
      await vi.waitFor(() => expect(heard).toEqual([first]), ARRIVAL);
      // Another instance's client made its id a moment earlier, and its insert arrives late.
      const late: CaseEvent = { type: 'message', caseId: 'case-41', region: null };
      await connectionOf(backend())
        .collection('events')
        .insertOne({
          _id: mongo.ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 2),
          instance: 'another-instance',
          at: new Date(),
          event: late,
        });
      await vi.waitFor(() => expect(heard).toEqual([first, late]), ARRIVAL);
    });

    it('stores ids only, in a collection an hour-long TTL index empties', async () => {
      const a = await openEvents(backend());
      const witness = record(await openEvents(backend()));
      const events = connectionOf(backend()).collection('events');
      const event: CaseEvent = {
        type: 'alert',
        caseId: 'case-30',
        region: 'draa-tafilalet',
        alertId: 'alert-30',
      };
      a.publish(event);
      await vi.waitFor(() => expect(witness).toEqual([event]), ARRIVAL);
      const stored = await events.find({ 'event.caseId': 'case-30' }).toArray();
      expect(stored).toHaveLength(1);
      expect(Object.keys(stored[0] ?? {}).sort()).toEqual(['_id', 'at', 'event', 'instance']);
      expect(stored[0]?.event).toEqual(event);
      const indexes = await events.indexes();
      expect(indexes).toContainEqual(
        expect.objectContaining({ key: { at: 1 }, expireAfterSeconds: 3600 }),
      );
    });
  },
  ['mongo'],
);
