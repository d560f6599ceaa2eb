import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../support/database.js';

/**
 * Filters that name `_id` beside other fields. The embedded FerretDB narrows
 * them to the `_id` in SQLite (tools/ferretdb/patches/0001-id-pushdown.patch)
 * and still applies the whole filter; these are MongoDB's answers, which it
 * must keep giving.
 */
interface Doc {
  _id: string | number | mongoose.Types.ObjectId | mongoose.mongo.Double | mongoose.mongo.Long;
  eTag?: string;
  status?: string;
  n?: number;
  messages?: Array<{ id: string }>;
}

let connection: Connection;
let docs: mongoose.mongo.Collection<Doc>;
beforeAll(async () => {
  ({ connection } = await connectTestDatabase());
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});
beforeEach(async () => {
  docs = connection.collection<Doc>(`pushdown_${Math.random().toString(36).slice(2, 10)}`);
  await docs.insertMany([
    { _id: 'a', eTag: 'x', status: 'pending', messages: [] },
    { _id: 'b', eTag: 'y', status: 'open', messages: [] },
  ]);
});

const ids = async (filter: mongoose.mongo.Filter<Doc>) =>
  (await docs.find(filter).toArray()).map((d) => d._id).sort();

describe('a filter with _id and other fields', () => {
  it('{_id, eTag} matches only when both match (find, count)', async () => {
    expect(await ids({ _id: 'a', eTag: 'x' })).toEqual(['a']);
    expect(await ids({ _id: 'a', eTag: 'y' })).toEqual([]);
    expect(await ids({ _id: 'b', eTag: 'x' })).toEqual([]);
    expect(await ids({ _id: 'c', eTag: 'x' })).toEqual([]);
    expect(await ids({ eTag: 'x', _id: { $eq: 'a' } })).toEqual(['a']);
    expect(await ids({ _id: { $eq: 'a' }, eTag: 'y' })).toEqual([]);
    expect(await docs.countDocuments({ _id: 'a', eTag: 'x' })).toBe(1);
    expect(await docs.countDocuments({ _id: 'a', eTag: 'y' })).toBe(0);
  });

  it('{_id, eTag} guards an update', async () => {
    const stale = await docs.updateOne({ _id: 'a', eTag: 'y' }, { $set: { eTag: 'z' } });
    expect(stale.matchedCount).toBe(0);
    const fresh = await docs.updateOne({ _id: 'a', eTag: 'x' }, { $set: { eTag: 'z' } });
    expect(fresh.modifiedCount).toBe(1);
    expect(await docs.findOne({ _id: 'a' })).toMatchObject({ eTag: 'z' });
    expect(await docs.findOne({ _id: 'b' })).toMatchObject({ eTag: 'y' });
  });

  it('{_id, status: {$in}} in find and findOneAndUpdate', async () => {
    expect(await ids({ _id: 'a', status: { $in: ['pending'] } })).toEqual(['a']);
    expect(await ids({ _id: 'b', status: { $in: ['pending'] } })).toEqual([]);
    const moved = await docs.findOneAndUpdate(
      { _id: 'a', status: { $in: ['pending', 'open'] } },
      { $set: { status: 'closed' } },
      { returnDocument: 'after' },
    );
    expect(moved).toMatchObject({ _id: 'a', status: 'closed' });
    const again = await docs.findOneAndUpdate(
      { _id: 'a', status: { $in: ['pending', 'open'] } },
      { $set: { status: 'reopened' } },
    );
    expect(again).toBeNull();
    expect(await docs.findOne({ _id: 'a' })).toMatchObject({ status: 'closed' });
  });

  it('{_id: {$in}} still works, alone and with other fields', async () => {
    expect(await ids({ _id: { $in: ['a', 'b', 'c'] } })).toEqual(['a', 'b']);
    expect(await ids({ _id: { $in: ['a', 'b'] }, eTag: 'y' })).toEqual(['b']);
    expect(await ids({ _id: { $ne: 'a' } })).toEqual(['b']);
  });

  it("{_id, 'messages.id': {$ne}} adds a message once", async () => {
    const filter = { _id: 'a', 'messages.id': { $ne: 'm1' } };
    const first = await docs.updateOne(filter, { $push: { messages: { id: 'm1' } } });
    expect(first.modifiedCount).toBe(1);
    const second = await docs.updateOne(filter, { $push: { messages: { id: 'm1' } } });
    expect(second.matchedCount).toBe(0);
    expect((await docs.findOne({ _id: 'a' }))?.messages).toEqual([{ id: 'm1' }]);
  });

  it('an upsert with {_id, eTag} and a stale eTag is a duplicate key, not a second document', async () => {
    await expect(
      docs.findOneAndUpdate(
        { _id: 'a', eTag: 'stale' },
        { $set: { eTag: 'new' } },
        { upsert: true, returnDocument: 'after' },
      ),
    ).rejects.toMatchObject({ code: 11000 });
    expect(await docs.find({ _id: 'a' }).toArray()).toEqual([
      { _id: 'a', eTag: 'x', status: 'pending', messages: [] },
    ]);

    const made = await docs.findOneAndUpdate(
      { _id: 'c', eTag: 'e1' },
      { $set: { status: 'pending' } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(made).toEqual({ _id: 'c', eTag: 'e1', status: 'pending' });
    const current = await docs.findOneAndUpdate(
      { _id: 'a', eTag: 'x' },
      { $set: { eTag: 'x2' } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(current).toMatchObject({ _id: 'a', eTag: 'x2' });
    expect(await docs.countDocuments()).toBe(3);
  });

  it('delete with {_id, x} deletes only when both match', async () => {
    expect((await docs.deleteOne({ _id: 'a', eTag: 'y' })).deletedCount).toBe(0);
    expect((await docs.deleteMany({ _id: 'a', status: 'open' })).deletedCount).toBe(0);
    expect((await docs.deleteOne({ _id: 'a', eTag: 'x' })).deletedCount).toBe(1);
    expect(await ids({})).toEqual(['b']);
  });

  it('string ids with characters JSON escapes, and ObjectIds', async () => {
    const odd = 'a<b>&"\\é\u2028😀\t';
    const oid = new mongoose.Types.ObjectId();
    await docs.insertMany([
      { _id: odd, eTag: 'o' },
      { _id: oid, eTag: 'p' },
    ]);
    expect(await docs.findOne({ _id: odd, eTag: 'o' })).toEqual({ _id: odd, eTag: 'o' });
    expect(await docs.findOne({ _id: odd, eTag: 'x' })).toBeNull();
    expect(await ids({ _id: oid, eTag: 'p' })).toEqual([oid]);
    // FerretDB keeps an ObjectId as its hex string: the lookup finds it, the filter refuses it.
    expect(await ids({ _id: oid.toHexString(), eTag: 'p' })).toEqual([]);
    expect((await docs.updateOne({ _id: oid, eTag: 'p' }, { $set: { n: 1 } })).modifiedCount).toBe(
      1,
    );
  });

  it('numeric ids match across int, long and double', async () => {
    const { Double, Long } = mongoose.mongo;
    await docs.insertMany([
      { _id: new Double(4), n: 1 },
      { _id: Long.fromNumber(5), n: 1 },
      { _id: 6, n: 1 },
      { _id: 7.5, n: 1 },
      { _id: new Double(-0), n: 1 },
    ]);
    expect(await docs.findOne({ _id: 4, n: 1 })).toMatchObject({ n: 1 });
    expect(await docs.findOne({ _id: new Double(5), n: 1 })).toMatchObject({ n: 1 });
    expect(await docs.findOne({ _id: Long.fromNumber(6), n: 1 })).toMatchObject({ n: 1 });
    expect(await docs.findOne({ _id: 6, n: 2 })).toBeNull();
    expect(await docs.findOne({ _id: 7.5, n: 1 })).toMatchObject({ n: 1 });
    expect(await docs.findOne({ _id: 0, n: 1 })).toMatchObject({ n: 1 });
    expect((await docs.updateOne({ _id: 4, n: 1 }, { $inc: { n: 1 } })).modifiedCount).toBe(1);
    expect(await docs.countDocuments({ _id: new Double(4), n: 2 })).toBe(1);
  });
});
