import { randomUUID } from 'node:crypto';
import {
  type Activity,
  BotAdapter,
  type ConversationReference,
  type ResourceResponse,
  TurnContext,
} from 'botbuilder-core';
import type { Logger } from 'pino';
import qrcodeTerminal from 'qrcode-terminal';
import { z } from 'zod';
import {
  type ChannelMessage,
  messageActivity,
  outboundMessage,
  proactiveActivity,
} from './messageActivity.js';

/** The channel id Tifli gives WhatsApp activities and references. */
export const WHATSAPP_CHANNEL_ID = 'whatsapp';

/** The media object whatsapp-web.js sends (its `MessageMedia`). */
export interface MessageMediaLike {
  mimetype: string;
  /** Base64 of the file. */
  data: string;
  filename?: string | null;
  filesize?: number | null;
}

/** Builds the library's media object; the library checks `instanceof MessageMedia`. */
export type MediaFactory = (mimeType: string, dataBase64: string) => MessageMediaLike;

/** The fields of a whatsapp-web.js `Message` this adapter reads. */
export interface WhatsAppMessageLike {
  id: { _serialized: string };
  /** The chat: `212600000001@c.us`, `…@lid`, `…@g.us`, `status@broadcast`, `…@newsletter`. */
  from: string;
  fromMe: boolean;
  /** The text, or an image's caption (for a location it holds a thumbnail, not text). */
  body: string;
  /** `chat`, `location`, `image`, `ptt`, `audio`, `sticker`, `video`, `document`, … */
  type: string;
  hasMedia: boolean;
  downloadMedia(): Promise<
    { mimetype: string; data: string; filesize?: number | null } | undefined
  >;
  location?: {
    latitude: number | string;
    longitude: number | string;
    description?: string;
    name?: string;
  };
  /** Seconds since the epoch. */
  timestamp: number;
  isStatus?: boolean;
}

/** The slice of the whatsapp-web.js `Client` this adapter uses. */
export interface WhatsAppClientLike {
  on(event: 'qr', listener: (qr: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'authenticated', listener: () => void): unknown;
  on(event: 'auth_failure', listener: (message: string) => void): unknown;
  on(event: 'disconnected', listener: (reason: string) => void): unknown;
  on(event: 'message', listener: (message: WhatsAppMessageLike) => void): unknown;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  sendMessage(
    chatId: string,
    content: string | MessageMediaLike,
    options?: { caption?: string },
  ): Promise<unknown>;
}

export interface WhatsAppAdapterOptions {
  client: WhatsAppClientLike;
  logger: Logger;
  /** Turns an identifier into a pseudonym fit for logs. */
  hashId: (id: string) => string;
  /** Shows the pairing QR code; prints it in the terminal by default. */
  printQr?: (qr: string) => void;
  mediaFactory: MediaFactory;
}

type TurnLogic = (context: TurnContext) => Promise<void>;
type Unsupported = NonNullable<ChannelMessage['unsupported']>;
type Conversion = { ok: true; message: ChannelMessage } | { ok: false; error: unknown };

/** One person's chat: a phone number, or a linked id when WhatsApp hides the number. */
const PHONE_CHAT = /^(\d{6,15})@c\.us$/;
const LID_CHAT = /^\d+@lid$/;
const E164 = /^\+(\d{6,15})$/;

/**
 * What WhatsApp itself writes into a chat (security-code changes, deleted
 * messages, messages still being decrypted…). Nobody typed them, so nobody is
 * answered.
 */
const SYSTEM_TYPES = new Set([
  'broadcast_notification',
  'call_log',
  'ciphertext',
  'debug',
  'e2e_notification',
  'gp2',
  'group_notification',
  'notification',
  'notification_template',
  'protocol',
  'reaction',
  'revoked',
]);

const envelopeSchema = z.object({
  id: z.object({ _serialized: z.string().min(1) }),
  from: z.string().min(1),
  fromMe: z.boolean().nullish(),
  body: z.string().nullish(),
  type: z.string(),
  hasMedia: z.boolean().nullish(),
  timestamp: z.number().nullish(),
  isStatus: z.boolean().nullish(),
});

// The library's typings say string, its code passes the numbers through.
const coordinate = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);
const locationSchema = z.object({
  latitude: coordinate.pipe(z.number().min(-90).max(90)),
  longitude: coordinate.pipe(z.number().min(-180).max(180)),
  name: z.string().nullish(),
  description: z.string().nullish(),
});

const mediaSchema = z.object({ mimetype: z.string().min(1), data: z.string().min(1) });
const sentMessageSchema = z.object({ id: z.object({ _serialized: z.string().min(1) }) });

/** `212600000001@c.us` → `+212600000001`; a linked id stays as it is; other chats have no address. */
function addressOf(chatId: string): string | null {
  const phone = PHONE_CHAT.exec(chatId);
  if (phone) return `+${phone[1]}`;
  return LID_CHAT.test(chatId) ? chatId : null;
}

/** The way back from {@link addressOf}. */
function chatIdOf(address: string): string {
  const phone = E164.exec(address);
  if (phone) return `${phone[1]}@c.us`;
  if (LID_CHAT.test(address)) return address;
  throw new Error('not a WhatsApp address');
}

function unsupportedKind(type: string): Unsupported {
  switch (type) {
    case 'ptt':
    case 'audio':
      return 'voice';
    case 'sticker':
      return 'sticker';
    case 'video':
      return 'video';
    case 'document':
      return 'document';
    default:
      return 'other';
  }
}

/** What may be logged about an error: its kind, never its message (which may quote input). */
function errorKind(error: unknown): { name: string; code?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return code ? { name: error.name, code } : { name: error.name };
}

/**
 * The WhatsApp channel: a botbuilder adapter over a whatsapp-web.js client
 * (a linked device driving WhatsApp Web). Messages of one chat become turns
 * one after another, in the order they arrived, even when a photo takes time
 * to download; different chats are served in parallel.
 */
export class WhatsAppAdapter extends BotAdapter {
  private readonly client: WhatsAppClientLike;
  private readonly logger: Logger;
  private readonly hashId: (id: string) => string;
  private readonly printQr: (qr: string) => void;
  private readonly mediaFactory: MediaFactory;
  /** The last turn queued per chat; a chat's next message waits for it. */
  private readonly chains = new Map<string, Promise<void>>();
  private started = false;
  private stopped = false;

  constructor(options: WhatsAppAdapterOptions) {
    super();
    this.client = options.client;
    this.logger = options.logger;
    this.hashId = options.hashId;
    this.printQr = options.printQr ?? ((qr) => qrcodeTerminal.generate(qr, { small: true }));
    this.mediaFactory = options.mediaFactory;
  }

  /** Listens to the client, then starts it (WhatsApp Web in a headless browser). */
  async start(logic: TurnLogic): Promise<void> {
    if (this.started) throw new Error('the WhatsApp adapter is already started');
    this.started = true;
    this.client.on('qr', (qr) => {
      this.printQr(qr);
      this.logger.info('scan the QR code with WhatsApp > Linked devices');
    });
    this.client.on('authenticated', () => this.logger.info('whatsapp authenticated'));
    this.client.on('ready', () => this.logger.info('whatsapp ready'));
    this.client.on('auth_failure', (reason) =>
      this.logger.error({ reason }, 'whatsapp authentication failed'),
    );
    this.client.on('disconnected', (reason) =>
      this.logger.warn({ reason }, 'whatsapp disconnected'),
    );
    this.client.on('message', (message) => this.receive(message, logic));
    await this.client.initialize();
  }

  /** Stops taking messages, lets the turns under way finish, then closes the client. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.whenIdle();
    await this.client.destroy();
  }

  /** Resolves once every turn queued so far has finished. */
  async whenIdle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }

  override async sendActivities(
    context: TurnContext,
    activities: Partial<Activity>[],
  ): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        const ms = typeof activity.value === 'number' ? activity.value : 0;
        await new Promise((resolve) => setTimeout(resolve, ms));
        responses.push({ id: '' });
        continue;
      }
      const message = outboundMessage(activity);
      if (!message) {
        // Typing indicators and events have no WhatsApp counterpart here.
        responses.push({ id: '' });
        continue;
      }
      const address = activity.conversation?.id ?? context.activity.conversation?.id ?? '';
      const chatId = chatIdOf(address);
      const sent = message.image
        ? await this.client.sendMessage(
            chatId,
            this.mediaFactory(message.image.mimeType, message.image.dataBase64),
            { caption: message.text },
          )
        : await this.client.sendMessage(chatId, message.text);
      this.logger.debug(
        {
          chat: this.hashId(`${WHATSAPP_CHANNEL_ID}:${address}`),
          type: message.image ? 'image' : 'chat',
        },
        'whatsapp message sent',
      );
      const parsed = sentMessageSchema.safeParse(sent);
      responses.push({ id: parsed.success ? parsed.data.id._serialized : randomUUID() });
    }
    return responses;
  }

  override async updateActivity(): Promise<void> {
    throw new Error('not supported on WhatsApp');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('not supported on WhatsApp');
  }

  /**
   * Writes to someone outside a turn (officer relay, alerts). Proactive turns
   * do not wait in the chat's queue: a turn that writes to its own chat would
   * otherwise wait for itself.
   */
  override async continueConversation(
    reference: Partial<ConversationReference>,
    logic: TurnLogic,
  ): Promise<void> {
    const activity = proactiveActivity(reference, WHATSAPP_CHANNEL_ID);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  /** The Cloud-adapter style entry point; WhatsApp has no app identity to check. */
  override async continueConversationAsync(
    _botAppIdOrClaimsIdentity: unknown,
    reference: Partial<ConversationReference>,
    logicOrAudience: TurnLogic | string,
    maybeLogic?: TurnLogic,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (!logic) throw new Error('continueConversationAsync needs a logic callback');
    await this.continueConversation(reference, logic);
  }

  /** Queues one inbound message behind the previous ones of its chat. */
  private receive(raw: WhatsAppMessageLike, logic: TurnLogic): void {
    if (this.stopped) return;
    const envelope = envelopeSchema.safeParse(raw);
    if (!envelope.success) {
      this.logger.warn('whatsapp message with an unexpected shape ignored');
      return;
    }
    const { from, type, fromMe, isStatus } = envelope.data;
    const address = addressOf(from);
    if (fromMe || isStatus || from === 'status@broadcast' || !address) {
      this.logger.debug(
        { chat: this.hashId(`${WHATSAPP_CHANNEL_ID}:${from}`), type },
        'whatsapp message ignored',
      );
      return;
    }
    const chat = this.hashId(`${WHATSAPP_CHANNEL_ID}:${address}`);
    if (SYSTEM_TYPES.has(type)) {
      this.logger.debug({ chat, type }, 'whatsapp system message ignored');
      return;
    }
    this.logger.info({ chat, type }, 'whatsapp message received');

    // The download starts now; only the hand-over to the bot waits its turn.
    // Settled into a result at once, so a failure waiting in line is not an
    // unhandled rejection.
    const converted = this.toChannelMessage(raw, envelope.data, address, chat).then(
      (message): Conversion => ({ ok: true, message }),
      (error: unknown): Conversion => ({ ok: false, error }),
    );
    const previous = this.chains.get(from) ?? Promise.resolve();
    const tail = previous
      .then(async () => {
        const result = await converted;
        if (!result.ok) throw result.error;
        await this.runMiddleware(new TurnContext(this, messageActivity(result.message)), logic);
      })
      .catch((error: unknown) => {
        this.logger.error({ chat, type, err: errorKind(error) }, 'whatsapp turn failed');
      });
    this.chains.set(from, tail);
    void tail.then(() => {
      if (this.chains.get(from) === tail) this.chains.delete(from);
    });
  }

  private async toChannelMessage(
    raw: WhatsAppMessageLike,
    envelope: z.infer<typeof envelopeSchema>,
    address: string,
    chat: string,
  ): Promise<ChannelMessage> {
    const base: ChannelMessage = {
      channelId: WHATSAPP_CHANNEL_ID,
      from: address,
      messageId: envelope.id._serialized,
      timestamp: envelope.timestamp ? new Date(envelope.timestamp * 1000) : new Date(),
    };
    switch (envelope.type) {
      case 'chat':
        return { ...base, text: envelope.body ?? '' };
      case 'location': {
        const location = locationSchema.safeParse(raw.location);
        if (!location.success) {
          this.logger.warn({ chat, type: envelope.type }, 'whatsapp location unreadable');
          return { ...base, unsupported: 'other' };
        }
        const { latitude, longitude, name, description } = location.data;
        const placeName = name || description;
        return {
          ...base,
          location: placeName ? { latitude, longitude, name: placeName } : { latitude, longitude },
        };
      }
      case 'image': {
        const image = await this.download(raw, envelope.hasMedia ?? false, chat);
        if (!image) return { ...base, unsupported: 'other' };
        const caption = envelope.body ?? '';
        return caption ? { ...base, image, text: caption } : { ...base, image };
      }
      default:
        return { ...base, unsupported: unsupportedKind(envelope.type) };
    }
  }

  /** Fetches a photo's bytes; `null` when WhatsApp no longer has them. */
  private async download(
    raw: WhatsAppMessageLike,
    hasMedia: boolean,
    chat: string,
  ): Promise<ChannelMessage['image'] | null> {
    if (!hasMedia) {
      this.logger.warn({ chat, type: 'image' }, 'whatsapp image without media');
      return null;
    }
    try {
      const media = mediaSchema.safeParse(await raw.downloadMedia());
      if (!media.success) {
        this.logger.warn({ chat, type: 'image' }, 'whatsapp image could not be downloaded');
        return null;
      }
      return { mimeType: media.data.mimetype, data: Buffer.from(media.data.data, 'base64') };
    } catch (error) {
      this.logger.warn(
        { chat, type: 'image', err: errorKind(error) },
        'whatsapp image download failed',
      );
      return null;
    }
  }
}
