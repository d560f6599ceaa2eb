import type { InboundMessage, TurnInput } from '../core/conversation/input.js';
import { cleanTypedText } from '../core/typedText.js';
import type { PhotoSanitizer } from './ports/photoSanitizer.js';

/**
 * A message as the turn may keep it: typed text without control, bidi or
 * needless zero-width characters, and a photo decoded and encoded again
 * without its metadata, or refused (the family is told it could not be
 * read). The photo keeps its id, the hash of the bytes received, so a
 * redelivered message names it the same.
 */
export async function cleanInbound(
  message: InboundMessage,
  sanitizer: PhotoSanitizer,
): Promise<InboundMessage> {
  const input = cleanInput(message.input);
  const { photo, ...rest } = message;
  if (!photo || input.kind !== 'image' || input.problem) return { ...rest, input };
  const sanitized = await sanitizer.sanitize(photo.data);
  if (!sanitized.ok) return { ...rest, input: { ...input, problem: sanitized.reason } };
  const { mimeType, data } = sanitized.photo;
  return {
    ...rest,
    input: { ...input, mimeType, size: data.length },
    photo: { photoId: photo.photoId, mimeType, data },
  };
}

function cleanInput(input: TurnInput): TurnInput {
  switch (input.kind) {
    case 'text':
      return { kind: 'text', text: cleanTypedText(input.text) };
    case 'location':
      return input.name === undefined ? input : { ...input, name: cleanTypedText(input.name) };
    case 'image':
    case 'audio':
    case 'unsupported':
      return input;
    default: {
      const unreachable: never = input;
      return unreachable;
    }
  }
}
