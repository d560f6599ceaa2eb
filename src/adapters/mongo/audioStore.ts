import type { Connection } from 'mongoose';
import { mongo } from 'mongoose';
import { z } from 'zod';
import type { AudioStore } from '../../app/ports/audioStore.js';
import { isDuplicateKey } from '../../mongoErrors.js';

/** The bytes of one audio are kept in pieces of this size (16 of them at most). */
export const AUDIO_CHUNK_BYTES = 1024 * 1024;

/** What an audio is: written last, so an audio is found only once all its pieces are stored. */
interface AudioDocument {
  _id: string;
  draftId: string;
  mimeType: string;
  size: number;
  chunks: number;
  createdAt: Date;
}

/** One piece of an audio's bytes, `<audioId>:<n>`. */
interface ChunkDocument {
  _id: string;
  audioId: string;
  n: number;
  data: mongo.Binary;
}

const audioSchema = z.object({
  _id: z.string(),
  draftId: z.string(),
  mimeType: z.string(),
  size: z.number().int().min(0),
  chunks: z.number().int().min(0),
});
const chunkSchema = z.object({ data: z.instanceof(mongo.Binary) });
const chunkId = (audioId: string, n: number) => `${audioId}:${n}`;

/**
 * Voice notes and audio in MongoDB, keyed by content hash. An audio may
 * reach 16 MB, the size of a whole BSON document, so its bytes are stored
 * in pieces of 1 MiB (as GridFS does), each read by `_id`; the same shape
 * keeps every document of the embedded FerretDB under its 4 MiB bound. The
 * audio's own document is inserted after its pieces and deleted after them:
 * a crash half-way leaves an audio that is not found yet (the retried turn
 * saves it again, pieces already there are kept) or one the next purge
 * finishes removing, never half an audio served.
 */
export class MongoAudioStore implements AudioStore {
  private readonly audio: mongo.Collection<AudioDocument>;
  private readonly chunks: mongo.Collection<ChunkDocument>;

  constructor(
    connection: Connection,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.audio = connection.collection<AudioDocument>('audio');
    this.chunks = connection.collection<ChunkDocument>('audio_chunks');
  }

  /** Builds the declared index (the purge's range by age); call once at start-up. */
  async init(): Promise<void> {
    await this.audio.createIndexes([{ key: { createdAt: 1 }, name: 'createdAt' }]);
  }

  async save(audio: {
    audioId: string;
    mimeType: string;
    data: Buffer;
    draftId: string;
  }): Promise<void> {
    const count = Math.ceil(audio.data.length / AUDIO_CHUNK_BYTES);
    for (let n = 0; n < count; n++) {
      const piece = audio.data.subarray(n * AUDIO_CHUNK_BYTES, (n + 1) * AUDIO_CHUNK_BYTES);
      await insertOnce(this.chunks, {
        _id: chunkId(audio.audioId, n),
        audioId: audio.audioId,
        n,
        data: new mongo.Binary(piece),
      });
    }
    await insertOnce(this.audio, {
      _id: audio.audioId,
      draftId: audio.draftId,
      mimeType: audio.mimeType,
      size: audio.data.length,
      chunks: count,
      createdAt: this.clock(),
    });
  }

  /** One audio's bytes, for officers (never from a public URL); `null` unless whole. */
  async load(audioId: string): Promise<{ mimeType: string; data: Buffer } | null> {
    const found = await this.audio.findOne({ _id: audioId });
    if (!found) return null;
    const audio = audioSchema.parse(found);
    const pieces: Buffer[] = [];
    for (let n = 0; n < audio.chunks; n++) {
      const chunk = await this.chunks.findOne({ _id: chunkId(audioId, n) });
      if (!chunk) return null;
      pieces.push(Buffer.from(chunkSchema.parse(chunk).data.buffer));
    }
    const data = Buffer.concat(pieces);
    return data.length === audio.size ? { mimeType: audio.mimeType, data } : null;
  }

  async purgeUnsubmitted(
    olderThan: Date,
    submitted: (draftId: string) => Promise<boolean>,
  ): Promise<number> {
    const old = this.audio.find(
      { createdAt: { $lt: olderThan } },
      { projection: { _id: 1, draftId: 1, chunks: 1 } },
    );
    let removed = 0;
    for await (const found of old) {
      const audio = audioSchema.pick({ _id: true, draftId: true, chunks: true }).parse(found);
      if (await submitted(audio.draftId)) continue;
      for (let n = 0; n < audio.chunks; n++) {
        await this.chunks.deleteOne({ _id: chunkId(audio._id, n) });
      }
      await this.audio.deleteOne({ _id: audio._id });
      removed++;
    }
    return removed;
  }
}

/** Inserts a document unless one has its `_id` (a retried save). */
async function insertOnce<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  document: mongo.OptionalUnlessRequiredId<T>,
): Promise<void> {
  try {
    await collection.insertOne(document);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

MongoAudioStore.prototype satisfies AudioStore;
