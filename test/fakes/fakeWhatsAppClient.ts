import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  MessageMediaLike,
  WhatsAppClientLike,
  WhatsAppMessageLike,
} from '../../src/adapters/channels/whatsappAdapter.js';

/** What the fake recorded for one `sendMessage` call. */
export interface SentMessage {
  chatId: string;
  content: string | MessageMediaLike;
  options?: { caption?: string };
}

/** A message as whatsapp-web.js builds it from WhatsApp Web's data (the fields Tifli reads, and a few more). */
export interface FakeMessage extends WhatsAppMessageLike {
  id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  to: string;
  author?: string;
  isStatus: boolean;
}

export interface FakeClientOptions {
  /**
   * `new`: first link, WhatsApp Web shows a QR code before authenticating.
   * `restored`: a saved session, no QR code.
   */
  session?: 'new' | 'restored';
  /** The linked phone's own chat id. */
  me?: string;
}

/** A QR payload shaped like the library's (`ref,noiseKey,identityKey,advSecret,platform`). */
export const FAKE_QR =
  '2@9Q8tWf6bnezr8uVGwVCluyRuBOJ3tIglimzI5dHB0vQW2m4DQ0GMlCGf,f1/vGcW4Z3vBa1eDNl3tOjWqLL5DpYTI84DMVkYnQE8=,ZL7YnK2qdPN8vKo2ESxhOQ==,tCPTjZPtyvA2gbT8P5Z1hW3dzSUfyBIUDxPWUKAgKUo=,1';

// A location's `body` carries WhatsApp's map thumbnail (base64 JPEG), not text.
const MAP_THUMBNAIL =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR8eHR==';

/** A WhatsApp Web message key id, as its web client makes them (`3EB0` + hex). */
function messageKeyId(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A stand-in for the whatsapp-web.js `Client`: the same events with the same
 * arguments, the same message shapes and ids, and no browser. Inbound messages
 * are built with the helpers and delivered with {@link deliver}.
 */
export class FakeWhatsAppClient extends EventEmitter implements WhatsAppClientLike {
  readonly sent: SentMessage[] = [];
  initialized = false;
  destroyed = false;
  private readonly session: 'new' | 'restored';
  private readonly me: string;
  private clock = 1_760_000_000;

  constructor(options: FakeClientOptions = {}) {
    super();
    this.session = options.session ?? 'new';
    this.me = options.me ?? '212522000000@c.us';
  }

  /** Like the library: `qr` (first link only), then `authenticated` (no payload with LocalAuth), then `ready`. */
  async initialize(): Promise<void> {
    this.initialized = true;
    await nextTick();
    if (this.session === 'new') {
      this.emit('qr', FAKE_QR);
      await nextTick();
    }
    this.emit('authenticated');
    await nextTick();
    this.emit('ready');
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  async sendMessage(
    chatId: string,
    content: string | MessageMediaLike,
    options?: { caption?: string },
  ): Promise<FakeMessage> {
    if (!/^\d+@(c\.us|lid|g\.us)$/.test(chatId))
      throw new Error(`wid error: invalid wid ${chatId}`);
    this.sent.push(options === undefined ? { chatId, content } : { chatId, content, options });
    const isText = typeof content === 'string';
    const id = messageKeyId();
    return {
      id: { fromMe: true, remote: chatId, id, _serialized: `true_${chatId}_${id}` },
      from: this.me,
      to: chatId,
      fromMe: true,
      body: isText ? content : (options?.caption ?? ''),
      type: isText ? 'chat' : 'image',
      hasMedia: !isText,
      timestamp: this.tick(),
      isStatus: false,
      downloadMedia: async () => (isText ? undefined : content),
    };
  }

  /**
   * Hands a message to listeners the way the library does: `message_create`
   * for every message, `message` only for those not sent by this phone.
   */
  deliver(message: FakeMessage): void {
    this.emit('message_create', message);
    if (!message.fromMe) this.emit('message', message);
  }

  text(from: string, body: string): FakeMessage {
    return this.message(from, { type: 'chat', body });
  }

  location(
    from: string,
    place: {
      latitude: number | string;
      longitude: number | string;
      name?: string;
      address?: string;
    },
  ): FakeMessage {
    // As the library's Location: description is "name\naddress", or whichever exists.
    const description =
      place.name && place.address
        ? `${place.name}\n${place.address}`
        : place.name || place.address || '';
    return this.message(from, {
      type: 'location',
      body: MAP_THUMBNAIL,
      location: {
        latitude: place.latitude,
        longitude: place.longitude,
        description,
        ...(place.name ? { name: place.name } : {}),
      },
    });
  }

  /** A photo; its download resolves after `delayMs`, or to `undefined` when `fails` (media gone). */
  image(
    from: string,
    bytes: Uint8Array,
    mimeType: string,
    options: { caption?: string; delayMs?: number; fails?: boolean } = {},
  ): FakeMessage {
    return this.media(
      from,
      'image',
      { mimetype: mimeType, data: Buffer.from(bytes).toString('base64') },
      {
        ...options,
        caption: options.caption ?? '',
      },
    );
  }

  /** A voice note (`ptt`), or a forwarded audio file with `kind: 'audio'`. */
  voice(from: string, kind: 'ptt' | 'audio' = 'ptt'): FakeMessage {
    return this.media(from, kind, { mimetype: 'audio/ogg; codecs=opus', data: 'T2dnUw==' });
  }

  sticker(from: string): FakeMessage {
    return this.media(from, 'sticker', { mimetype: 'image/webp', data: 'UklGRg==' });
  }

  video(from: string, caption = ''): FakeMessage {
    return this.media(from, 'video', { mimetype: 'video/mp4', data: 'AAAAIGZ0eXA=' }, { caption });
  }

  document(from: string, caption = ''): FakeMessage {
    return this.media(
      from,
      'document',
      { mimetype: 'application/pdf', data: 'JVBERi0=' },
      { caption },
    );
  }

  /** A message someone wrote in a group: the chat is the group, the author its member. */
  inGroup(message: FakeMessage, groupId = '120363041234567890@g.us'): FakeMessage {
    const author = message.from;
    const id = {
      ...message.id,
      remote: groupId,
      _serialized: `false_${groupId}_${message.id.id}_${author}`,
    };
    return { ...message, id, from: groupId, author };
  }

  /** A status update someone posted (WhatsApp "Status"). */
  asStatus(message: FakeMessage): FakeMessage {
    const author = message.from;
    const remote = 'status@broadcast';
    const id = { ...message.id, remote, _serialized: `false_${remote}_${message.id.id}_${author}` };
    return { ...message, id, from: remote, author, isStatus: true };
  }

  /** A message this phone sent itself (from another linked device, say). */
  asMine(message: FakeMessage): FakeMessage {
    const id = {
      ...message.id,
      fromMe: true,
      _serialized: `true_${message.from}_${message.id.id}`,
    };
    return { ...message, id, from: this.me, to: message.from, fromMe: true };
  }

  private media(
    from: string,
    type: string,
    media: MessageMediaLike,
    options: { caption?: string; delayMs?: number; fails?: boolean } = {},
  ): FakeMessage {
    const { delayMs = 0, fails = false } = options;
    return this.message(from, {
      type,
      body: options.caption ?? '',
      hasMedia: true,
      downloadMedia: async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (fails) return undefined;
        return { ...media, filesize: Buffer.from(media.data, 'base64').length };
      },
    });
  }

  private message(
    from: string,
    fields: Pick<WhatsAppMessageLike, 'type' | 'body'> & Partial<Omit<WhatsAppMessageLike, 'id'>>,
  ): FakeMessage {
    const id = messageKeyId();
    return {
      id: { fromMe: false, remote: from, id, _serialized: `false_${from}_${id}` },
      from,
      to: this.me,
      fromMe: false,
      hasMedia: false,
      timestamp: this.tick(),
      isStatus: false,
      downloadMedia: async () => undefined,
      ...fields,
    };
  }

  private tick(): number {
    this.clock += 1;
    return this.clock;
  }
}
