/**
 * mongo-java-server 1.47.0 (in-memory backend, started by
 * test/support/mongoJavaServer.ts) against what the project asks of MongoDB,
 * through mongoose 8 and the Node driver 6. Each test pins what the server
 * does today, so an upgrade that changes it fails here first.
 *
 * Works:
 * - the driver's handshake, with the server set to MONGO_5_0 (wire version 8,
 *   the lowest that the Node driver 6.x accepts: MONGO_3_6 and MONGO_4_0 are
 *   refused);
 * - insertOne and findOne by `_id`;
 * - a unique index (single field or compound) refuses a duplicate with code 11000;
 * - findOneAndUpdate guarded by the expected state: the new document when the
 *   guard matches, null when it does not;
 * - `$in` on a field with an index, countDocuments, aggregate;
 * - a cursor over 10 000 documents (getMore batches), in `_id` order when sorted;
 * - insertMany and bulkWrite with `ordered: false` and duplicates: the others
 *   are written, and a MongoBulkWriteError (code 11000) carries `writeErrors`
 *   as an array of `{ index, code: 11000, errmsg, op }`, with the indexes of
 *   the whole call even when the driver splits it into batches of 1 000.
 *
 * Does not work, or not as on MongoDB:
 * - a non-unique index (single or compound) is accepted and listed, but the
 *   server logs "adding secondary index … is not yet implemented. ignoring":
 *   queries are right, but scan the whole collection;
 * - a TTL index is accepted and listed with `expireAfterSeconds`, but nothing
 *   expires documents (the server has no TTL monitor);
 * - `partialFilterExpression` is ignored: a unique partial index refuses two
 *   documents that both lack the field (MongoDB would accept them). `sparse` works;
 * - the bulk error's `result.insertedCount` counts the refused documents too
 *   (4 of 4 where MongoDB says 2);
 * - `hello` is no command (CommandNotFound, 59): the driver falls back on
 *   `isMaster`, which names no replica set (no `setName`), so change streams
 *   (`watch`) fail and so do sessions and transactions ("Current topology does
 *   not support sessions"); `explain` is no command either.
 */
import type { Connection } from 'mongoose';
import mongoose, { mongo } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MongoJavaServer, startMongoJavaServer } from '../support/mongoJavaServer.js';

let server: MongoJavaServer;
let connection: Connection;

beforeAll(async () => {
  server = await startMongoJavaServer();
  connection = await mongoose.createConnection(server.uri, { dbName: 'tifli_smoke' }).asPromise();
});
afterAll(async () => {
  await connection?.close();
  await server?.stop();
});

/** What mongoose (or the driver) threw, for assertions on its shape. */
async function thrown(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to fail');
}

interface Keyed {
  _id: string;
  [field: string]: unknown;
}

describe('mongo-java-server 1.47.0 as the project uses MongoDB', () => {
  it('starts on a free loopback port and refuses a port that is taken, with its stderr', async () => {
    expect(server.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const port = Number(new URL(server.uri).port);
    await expect(startMongoJavaServer({ port })).rejects.toThrow(/Address already in use/);
    await expect(startMongoJavaServer({ port: -1 })).rejects.toThrow();
  });

  it('says it is a standalone 5.0 (wire version 8): no replica set, so no change streams', async () => {
    const admin = connection.getClient().db('admin');
    const hello = await thrown(() => admin.command({ hello: 1 }));
    expect(hello).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    const isMaster = await admin.command({ isMaster: 1 });
    expect(isMaster).toMatchObject({ ismaster: true, maxWireVersion: 8 });
    expect(isMaster.setName).toBeUndefined();
    expect((await admin.command({ buildInfo: 1 })).version).toBe('5.0.0');

    const stream = connection.collection('watched').watch();
    await expect(stream.tryNext()).rejects.toThrow();
    await stream.close();
    const session = connection.getClient().startSession();
    await expect(
      session.withTransaction(() => connection.collection('watched').insertOne({}, { session })),
    ).rejects.toThrow(/does not support sessions/);
    await session.endSession();
  });

  it('inserts and finds a document by _id', async () => {
    const cases = connection.collection<Keyed>('cases');
    await cases.insertOne({ _id: 'case-1', status: 'pending', child: { age: 6 } });
    expect(await cases.findOne({ _id: 'case-1' })).toEqual({
      _id: 'case-1',
      status: 'pending',
      child: { age: 6 },
    });
    expect(await cases.findOne({ _id: 'case-404' })).toBeNull();
  });

  it('refuses a duplicate on a unique index, single or compound, with code 11000', async () => {
    const officers = connection.collection<Keyed>('officers');
    await officers.createIndex({ username: 1 }, { unique: true });
    await officers.createIndex({ region: 1, badge: 1 }, { unique: true });
    await officers.insertOne({ _id: 'o1', username: 'nadia', region: 'casa', badge: 7 });
    expect(
      await thrown(() => officers.insertOne({ _id: 'o2', username: 'nadia', region: 'rabat' })),
    ).toMatchObject({ code: 11000 });
    expect(
      await thrown(() =>
        officers.insertOne({ _id: 'o3', username: 'salma', region: 'casa', badge: 7 }),
      ),
    ).toMatchObject({ code: 11000 });
    await officers.insertOne({ _id: 'o4', username: 'salma', region: 'casa', badge: 8 });
    // A duplicate _id is the same error.
    expect(await thrown(() => officers.insertOne({ _id: 'o1', username: 'other' }))).toMatchObject({
      code: 11000,
    });
    expect(await officers.countDocuments()).toBe(2);
  });

  it('ignores partialFilterExpression on a unique index, but honours sparse', async () => {
    const partial = connection.collection<Keyed>('partial');
    await partial.createIndex(
      { phone: 1 },
      { unique: true, partialFilterExpression: { phone: { $exists: true } } },
    );
    await partial.insertOne({ _id: 'p1' });
    // MongoDB accepts this document: the index does not cover it.
    expect(await thrown(() => partial.insertOne({ _id: 'p2' }))).toMatchObject({ code: 11000 });

    const sparse = connection.collection<Keyed>('sparse');
    await sparse.createIndex({ phone: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ _id: 's1' }, { _id: 's2' }]);
    expect(await sparse.countDocuments()).toBe(2);
  });

  it('answers null from findOneAndUpdate when the state guard does not match', async () => {
    const Case = connection.model(
      'SmokeCase',
      new mongoose.Schema({ _id: String, status: String }),
      'guarded_cases',
    );
    await Case.create({ _id: 'case-2', status: 'pending' });
    const claim = () =>
      Case.findOneAndUpdate(
        { _id: 'case-2', status: 'pending' },
        { $set: { status: 'in_review' } },
        { new: true },
      ).lean();
    expect(await claim()).toMatchObject({ _id: 'case-2', status: 'in_review' });
    expect(await claim()).toBeNull();
    expect(await Case.findById('case-2').lean()).toMatchObject({ status: 'in_review' });
  });

  it('accepts a compound and a single-field index (listed, not used) and finds by $in', async () => {
    const sightings = connection.collection<Keyed>('sightings');
    await sightings.createIndex({ caseId: 1, at: -1 });
    await sightings.createIndex({ caseId: 1 });
    await sightings.insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        _id: `s${i}`,
        caseId: `case-${i % 5}`,
        at: new Date(Date.UTC(2026, 10, 1, i)),
      })),
    );
    const names = (await sightings.indexes()).map((index) => index.name);
    expect(names).toEqual(expect.arrayContaining(['caseId_1_at_-1', 'caseId_1']));
    const found = await sightings
      .find({ caseId: { $in: ['case-1', 'case-3', 'case-9'] } })
      .sort({ at: -1 })
      .toArray();
    expect(found).toHaveLength(12);
    expect(found.every((s) => s.caseId === 'case-1' || s.caseId === 'case-3')).toBe(true);
    expect(found[0]?._id).toBe('s28');
    expect(await sightings.countDocuments({ caseId: 'case-0' })).toBe(6);
    expect(await sightings.countDocuments({})).toBe(30);
    expect(await sightings.estimatedDocumentCount()).toBe(30);
  });

  it('creates a TTL index without complaint, and never expires anything', async () => {
    const sessions = connection.collection<Keyed>('officer_sessions');
    await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    expect(await sessions.indexes()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'expiresAt_1', expireAfterSeconds: 0 }),
      ]),
    );
    await sessions.insertOne({ _id: 'stale', expiresAt: new Date(Date.now() - 3_600_000) });
    // MongoDB's TTL monitor wakes every 60 s, so this wait proves nothing there;
    // mongo-java-server has no such monitor at all (no TTL code in the jar).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await sessions.countDocuments({ _id: 'stale' })).toBe(1);
  });

  it('walks a cursor over 10 000 documents', async () => {
    const outbox = connection.collection<{ _id: number; body: string }>('outbox');
    const total = 10_000;
    await outbox.insertMany(
      Array.from({ length: total }, (_, i) => ({ _id: total - i, body: `message ${i}` })),
    );
    let seen = 0;
    let previous = 0;
    for await (const entry of outbox.find({}).sort({ _id: 1 }).batchSize(500)) {
      expect(entry._id).toBe(previous + 1);
      previous = entry._id;
      seen++;
    }
    expect(seen).toBe(total);
    expect(await outbox.countDocuments()).toBe(total);
  });

  it('writes the rest of an unordered bulk with duplicates, and names each refused index', async () => {
    const deliveries = connection.collection<Keyed>('deliveries');
    await deliveries.createIndex({ recipient: 1 }, { unique: true });
    await deliveries.insertOne({ _id: 'x', recipient: '+212600000000' });
    const error = await thrown(() =>
      deliveries.bulkWrite(
        [
          { insertOne: { document: { _id: 'a', recipient: '+212611000001' } } },
          { insertOne: { document: { _id: 'b', recipient: '+212611000001' } } },
          { insertOne: { document: { _id: 'c', recipient: '+212611000002' } } },
          { insertOne: { document: { _id: 'a', recipient: '+212611000009' } } },
        ],
        { ordered: false },
      ),
    );
    expect(error).toBeInstanceOf(mongo.MongoBulkWriteError);
    const bulk = error as mongo.MongoBulkWriteError;
    expect(bulk.code).toBe(11000);
    expect(Array.isArray(bulk.writeErrors)).toBe(true);
    const writeErrors = bulk.writeErrors as mongo.WriteError[];
    expect(writeErrors.map((e) => [e.index, e.code])).toEqual([
      [1, 11000],
      [3, 11000],
    ]);
    expect(writeErrors[0]?.errmsg).toMatch(/E11000 duplicate key error .* index: recipient_1/);
    expect((await deliveries.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d._id)).toEqual([
      'a',
      'c',
      'x',
    ]);
    // Not as on MongoDB, which says 2: the server counts the refused documents as inserted.
    expect(bulk.result.insertedCount).toBe(4);
  });

  it('maps write errors to the whole insertMany when the driver splits it into batches', async () => {
    const outbox = connection.collection<Keyed>('batched_outbox');
    await outbox.insertMany([{ _id: 'e10' }, { _id: 'e1500' }, { _id: 'e2400' }]);
    const entries = Array.from({ length: 2_500 }, (_, i) => ({ _id: `e${i}` }));
    const error = await thrown(() => outbox.insertMany(entries, { ordered: false }));
    expect(error).toBeInstanceOf(mongo.MongoBulkWriteError);
    const writeErrors = (error as mongo.MongoBulkWriteError).writeErrors as mongo.WriteError[];
    expect(writeErrors.map((e) => e.index)).toEqual([10, 1500, 2400]);
    expect(writeErrors.every((e) => e.code === 11000)).toBe(true);
    expect(await outbox.countDocuments()).toBe(2_500);
  });
});
