/**
 * `npx tsx bench/idPushdown.ts`: FerretDB lookups by `_id` beside other fields
 * (tools/ferretdb/patches/0001-id-pushdown.patch) in one collection of
 * BENCH_DOCS documents (default 100 000). FERRETDB_BINARY picks the binary.
 * Each operation runs BENCH_OPS times (default 200) or for 20 s, whichever
 * comes first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { z } from 'zod';
import { startEmbeddedFerretDb } from '../src/adapters/embedded/embeddedFerretDb.js';

const settings = z
  .object({
    FERRETDB_BINARY: z.string().optional(),
    BENCH_DOCS: z.coerce.number().int().min(1).default(100_000),
    BENCH_OPS: z.coerce.number().int().min(1).default(200),
  })
  .parse(process.env);

const dataDir = await mkdtemp(join(tmpdir(), 'tifli-id-pushdown-'));
const db = await startEmbeddedFerretDb({ dataDir, binary: settings.FERRETDB_BINARY });
try {
  await mongoose.connect(db.uri, { dbName: 'bench' });
  const docs = mongoose.connection.collection<{ _id: string; eTag: string; status: string }>(
    'docs',
  );
  const ids: string[] = [];
  const started = performance.now();
  for (let i = 0; i < settings.BENCH_DOCS; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, settings.BENCH_DOCS - i) }, (_, j) => ({
      _id: `doc-${i + j}`,
      eTag: `etag-${i + j}`,
      status: 'pending',
      payload: 'x'.repeat(200),
    }));
    for (const d of batch) ids.push(d._id);
    await docs.insertMany(batch);
  }
  console.log(`inserted ${ids.length} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // The launcher indexes `_id` a moment after the collection appears.
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const pick = () => ids[Math.floor(Math.random() * ids.length)] ?? 'doc-0';
  async function measure(label: string, op: () => Promise<unknown>): Promise<void> {
    const begin = performance.now();
    let n = 0;
    while (n < settings.BENCH_OPS && (n === 0 || performance.now() - begin < 20_000)) {
      await op();
      n++;
    }
    const ms = (performance.now() - begin) / n;
    console.log(`${label}: ${n} ops, ${ms.toFixed(2)} ms/op, ${(1000 / ms).toFixed(1)} ops/s`);
  }

  await measure('findOne({_id})', () => docs.findOne({ _id: pick() }));
  await measure('updateOne({_id, eTag}, {$set})', async () => {
    const id = pick();
    const eTag = id.replace('doc-', 'etag-');
    const res = await docs.updateOne({ _id: id, eTag }, { $set: { at: new Date() } });
    if (res.modifiedCount !== 1) throw new Error('eTag update missed');
  });
  await measure('findOneAndUpdate({_id, status: {$in}})', async () => {
    const res = await docs.findOneAndUpdate(
      { _id: pick(), status: { $in: ['pending', 'open'] } },
      { $set: { status: 'open' } },
    );
    if (!res) throw new Error('findOneAndUpdate missed');
  });
} finally {
  await mongoose.disconnect();
  await db.stop();
  await rm(dataDir, { recursive: true, force: true });
}
