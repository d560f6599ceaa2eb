import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MEDIA_LIMITS,
  MediaDownloadError,
  MediaDownloader,
} from '../../src/adapters/channels/cloud/mediaDownloader.js';
import { readInbound } from '../../src/adapters/channels/inbound.js';
import { PNG_1PX } from '../support/chat.js';
import {
  CLOUD,
  createCloudTestApp,
  fakeMeta,
  postNotification,
  processed,
  type RecordingOutbox,
  type RecordingSink,
} from '../support/cloudWebhook.js';
import { type FakeMediaServer, startFakeMediaServer } from '../support/fakeMediaServer.js';
import type { TestApp } from '../support/testApp.js';

/**
 * Behaviour 9, inbound side: media are resolved and downloaded with the
 * token within the URL's lifetime, resolved again when the URL expired
 * (404), refused over their limits without being downloaded whole; images
 * reach the bot as photos it checks like any other, voice notes as audio.
 * Against a small local server that behaves like Graph's media endpoints.
 */

let media: FakeMediaServer;
let downloader: MediaDownloader;
beforeAll(async () => {
  media = await startFakeMediaServer({ token: CLOUD.accessToken });
  downloader = new MediaDownloader({
    graphUrl: media.url,
    graphVersion: CLOUD.graphVersion,
    accessToken: CLOUD.accessToken,
    timeoutMs: 5_000,
  });
});
afterAll(async () => {
  await media.close();
});
beforeEach(() => {
  media.calls.length = 0;
});

const png = Buffer.from(PNG_1PX, 'base64');
const steps = (mediaId: string) =>
  media.calls
    .filter((call) => call.mediaId === mediaId)
    .map((call) => `${call.step} ${call.status}`);

describe('the media downloader', () => {
  it('resolves the id and downloads the URL with the token', async () => {
    const id = media.add(png, 'image/png');
    const result = await downloader.download(id, MEDIA_LIMITS.image);
    expect(result).toEqual({ ok: true, data: png, mimeType: 'image/png' });
    expect(steps(id)).toEqual(['resolve 200', 'download 200']);
  });

  it('resolves again, once, when the URL has expired (404)', async () => {
    const id = media.add(png, 'image/png');
    media.expireNext();
    expect(await downloader.download(id, MEDIA_LIMITS.image)).toMatchObject({ ok: true });
    expect(steps(id)).toEqual(['resolve 200', 'download 404', 'resolve 200', 'download 200']);

    const twice = media.add(png, 'image/png');
    media.expireNext(2);
    await expect(downloader.download(twice, MEDIA_LIMITS.image)).rejects.toMatchObject({
      name: 'MediaDownloadError',
      status: 404,
    });
    expect(steps(twice)).toHaveLength(4);
  });

  it('fails, to be tried again, when the token is refused (Graph code 190)', async () => {
    const id = media.add(png, 'image/png');
    const wrongToken = new MediaDownloader({
      graphUrl: media.url,
      graphVersion: CLOUD.graphVersion,
      accessToken: 'EAAG-expired-token',
    });
    const failure = await wrongToken.download(id, MEDIA_LIMITS.image).catch((error) => error);
    expect(failure).toBeInstanceOf(MediaDownloadError);
    expect(failure).toMatchObject({ status: 401, code: 190 });
    expect(String(failure.message)).not.toContain('EAAG');
  });

  it('refuses a medium over its limit from its announced size, without downloading it', async () => {
    const big = media.add(Buffer.alloc(1024), 'audio/ogg', {
      announcedSize: MEDIA_LIMITS.audio + 1,
    });
    expect(await downloader.download(big, MEDIA_LIMITS.audio)).toEqual({
      ok: false,
      reason: 'too_large',
    });
    expect(steps(big)).toEqual(['resolve 200']);
  });

  it('stops a download that grows past the limit though its size was announced smaller', async () => {
    const liar = media.add(randomBytes(MEDIA_LIMITS.sticker + 10), 'image/webp', {
      announcedSize: 100,
    });
    expect(await downloader.download(liar, MEDIA_LIMITS.sticker)).toEqual({
      ok: false,
      reason: 'too_large',
    });
  });

  it('refuses bytes that do not match the announced sha256, and says when the id is unknown', async () => {
    const corrupted = media.add(png, 'image/png', {
      sha256: createHash('sha256').update('other bytes').digest('hex'),
    });
    expect(await downloader.download(corrupted, MEDIA_LIMITS.image)).toEqual({
      ok: false,
      reason: 'checksum',
    });
    expect(await downloader.download('999999', MEDIA_LIMITS.image)).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });
});

describe('inbound media through the webhook', () => {
  let h: TestApp & { sink: RecordingSink; statuses: RecordingOutbox };
  const meta = fakeMeta();
  const salma = { waId: '212600000301', name: 'Salma Invented' };
  beforeAll(async () => {
    h = await createCloudTestApp({ media });
  });
  afterAll(async () => {
    await h.close();
  });

  async function activityOf(item: ReturnType<typeof meta.message>) {
    expect((await postNotification(h.app, meta.notification([item]))).statusCode).toBe(200);
    await processed(h.app);
    return h.sink.byId(String(item.message.id)) ?? {};
  }

  it('an image arrives as a photo the bot checks like any other, even when its URL expired first', async () => {
    const id = media.add(png, 'image/png');
    media.expireNext();
    const activity = await activityOf(
      meta.message(salma, { type: 'image', mediaId: id, mimeType: 'image/png', caption: 'Adam' }),
    );
    expect(activity.text).toBe('Adam');
    expect(activity.attachments).toEqual([
      { contentType: 'image/png', contentUrl: `data:image/png;base64,${PNG_1PX}` },
    ]);
    const inbound = readInbound(activity);
    expect(inbound.input).toEqual({
      kind: 'image',
      photoId: createHash('sha256').update(png).digest('hex'),
      mimeType: 'image/png',
      size: png.length,
    });
    expect(steps(id)).toEqual(['resolve 200', 'download 404', 'resolve 200', 'download 200']);
  });

  it('a voice note arrives as Ogg Opus audio marked as a voice note; other audio is not', async () => {
    const voiceBytes = Buffer.from('OggS invented voice note bytes');
    const voiceId = media.add(voiceBytes, 'audio/ogg; codecs=opus');
    const voice = await activityOf(
      meta.message(salma, {
        type: 'audio',
        mediaId: voiceId,
        mimeType: 'audio/ogg; codecs=opus',
        voice: true,
      }),
    );
    expect(voice.attachments).toEqual([
      {
        contentType: 'audio/ogg; codecs=opus',
        contentUrl: `data:audio/ogg;base64,${voiceBytes.toString('base64')}`,
      },
    ]);
    expect(voice.channelData).toEqual({ voice: true });

    const songId = media.add(Buffer.from('ID3 invented mp3'), 'audio/mpeg');
    const song = await activityOf(
      meta.message(salma, { type: 'audio', mediaId: songId, mimeType: 'audio/mpeg' }),
    );
    expect(song.attachments?.[0]?.contentType).toBe('audio/mpeg');
    expect(song.channelData).toEqual({});
  });

  it('a photo over 5 MB is refused without being downloaded, and the person is answered', async () => {
    const id = media.add(png, 'image/jpeg', { announcedSize: MEDIA_LIMITS.image + 1 });
    const activity = await activityOf(
      meta.message(salma, { type: 'image', mediaId: id, mimeType: 'image/jpeg' }),
    );
    expect(activity.attachments).toBeUndefined();
    expect(activity.channelData).toEqual({ unsupported: 'other', mediaRefused: 'too_large' });
    expect(steps(id)).toEqual(['resolve 200']);
  });
});
