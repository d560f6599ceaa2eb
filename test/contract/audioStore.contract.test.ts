import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryAudioStore } from '../../src/adapters/memory/memoryAudioStore.js';
import { AUDIO_CHUNK_BYTES, MongoAudioStore } from '../../src/adapters/mongo/audioStore.js';
import type { AudioStore } from '../../src/app/ports/audioStore.js';
import { MAX_AUDIO_BYTES } from '../../src/core/audioKind.js';
import { type Backend, describeContract } from './backends.js';

async function audioFor(backend: Backend, clock: () => Date): Promise<AudioStore> {
  switch (backend.kind) {
    case 'memory':
      return new MemoryAudioStore(clock);
    case 'embedded':
    case 'mongo': {
      const store = new MongoAudioStore(backend.connection, clock);
      await store.init();
      return store;
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const START = new Date('2026-11-28T16:00:00Z');
const hours = (n: number) => new Date(START.getTime() + n * 3_600_000);

/** Invented audio bytes: an Ogg page header and a pattern that differs from byte to byte. */
function ogg(size: number, seed: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + seed) % 251;
  Buffer.from('OggS').copy(data);
  return data;
}

describeContract('AudioStore', (backend) => {
  let audio: AudioStore;
  let now: Date;
  let prefix: string;
  beforeEach(async () => {
    now = START;
    audio = await audioFor(backend(), () => now);
    prefix = randomUUID().slice(0, 8);
  });

  it('gives back the same bytes, and stores an audio saved twice once', async () => {
    const audioId = `${prefix}-voice`;
    await audio.save({
      audioId,
      mimeType: 'audio/ogg',
      data: ogg(3_000, 1),
      draftId: `${prefix}-d`,
    });
    await audio.save({
      audioId,
      mimeType: 'audio/mpeg',
      data: ogg(3_000, 2),
      draftId: `${prefix}-e`,
    });
    const loaded = await audio.load(audioId);
    expect(loaded?.mimeType).toBe('audio/ogg');
    expect(loaded?.data.equals(ogg(3_000, 1))).toBe(true);
    expect(await audio.load(`${prefix}-missing`)).toBeNull();
  });

  it('keeps an audio of the largest size whole, across its pieces', async () => {
    const audioId = `${prefix}-long`;
    const data = ogg(MAX_AUDIO_BYTES, 3);
    expect(data.length).toBeGreaterThan(4 * AUDIO_CHUNK_BYTES);
    await audio.save({ audioId, mimeType: 'audio/ogg', data, draftId: `${prefix}-d` });
    const loaded = await audio.load(audioId);
    expect(loaded?.data.length).toBe(data.length);
    expect(loaded?.data.equals(data)).toBe(true);
    // A size that is not a whole number of pieces.
    const odd = ogg(AUDIO_CHUNK_BYTES * 2 + 17, 4);
    await audio.save({ audioId: `${prefix}-odd`, mimeType: 'audio/ogg', data: odd, draftId: 'x' });
    expect((await audio.load(`${prefix}-odd`))?.data.equals(odd)).toBe(true);
  });

  it('purges only the old audio of reports never submitted; a case keeps its own', async () => {
    const save = (name: string) =>
      audio.save({
        audioId: `${prefix}-${name}`,
        mimeType: 'audio/ogg',
        data: ogg(AUDIO_CHUNK_BYTES + 5, name.length),
        draftId: `${prefix}-draft-${name}`,
      });
    await save('old-abandoned');
    await save('old-submitted');
    now = hours(30);
    await save('recent-abandoned');
    now = hours(80);
    // The suite shares one database: other tests' audio counts as submitted here.
    const submitted = async (draftId: string) =>
      draftId === `${prefix}-draft-old-submitted` || !draftId.startsWith(`${prefix}-draft-`);
    expect(await audio.purgeUnsubmitted(hours(8), submitted)).toBe(1);
    expect(await audio.load(`${prefix}-old-abandoned`)).toBeNull();
    expect(await audio.load(`${prefix}-old-submitted`)).not.toBeNull();
    expect(await audio.load(`${prefix}-recent-abandoned`)).not.toBeNull();
    // Purged: the same bytes may be saved again, for another draft.
    await save('old-abandoned');
    expect(await audio.load(`${prefix}-old-abandoned`)).not.toBeNull();
  });
});
