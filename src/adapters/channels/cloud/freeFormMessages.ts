import type { Activity } from 'botbuilder-core';
import { z } from 'zod';
import type { GraphMessage } from './graphClient.js';

/** Graph's limits on what one message may carry. */
export const TEXT_MAX = 4096;
export const CAPTION_MAX = 1024;
export const INTERACTIVE_BODY_MAX = 1024;
export const BUTTONS_MAX = 3;
export const BUTTON_TITLE_MAX = 20;
export const LIST_ROWS_MAX = 10;
export const LIST_TITLE_MAX = 24;
const REPLY_ID_MAX = 200;

/** One choice the bot offers (seam: `suggestedActions.actions[]`); `value` is what the flow accepts typed. */
export interface Choice {
  title: string;
  value: string;
}

/** What one outgoing activity asks the Cloud channel to send, before any media is uploaded. */
export interface Outgoing {
  text: string;
  image?: { mimeType: string; data: Buffer };
  choices: Choice[];
  requestLocation: boolean;
}

const actionSchema = z.object({
  title: z.string().trim().min(1),
  value: z.union([z.string(), z.number()]).transform(String),
});
const suggestedSchema = z.object({ actions: z.array(z.unknown()) }).catch({ actions: [] });
const requestLocationSchema = z.object({ requestLocation: z.literal(true) });
const dataUrl = /^data:([\w/+.-]+);base64,(.*)$/s;

/** Reads the bot's outgoing message activity; null for anything Graph has no counterpart for. */
export function readOutgoing(activity: Partial<Activity>): Outgoing | null {
  if (activity.type !== 'message') return null;
  const attachment = activity.attachments?.find((a) => a.contentType?.startsWith('image/'));
  const match = attachment?.contentUrl ? dataUrl.exec(attachment.contentUrl) : null;
  const image =
    match?.[1] && match[2]
      ? { mimeType: match[1], data: Buffer.from(match[2], 'base64') }
      : undefined;
  const choices = suggestedSchema
    .parse(activity.suggestedActions ?? { actions: [] })
    .actions.flatMap((action) => {
      const parsed = actionSchema.safeParse(action);
      return parsed.success ? [parsed.data] : [];
    });
  const outgoing: Outgoing = {
    text: activity.text ?? '',
    choices,
    requestLocation: requestLocationSchema.safeParse(activity.channelData).success,
  };
  if (image) outgoing.image = image;
  return outgoing;
}

/**
 * Cuts a text into pieces of at most `max` characters (code points), at a
 * line break when one is in the second half of the piece, else at a space,
 * else where it must.
 */
export function splitText(text: string, max = TEXT_MAX): string[] {
  const pieces: string[] = [];
  let rest = Array.from(text.trim());
  while (rest.length > max) {
    const window = rest.slice(0, max).join('');
    const line = window.lastIndexOf('\n');
    const space = window.lastIndexOf(' ');
    const cutAt =
      line > window.length / 2 ? line : space > window.length / 2 ? space : window.length;
    const head = window.slice(0, cutAt);
    pieces.push(head.trimEnd());
    rest = Array.from(rest.join('').slice(head.length).trimStart());
  }
  const last = rest.join('');
  if (last !== '') pieces.push(last);
  return pieces;
}

/**
 * The choices as Graph's interactive message, or null when they do not fit
 * (the text still lists them, so typing the answer works as before):
 * up to 3 short ones as reply buttons, up to 10 as a list.
 */
function choicesInteractive(
  choices: readonly Choice[],
  body: string,
  listButton: string,
): Record<string, unknown> | null {
  if (choices.length === 0 || choices.length > LIST_ROWS_MAX) return null;
  const ids = new Set(choices.map((choice) => choice.value));
  if (ids.size !== choices.length || choices.some((choice) => choice.value.length > REPLY_ID_MAX))
    return null;
  const longest = Math.max(...choices.map((choice) => Array.from(choice.title).length));
  if (choices.length <= BUTTONS_MAX && longest <= BUTTON_TITLE_MAX) {
    return {
      type: 'button',
      body: { text: body },
      action: {
        buttons: choices.map((choice) => ({
          type: 'reply',
          reply: { id: choice.value, title: choice.title },
        })),
      },
    };
  }
  if (longest > LIST_TITLE_MAX) return null;
  return {
    type: 'list',
    body: { text: body },
    action: {
      button: Array.from(listButton).slice(0, BUTTON_TITLE_MAX).join(''),
      sections: [{ rows: choices.map((choice) => ({ id: choice.value, title: choice.title })) }],
    },
  };
}

/**
 * The Graph messages of one outgoing activity, in order: the photo (with the
 * text as caption when it fits), the text in pieces of 4,096, and the last
 * piece as the body of the buttons, the list or the location request.
 */
export function freeFormMessages(
  outgoing: Outgoing,
  mediaId: string | undefined,
  listButton: string,
): GraphMessage[] {
  const messages: GraphMessage[] = [];
  const text = outgoing.text.trim();
  const interactive = (body: string) =>
    outgoing.requestLocation
      ? {
          type: 'location_request_message',
          body: { text: body },
          action: { name: 'send_location' },
        }
      : choicesInteractive(outgoing.choices, body, listButton);
  const wantsInteractive = text !== '' && interactive('x') !== null;

  let remaining = text;
  if (mediaId) {
    const captioned = !wantsInteractive && Array.from(text).length <= CAPTION_MAX;
    messages.push({
      type: 'image',
      content: captioned && text !== '' ? { id: mediaId, caption: text } : { id: mediaId },
    });
    if (captioned) remaining = '';
  }
  if (remaining === '') return messages;
  const pieces = splitText(remaining, TEXT_MAX);
  if (wantsInteractive) {
    const last = pieces.pop() ?? '';
    const tail = splitText(last, INTERACTIVE_BODY_MAX);
    const body = tail.pop() ?? '';
    pieces.push(...tail);
    for (const piece of pieces) messages.push({ type: 'text', content: { body: piece } });
    const content = interactive(body);
    if (content) messages.push({ type: 'interactive', content });
    return messages;
  }
  for (const piece of pieces) messages.push({ type: 'text', content: { body: piece } });
  return messages;
}
