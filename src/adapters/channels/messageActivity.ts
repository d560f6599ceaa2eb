import {
  type Activity,
  ActivityTypes,
  type ConversationReference,
  TurnContext,
} from 'botbuilder-core';
import { z } from 'zod';
import type { UnsupportedMedia } from '../../core/conversation/input.js';

/** What every channel hands to the bot for one inbound message. */
export interface ChannelMessage {
  channelId: string;
  /** The sender's address on the channel (E.164 for WhatsApp and the dev channel). */
  from: string;
  /** The channel's own id for the message; a redelivery carries the same one. */
  messageId: string;
  text?: string;
  location?: { latitude: number; longitude: number; name?: string };
  image?: { mimeType: string; data: Buffer };
  /** A voice note (`voice`: recorded in the chat) or an audio file. */
  audio?: { mimeType: string; data: Buffer; voice: boolean };
  /** The channel's id of the message this one replies to. */
  replyToId?: string;
  /** A kind of message the bot cannot use (sticker, video, document, reaction…). */
  unsupported?: UnsupportedMedia;
  timestamp?: Date;
}

/**
 * Builds the botbuilder message activity for one inbound message. Images and
 * audio travel inline as a data URL attachment (`channelData.voice` for a
 * voice note), a location pin as a schema.org `Place` entity, a reply as
 * `replyToId`, as the Bot Framework activity schema describes them.
 */
export function messageActivity(message: ChannelMessage): Partial<Activity> {
  const activity: Partial<Activity> = {
    type: ActivityTypes.Message,
    id: message.messageId,
    channelId: message.channelId,
    timestamp: message.timestamp ?? new Date(),
    from: { id: message.from, name: '', role: 'user' },
    recipient: { id: 'tifli', name: 'Tifli', role: 'bot' },
    conversation: { id: message.from, name: '', isGroup: false, conversationType: 'personal' },
    text: message.text ?? '',
    channelData: {
      ...(message.unsupported ? { unsupported: message.unsupported } : {}),
      ...(message.audio?.voice ? { voice: true } : {}),
    },
    ...(message.replyToId ? { replyToId: message.replyToId } : {}),
  };
  if (message.audio) {
    activity.attachments = [
      {
        contentType: message.audio.mimeType,
        // The data URL names the bare type: `audio/ogg; codecs=opus` has no place there.
        contentUrl: `data:${message.audio.mimeType.split(';')[0]?.trim() ?? ''};base64,${message.audio.data.toString('base64')}`,
      },
    ];
  }
  if (message.image) {
    activity.attachments = [
      {
        contentType: message.image.mimeType,
        contentUrl: `data:${message.image.mimeType};base64,${message.image.data.toString('base64')}`,
      },
    ];
  }
  if (message.location) {
    activity.entities = [
      {
        type: 'Place',
        geo: {
          type: 'GeoCoordinates',
          latitude: message.location.latitude,
          longitude: message.location.longitude,
        },
        ...(message.location.name ? { name: message.location.name } : {}),
      },
    ];
  }
  return activity;
}

/** The reference used to write to someone outside a turn (officer relay, alerts). */
export function conversationReferenceFor(
  channelId: string,
  address: string,
): Partial<ConversationReference> {
  return {
    channelId,
    user: { id: address, name: '', role: 'user' },
    bot: { id: 'tifli', name: 'Tifli', role: 'bot' },
    conversation: { id: address, name: '', isGroup: false, conversationType: 'personal' },
  };
}

/**
 * The event activity of a turn begun outside a message (officer relay,
 * alerts) on `channelId`; a reference of another channel is refused, so a
 * family is never written to on a channel they did not use.
 */
export function proactiveActivity(
  reference: Partial<ConversationReference>,
  channelId: string,
): Partial<Activity> {
  if (reference.channelId && reference.channelId !== channelId) {
    throw new Error(`a ${reference.channelId} reference cannot be continued on ${channelId}`);
  }
  return TurnContext.applyConversationReference(
    { type: ActivityTypes.Event, name: 'continueConversation' },
    reference,
    true,
  );
}

/** One outbound message as channels send it: text, an image when there is one, its choices. */
export interface OutboundMessage {
  text: string;
  image?: { mimeType: string; dataBase64: string };
  /** The answers a channel with buttons may offer (the text lists them too). */
  choices?: Array<{ title: string; value: string }>;
  /** The message asks for a location pin. */
  requestLocation?: true;
}

const suggestedActionsSchema = z.object({
  actions: z.array(z.object({ title: z.string(), value: z.unknown() })).min(1),
});
const requestLocationSchema = z.object({ requestLocation: z.literal(true) });

/** Reads the bot's outgoing activity into what a channel can send. */
export function outboundMessage(activity: Partial<Activity>): OutboundMessage | null {
  if (activity.type !== ActivityTypes.Message) return null;
  const attachment = activity.attachments?.find((a) => a.contentType?.startsWith('image/'));
  const dataUrl = attachment?.contentUrl
    ? /^data:([\w/+.-]+);base64,(.*)$/s.exec(attachment.contentUrl)
    : null;
  const image =
    dataUrl?.[1] && dataUrl[2] ? { mimeType: dataUrl[1], dataBase64: dataUrl[2] } : undefined;
  const suggested = suggestedActionsSchema.safeParse(activity.suggestedActions);
  const message: OutboundMessage = { text: activity.text ?? '' };
  if (image) message.image = image;
  if (suggested.success) {
    message.choices = suggested.data.actions.map((action) => ({
      title: action.title,
      value: String(action.value),
    }));
  }
  if (requestLocationSchema.safeParse(activity.channelData).success) message.requestLocation = true;
  return message;
}
