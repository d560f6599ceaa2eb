import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryPhotoStore } from '../../src/adapters/memory/memoryCaseRepository.js';
import { MongoPhotoStore } from '../../src/adapters/mongo/photoStore.js';
import type { PhotoStore } from '../../src/app/ports/photoStore.js';
import { type Backend, describeContract } from './backends.js';

function photosFor(backend: Backend, clock: () => Date): PhotoStore {
  switch (backend.kind) {
    case 'memory':
      return new MemoryPhotoStore(clock);
    case 'embedded':
    case 'mongo':
      return new MongoPhotoStore(backend.connection, clock);
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const START = new Date('2026-11-28T16:00:00Z');
const hours = (n: number) => new Date(START.getTime() + n * 3_600_000);

/** Invented image bytes: a JPEG header and some noise. */
const jpeg = (seed: number) =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2_048, seed)]);

describeContract('PhotoStore', (backend) => {
  let photos: PhotoStore;
  let now: Date;
  let prefix: string;
  beforeEach(() => {
    now = START;
    photos = photosFor(backend(), () => now);
    // The suite shares one database: each test names its own photos and drafts.
    prefix = randomUUID().slice(0, 8);
  });

  it('gives back the same bytes, and stores a photo saved twice once', async () => {
    const photoId = `${prefix}-photo`;
    await photos.save({ photoId, mimeType: 'image/jpeg', data: jpeg(7), draftId: `${prefix}-d` });
    await photos.save({ photoId, mimeType: 'image/png', data: jpeg(9), draftId: `${prefix}-e` });
    const loaded = await photos.load(photoId);
    expect(loaded?.mimeType).toBe('image/jpeg');
    expect(loaded?.data.equals(jpeg(7))).toBe(true);
    expect(await photos.load(`${prefix}-missing`)).toBeNull();
  });

  it('purges only the old photos of reports never submitted', async () => {
    const save = (name: string, seed: number) =>
      photos.save({
        photoId: `${prefix}-${name}`,
        mimeType: 'image/jpeg',
        data: jpeg(seed),
        draftId: `${prefix}-draft-${name}`,
      });
    await save('old-abandoned', 1);
    await save('old-submitted', 2);
    now = hours(30);
    await save('new-abandoned', 3);
    // Photos of the other tests (same database) count as submitted: only this test's may go.
    const submitted = async (draftId: string) =>
      !draftId.startsWith(prefix) || draftId === `${prefix}-draft-old-submitted`;
    expect(await photos.purgeUnsubmitted(hours(24), submitted)).toBe(1);
    expect(await photos.load(`${prefix}-old-abandoned`)).toBeNull();
    expect(await photos.load(`${prefix}-old-submitted`)).not.toBeNull();
    expect(await photos.load(`${prefix}-new-abandoned`)).not.toBeNull();
    expect(await photos.purgeUnsubmitted(hours(24), submitted)).toBe(0);
  });
});
