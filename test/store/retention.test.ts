import { afterEach, describe, expect, it } from 'vitest';
import { OGG_OPUS_BYTES, PNG_1PX, say, sayAll, UP_TO_PHOTO } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

let harness: TestApp | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('retention purge jobs', () => {
  it('forget unfinished reports and their photos after 72 h, not before', async () => {
    harness = await createTestApp();
    const { app, connection, clock } = harness;
    // An abandoned draft with a photo.
    const abandoned = '+212600000601';
    await sayAll(app, abandoned, UP_TO_PHOTO);
    await say(app, abandoned, { image: { mimeType: 'image/png', dataBase64: PNG_1PX } });
    expect(await connection.collection('photos').countDocuments()).toBe(1);

    clock.advance(71 * 3_600_000);
    const early = await app.purge();
    expect(early).toMatchObject({ conversations: 0, photos: 0 });

    clock.advance(2 * 3_600_000);
    const result = await app.purge();
    expect(result).toMatchObject({ conversations: 1, photos: 1 });
    expect(await connection.collection('conversations').countDocuments()).toBe(0);
    expect(await connection.collection('photos').countDocuments()).toBe(0);

    // The family writing again starts afresh, politely.
    expect((await say(app, abandoned, 'Bonjour')).length).toBeGreaterThan(0);
  });

  it('forget the voice notes of unfinished reports after 72 h, keep those of a case', async () => {
    harness = await createTestApp();
    const { app, connection, clock } = harness;
    const abandoned = '+212600000611';
    // Up to the clothing question, answered in a voice note, then nothing more.
    await sayAll(app, abandoned, [
      ...UP_TO_PHOTO,
      'passer',
      'passer',
      'passer',
      'passer',
      'passer',
    ]);
    await say(app, abandoned, { audio: { mimeType: 'audio/ogg', dataBase64: OGG_OPUS_BYTES } });
    expect(await connection.collection('audio').countDocuments()).toBe(1);
    // A voice note of a case, saved for it (as a relayed one is, under the case's id).
    await app.audio.save({
      audioId: 'b'.repeat(64),
      mimeType: 'audio/ogg',
      data: Buffer.from(OGG_OPUS_BYTES, 'base64'),
      draftId: 'case-that-exists',
    });
    await connection
      .collection<{ _id: string; reference: string }>('cases')
      .insertOne({ _id: 'case-that-exists', reference: 'TF-2026-999999' });
    clock.advance(71 * 3_600_000);
    expect(await app.purge()).toMatchObject({ audio: 0 });
    clock.advance(2 * 3_600_000);
    expect(await app.purge()).toMatchObject({ audio: 1 });
    const left = await connection.collection('audio').find().toArray();
    expect(left.map((document) => document._id)).toEqual(['b'.repeat(64)]);
    expect(await connection.collection('audio_chunks').countDocuments()).toBe(1);
  });

  it('keep the photo of a sent sighting, and forget who an alert reached 30 days after it ended', async () => {
    harness = await createTestApp();
    const { app, connection, clock } = harness;
    const sightingId = 'sighting-draft-1';
    await app.photos.save({
      photoId: 'photo-of-a-sighting',
      mimeType: 'image/png',
      data: Buffer.from(PNG_1PX, 'base64'),
      draftId: sightingId,
    });
    await connection.collection<{ _id: string }>('sightings').insertOne({ _id: sightingId });
    const endedAt = clock.now();
    await connection.collection<Record<string, unknown> & { _id: string }>('alerts').insertOne({
      _id: 'alert-1',
      state: 'ended',
      closingQueued: true,
      endedAt,
      outboxPurgedAt: null,
    });
    await connection
      .collection<Record<string, unknown> & { _id: string }>('alert_deliveries')
      .insertOne({ _id: 'alert-1:alert:dev:+212611000001', alertId: 'alert-1' });
    await connection
      .collection<Record<string, unknown> & { _id: string }>('alert_receipts')
      .insertOne({ _id: 'alert-1:alert:dev:+212611000001', alertId: 'alert-1', state: 'sent' });

    clock.advance(29 * 24 * 3_600_000);
    expect(await app.purge()).toMatchObject({ photos: 0, alertOutboxes: 0 });
    expect(await connection.collection('photos').countDocuments()).toBe(1);
    clock.advance(2 * 24 * 3_600_000);
    expect(await app.purge()).toMatchObject({ photos: 0, alertOutboxes: 1 });
    expect(await connection.collection('alert_deliveries').countDocuments()).toBe(0);
    expect(await connection.collection('alert_receipts').countDocuments()).toBe(0);
    expect(await connection.collection('alerts').countDocuments()).toBe(1);
    expect(await app.purge()).toMatchObject({ alertOutboxes: 0 });
  });
});
