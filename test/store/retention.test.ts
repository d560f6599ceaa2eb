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
    expect(early.claims).toBe(7); // one per answered turn after the first, older than 1 h

    clock.advance(2 * 3_600_000);
    const result = await app.purge();
    expect(result).toMatchObject({ conversations: 1, photos: 1 });
    expect(await connection.collection('botstate').countDocuments()).toBe(0);
    expect(await connection.collection('photos').countDocuments()).toBe(0);

    // The family writing again starts afresh, politely.
    expect((await say(app, abandoned, 'Bonjour')).length).toBeGreaterThan(0);
  });
});
