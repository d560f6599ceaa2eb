import { afterEach, describe, expect, it } from 'vitest';
import { PNG_1PX, say, sayAll, UP_TO_PHOTO } from '../support/chat.js';
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
