import { createHash } from 'node:crypto';
import type { Activity } from 'botbuilder-core';
import { z } from 'zod';
import { MAX_AUDIO_BYTES, sniffAudio } from '../../core/audioKind.js';
import {
  type InboundContent,
  type InboundMessage,
  unsupportedMediaSchema,
} from '../../core/conversation/input.js';
import { MAX_PHOTO_BYTES, sniffImage } from '../../core/imageKind.js';

/** One inbound message, read and checked: what the engine sees, and a photo's or audio's bytes if any. */
export type Inbound = InboundContent;

const placeEntity = z.object({
  type: z.literal('Place'),
  geo: z.object({ latitude: z.coerce.number(), longitude: z.coerce.number() }),
  name: z.string().max(300).optional(),
});
const channelData = z
  .object({ unsupported: unsupportedMediaSchema.optional(), voice: z.boolean().optional() })
  .catch({});
/** A data URL's base64 bytes; its type may carry parameters (`audio/ogg;codecs=opus`). */
const dataUrl = /^data:[\w/+.=; -]*;base64,(.*)$/s;

/** The longest text kept from one message; longer ones are cut and then refused by length checks. */
const MAX_TEXT = 20_000;

/**
 * Reads a voice note or an audio file: its type from its bytes where they
 * tell it (the declared one otherwise, if it is audio), its id the hash of
 * its content, at most 16 MB.
 */
function readAudio(data: Buffer, declared: string | undefined, voice: boolean): Inbound {
  const audioId = createHash('sha256').update(data).digest('hex');
  const size = data.length;
  const mimeType = sniffAudio(data);
  if (!mimeType) {
    const named = declared?.split(';')[0]?.trim() ?? 'application/octet-stream';
    return { input: { kind: 'audio', audioId, mimeType: named, size, voice, problem: 'bad_type' } };
  }
  if (size > MAX_AUDIO_BYTES) {
    return { input: { kind: 'audio', audioId, mimeType, size, voice, problem: 'too_large' } };
  }
  return {
    input: { kind: 'audio', audioId, mimeType, size, voice },
    audio: { audioId, mimeType, data },
  };
}

/**
 * Reads a message activity into what the flow engine understands. A photo's
 * or an audio's type comes from its bytes (the declared type only says which
 * of the two it is) and its id is the hash of its content, so a retried turn
 * names it the same.
 */
export function readInbound(activity: Partial<Activity>): Inbound {
  const hints = channelData.parse(activity.channelData ?? {});
  const unsupported = hints.unsupported;
  if (unsupported) return { input: { kind: 'unsupported', media: unsupported } };

  const attachment = activity.attachments?.find((a) => typeof a.contentUrl === 'string');
  if (attachment) {
    const match = dataUrl.exec(attachment.contentUrl ?? '');
    if (!match) return { input: { kind: 'unsupported', media: 'document' } };
    const data = Buffer.from(match[1] ?? '', 'base64');
    const voice = hints.voice === true;
    if (voice || attachment.contentType?.startsWith('audio/')) {
      return readAudio(data, attachment.contentType, voice);
    }
    const photoId = createHash('sha256').update(data).digest('hex');
    const mimeType = sniffImage(data);
    if (!mimeType) {
      return {
        input: {
          kind: 'image',
          photoId,
          mimeType: 'application/octet-stream',
          size: data.length,
          problem: 'bad_type',
        },
      };
    }
    if (data.length > MAX_PHOTO_BYTES) {
      return {
        input: { kind: 'image', photoId, mimeType, size: data.length, problem: 'too_large' },
      };
    }
    return {
      input: { kind: 'image', photoId, mimeType, size: data.length },
      photo: { photoId, mimeType, data },
    };
  }

  for (const entity of activity.entities ?? []) {
    const place = placeEntity.safeParse(entity);
    if (place.success) {
      const { latitude, longitude } = place.data.geo;
      if (Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) {
        return {
          input: place.data.name
            ? { kind: 'location', latitude, longitude, name: place.data.name }
            : { kind: 'location', latitude, longitude },
        };
      }
    }
  }
  return { input: { kind: 'text', text: (activity.text ?? '').slice(0, MAX_TEXT) } };
}

/** The turn pipeline's message for one message activity: who wrote, on which channel, what. */
export function inboundMessage(activity: Partial<Activity>): InboundMessage {
  return {
    channel: activity.channelId ?? '',
    address: activity.from?.id ?? '',
    ...(activity.id ? { messageId: activity.id } : {}),
    ...(activity.replyToId ? { replyTo: activity.replyToId } : {}),
    ...readInbound(activity),
  };
}
