import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGeohash, geohashCentre } from '../../src/core/place/geohash.js';
import type { Subscription } from '../../src/core/subscription.js';
import { say, sentence, UP_TO_PHOTO } from '../support/chat.js';
import { api, caseIdOf, claimAndConfirm, type Session, signIn } from '../support/officerSession.js';
import { submitReport } from '../support/report.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * A child's photo as a phone sends it carries what the camera and the
 * gallery app wrote: the owner's name, a phone number, where it was taken.
 * None of it may reach the public. And a file that only looks like a
 * picture, or declares more pixels than memory holds, is refused before
 * anything keeps it.
 */

// An invented parent, number and home.
const PARENT = 'Khadija Ouazzani';
const PHONE = '+212661234567';
const HOME = 'Derb Ghallef, Casablanca';
const CITIZEN = '+212611000501';

let h: TestApp;
let officer: Session;
let supervisor: Session;

/**
 * A 60 × 40 JPEG shot sideways (EXIF orientation 6) whose EXIF (IFD0 and GPS)
 * and XMP hold the parent's name, phone and home.
 */
async function photoWithMetadata(background = '#7a4f2e'): Promise<Buffer> {
  const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${PARENT}</dc:creator><dc:description>${HOME}</dc:description></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  return sharp({ create: { width: 60, height: 40, channels: 3, background } })
    .jpeg()
    .withExif({
      IFD0: { Artist: PARENT, Copyright: PHONE, ImageDescription: HOME },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '33/1 34/1 2412/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '7/1 37/1 1512/100',
        GPSMapDatum: 'WGS-84',
      },
    })
    .withMetadata({ orientation: 6 })
    .withXmp(xmp)
    .toBuffer();
}

/** Whether bytes hold any of the parent's details, as text in any metadata block. */
function leaks(bytes: Buffer): string[] {
  const latin = bytes.toString('latin1');
  // The GPS block's datum is text; its presence shows the position block is there.
  return [PARENT, PHONE, HOME, 'WGS-84'].filter((needle) => latin.includes(needle));
}

/** A PNG declaring 30,000 × 30,000 pixels (900 MP) in a few hundred bytes. */
function pixelFlood(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(30_000, 0);
  header.writeUInt32BE(30_000, 4);
  header[8] = 8; // 8 bits per sample
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The 11 bytes of a file that only starts like a PNG. */
const FAKE_PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00]);

beforeAll(async () => {
  h = await createTestApp();
  officer = await signIn(h.app, 'n.tazi', 'officer', 'casablanca-settat');
  supervisor = await signIn(h.app, 'r.chraibi', 'supervisor', 'casablanca-settat');
  const geohash = encodeGeohash(33.58, -7.6, 5);
  const now = h.clock.now();
  await h.connection.collection<Subscription>('subscriptions').insertOne({
    _id: `dev:${CITIZEN}`,
    channel: 'dev',
    address: CITIZEN,
    language: 'fr',
    area: { kind: 'cell', geohash, centre: geohashCentre(geohash) },
    status: 'active',
    consentAt: now,
    createdAt: now,
    updatedAt: now,
    stoppedAt: null,
  });
  await h.app.reindexSubscribers();
});
afterAll(async () => {
  await h.app.poster.close();
  await h.close();
});

describe('a photo with EXIF and XMP metadata', () => {
  it('is published, sent and described in CAP only as re-encoded pixels, upright', async () => {
    const received = await photoWithMetadata();
    // The picture really carries the details: otherwise this test would prove nothing.
    expect(leaks(received)).toEqual([PARENT, PHONE, HOME, 'WGS-84']);
    expect((await sharp(received).metadata()).orientation).toBe(6);

    const reference = await submitReport(h.app, '+212600000501', {
      photo: { mimeType: 'image/jpeg', dataBase64: received.toString('base64') },
    });
    const caseId = await caseIdOf(h.app, reference);
    const stored = await h.connection
      .collection<{ _id: string; data: Buffer }>('photos')
      .find()
      .toArray();
    expect(stored).toHaveLength(1);
    // Named by the bytes received, so a redelivered message names it the same.
    expect(stored[0]?._id).toBe(createHash('sha256').update(received).digest('hex'));

    await claimAndConfirm(h.app, officer, caseId);
    const proposed = await api(h.app, officer, 'POST', `/api/cases/${caseId}/alerts`, {});
    expect(proposed.statusCode, proposed.body).toBe(201);
    const alertId = proposed.json<{ alert: { id: string } }>().alert.id;
    const approved = await api(h.app, supervisor, 'POST', `/api/alerts/${alertId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);

    const served = await h.app.http.inject({ method: 'GET', url: `/alerts/${alertId}/photo` });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    const bytes = served.rawPayload;
    expect(leaks(bytes)).toEqual([]);
    const metadata = await sharp(bytes).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 40, height: 60 });
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.iptc).toBeUndefined();
    expect(metadata.icc).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();

    const cap = await h.app.http.inject({ method: 'GET', url: `/alerts/${alertId}.cap` });
    expect(cap.statusCode).toBe(200);
    const digest = /<digest>([0-9a-f]+)<\/digest>/.exec(cap.body)?.[1];
    expect(digest).toBe(createHash('sha1').update(bytes).digest('hex'));
    expect(cap.body).toContain(`<size>${bytes.length}</size>`);

    // The citizen's WhatsApp-like message carries the same re-encoded bytes.
    await h.app.alertScheduler.runOnce();
    const inbox = await h.app.http.inject({
      method: 'GET',
      url: `/dev/outbox?to=${encodeURIComponent(CITIZEN)}`,
    });
    const sent = inbox.json<{ messages: Array<{ imageUrl?: string }> }>().messages;
    const image = sent.find((message) => message.imageUrl)?.imageUrl ?? '';
    const sentBytes = Buffer.from(image.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
    expect(sentBytes.equals(bytes)).toBe(true);

    // The officer's view and the poster are drawn from the same stored bytes.
    const officerView = await api(h.app, officer, 'GET', `/api/cases/${caseId}/photo`);
    expect(officerView.rawPayload.equals(bytes)).toBe(true);

    // The citizen replies with a sighting and a photo from the same phone: cleaned the same way.
    for (const step of [
      'Je crois avoir vu cet enfant',
      '1',
      "aujourd'hui 16h",
      { location: { latitude: 33.6, longitude: -7.63 } },
      'Près de la gare, avec un adulte',
    ]) {
      await say(h.app, CITIZEN, step);
    }
    const sightingReceived = await photoWithMetadata('#2e5f7a');
    expect(leaks(sightingReceived)).toHaveLength(4);
    const afterPhoto = await say(h.app, CITIZEN, {
      image: { mimeType: 'image/jpeg', dataBase64: sightingReceived.toString('base64') },
    });
    expect(afterPhoto.join('\n')).toContain(sentence(h.app, 'fr', 'sighting:call_back.prompt'));
    await say(h.app, CITIZEN, 'non');
    const sightings = await api(h.app, officer, 'GET', `/api/cases/${caseId}/sightings`);
    const photoUrl = sightings.json<{ sightings: Array<{ photoUrl: string | null }> }>()
      .sightings[0]?.photoUrl;
    expect(photoUrl).toBeTruthy();
    const sightingPhoto = await api(h.app, officer, 'GET', String(photoUrl));
    expect(sightingPhoto.statusCode).toBe(200);
    expect(sightingPhoto.rawPayload.equals(bytes)).toBe(false);
    expect(leaks(sightingPhoto.rawPayload)).toEqual([]);
    expect((await sharp(sightingPhoto.rawPayload).metadata()).exif).toBeUndefined();
  });
});

describe('pictures that do not decode', () => {
  for (const [name, bytes, key] of [
    ['a PNG declaring 30,000 × 30,000 pixels', pixelFlood(), 'photo:too_many_pixels'],
    ['an 11-byte file that only starts like a PNG', FAKE_PNG, 'photo:unreadable'],
  ] as const) {
    it(`${name} is refused with a localized answer and never stored`, async () => {
      const from = name.startsWith('a PNG') ? '+212600000502' : '+212600000503';
      for (const step of UP_TO_PHOTO) await say(h.app, from, step);
      const before = await h.connection.collection('photos').countDocuments();
      const replies = await say(h.app, from, {
        image: { mimeType: 'image/png', dataBase64: bytes.toString('base64') },
      });
      expect(replies[0]).toContain(sentence(h.app, 'fr', key));
      // The question is asked again, and nothing was kept.
      expect(replies.join('\n')).toContain(sentence(h.app, 'fr', 'report:child_photo.prompt'));
      expect(await h.connection.collection('photos').countDocuments()).toBe(before);
    });
  }

  it('the refusal is said in Arabic and Darija too', () => {
    for (const language of ['ar', 'ary'] as const) {
      for (const key of ['photo:unreadable', 'photo:too_many_pixels']) {
        expect(sentence(h.app, language, key)).not.toBe(sentence(h.app, 'fr', key));
        expect(sentence(h.app, language, key)).toMatch(/[\u0600-\u06FF]/);
      }
    }
  });
});
