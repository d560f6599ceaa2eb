import { type Activity, ActivityTypes, type Attachment } from 'botbuilder-core';
import { MEDIA_LIMITS, type MediaDownload } from './mediaDownloader.js';
import {
  type CloudContact,
  type CloudMessage,
  type StoredMessage,
  timeOf,
} from './webhookEnvelope.js';

/** The channel id of Cloud API activities: the same as the linked phone's, one WhatsApp. */
export const CLOUD_CHANNEL_ID = 'whatsapp';

/** What the bot answers politely that it cannot use (`channelData.unsupported`). */
export type UnsupportedKind = 'reaction' | 'sticker' | 'video' | 'document' | 'other';

/** What converting a message needs to fetch its media. */
export interface MediaSource {
  download(mediaId: string, maxBytes: number): Promise<MediaDownload>;
}

/** The longest place name kept from a shared location (the inbound reader's limit). */
const MAX_PLACE_NAME = 300;

/**
 * Who wrote, as the bot keys people: the phone number in E.164 (`+212…`)
 * when the Cloud API gives one, else the business-scoped user id as it is
 * (`US.1234`), for a username user who hides the number. `null` when the
 * message names nobody.
 */
export function senderAddress(
  message: Pick<CloudMessage, 'from' | 'from_user_id'>,
  contact: Pick<CloudContact, 'wa_id' | 'user_id'> | null,
): string | null {
  const waId = message.from ?? contact?.wa_id;
  if (waId) return `+${waId.replace(/^\+/, '')}`;
  return message.from_user_id ?? contact?.user_id ?? null;
}

/**
 * The botbuilder activity of one stored Cloud message: the shapes every
 * channel hands the bot (text, a schema.org `Place`, media as data URL
 * attachments, `channelData.unsupported` for what the bot cannot use,
 * `replyToId` for a reply to a given message). Images and audio are
 * downloaded here, within their limits. `null` for a message nobody typed
 * (a system notice) and one that names no sender.
 *
 * Throws when a download is worth retrying (network, token): the caller
 * keeps the message and tries again later.
 */
export async function toActivity(
  stored: StoredMessage,
  media: MediaSource,
  receivedAt: Date,
): Promise<Partial<Activity> | null> {
  const { message, contact, phoneNumberId } = stored;
  const address = senderAddress(message, contact);
  if (address === null) return null;
  if (message.type === 'unsupported' && message.original === 'system') return null;
  const base: Partial<Activity> = {
    type: ActivityTypes.Message,
    id: message.id,
    channelId: CLOUD_CHANNEL_ID,
    timestamp: timeOf(message.timestamp, receivedAt),
    from: { id: address, name: '', role: 'user' },
    recipient: { id: phoneNumberId, name: 'Tifli', role: 'bot' },
    conversation: { id: address, name: '', isGroup: false, conversationType: 'personal' },
    text: '',
    channelData: {},
    ...(message.context?.id ? { replyToId: message.context.id } : {}),
  };
  return { ...base, ...(await content(message, media)) };
}

/** The part of the activity that depends on the message's type. */
async function content(message: CloudMessage, media: MediaSource): Promise<Partial<Activity>> {
  switch (message.type) {
    case 'text':
      return { text: message.text.body };
    case 'location': {
      const { latitude, longitude, name, address } = message.location;
      const place = [name, address].filter((part) => part?.trim()).join(', ');
      return {
        entities: [
          {
            type: 'Place',
            geo: { type: 'GeoCoordinates', latitude, longitude },
            ...(place ? { name: place.slice(0, MAX_PLACE_NAME) } : {}),
          },
        ],
      };
    }
    case 'image': {
      const download = await media.download(message.image.id, MEDIA_LIMITS.image);
      if (!download.ok) return refused(download.reason);
      return {
        text: message.image.caption ?? '',
        attachments: [dataUrlAttachment(download.mimeType, download.data)],
      };
    }
    case 'audio': {
      const download = await media.download(message.audio.id, MEDIA_LIMITS.audio);
      if (!download.ok) return refused(download.reason);
      const declared = message.audio.mime_type;
      const voice = message.audio.voice === true || isVoiceNote(declared);
      return {
        attachments: [dataUrlAttachment(declared, download.data)],
        channelData: voice ? { voice: true } : {},
      };
    }
    case 'interactive':
      return {
        text:
          message.interactive.type === 'button_reply'
            ? message.interactive.button_reply.id
            : message.interactive.list_reply.id,
      };
    case 'button':
      return { text: message.button.payload ?? message.button.text ?? '' };
    case 'reaction':
      return unsupported('reaction');
    case 'sticker':
      return unsupported('sticker');
    case 'video':
      return unsupported('video');
    case 'document':
      return unsupported('document');
    case 'unsupported':
      return unsupported('other');
    default: {
      const unreachable: never = message;
      throw new Error(`unknown message type ${String(unreachable)}`);
    }
  }
}

/** A voice note is recorded in the app as Ogg Opus. */
function isVoiceNote(mimeType: string): boolean {
  const [type, ...parameters] = mimeType
    .toLowerCase()
    .split(';')
    .map((part) => part.trim());
  return type === 'audio/ogg' && parameters.includes('codecs=opus');
}

/**
 * A medium inline, as the Bot Framework activity schema carries it. The data
 * URL names the bare type (`audio/ogg`), the attachment the full one
 * (`audio/ogg; codecs=opus`).
 */
function dataUrlAttachment(mimeType: string, data: Buffer): Attachment {
  const bare = mimeType.split(';')[0]?.trim().toLowerCase() || 'application/octet-stream';
  return { contentType: mimeType, contentUrl: `data:${bare};base64,${data.toString('base64')}` };
}

const unsupported = (kind: UnsupportedKind): Partial<Activity> => ({
  channelData: { unsupported: kind },
});

/**
 * A medium that could not be fetched (over its limit, expired, corrupted):
 * the person is told, like for media the bot cannot use, and `mediaRefused`
 * says why.
 */
function refused(reason: 'too_large' | 'not_found' | 'checksum'): Partial<Activity> {
  return { channelData: { unsupported: 'other', mediaRefused: reason } };
}
