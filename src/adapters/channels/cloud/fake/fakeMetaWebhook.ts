import { createHmac, randomBytes } from 'node:crypto';

/**
 * Meta's webhook sender, faked for tests and for `WHATSAPP=cloud-fake`: it
 * builds notifications of every inbound type the Cloud API sends, writes
 * them as Meta does (JSON with every non-ASCII character escaped as a
 * lowercase `\uXXXX`), signs the exact bytes with the app secret
 * (`X-Hub-Signature-256`), batches several entries, changes, messages and
 * statuses in one notification, and posts it until it is answered 200,
 * with back-off, as Meta retries. It can deliver a notification twice and
 * send statuses skipped, reordered or repeated, on purpose.
 */

/** Who writes: a phone number (`wa_id`, digits), a business-scoped user id, or both. */
export interface FakeSender {
  waId?: string;
  userId?: string;
  /** The profile name (invented people only). */
  name?: string;
}

/** What a fake message carries, by type. */
export type FakeContent =
  | { type: 'text'; body: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | {
      type: 'image' | 'audio' | 'video' | 'document' | 'sticker';
      /** A media id the Graph side knows (see the fake Graph's inbound media). */
      mediaId: string;
      mimeType: string;
      sha256?: string;
      caption?: string;
      /** A voice note (an `audio` recorded in the app, `audio/ogg; codecs=opus`). */
      voice?: boolean;
    }
  | { type: 'button_reply' | 'list_reply'; id: string; title: string }
  /** A template's quick-reply button tapped. */
  | { type: 'template_button'; payload: string; text: string }
  | { type: 'reaction'; messageId: string; emoji: string }
  /** A type the Cloud API does not support (or that Tifli does not know), with its errors. */
  | { type: 'unsupported'; errors?: Array<{ code: number; title: string }>; originalType?: string };

export interface FakeMessageOptions {
  /** The message's wamid; a new one by default (the same one again makes a redelivery). */
  id?: string;
  at?: Date;
  /** The wamid of the message this one replies to (`context`). */
  replyTo?: string;
}

/** A message and its sender's contact, ready to be batched. */
export interface FakeMessageItem {
  kind: 'message';
  contact: Record<string, unknown>;
  message: Record<string, unknown>;
}

/** A status of a message the business sent. */
export interface FakeStatusItem {
  kind: 'status';
  status: Record<string, unknown>;
}

export type FakeItem = FakeMessageItem | FakeStatusItem;

export type FakeStatusName = 'sent' | 'delivered' | 'read' | 'failed' | 'played';

export interface FakeMetaWebhookOptions {
  /** The service's webhook: `http://127.0.0.1:3000/webhooks/whatsapp`. */
  url: string;
  appSecret: string;
  phoneNumberId: string;
  displayPhoneNumber?: string;
  /** The WhatsApp Business Account id of the entries. */
  businessAccountId?: string;
  /** Back-off between attempts until a 200 (Meta's lasts 7 days; this one is short). */
  retry?: { firstDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  /** The clock of timestamps; the wall clock by default. */
  now?: () => Date;
}

/** How one notification was delivered. */
export interface Delivery {
  /** Every HTTP status answered, in order (the last one is 200). */
  statuses: number[];
  /** The exact bytes posted. */
  body: string;
}

/** A new message id, shaped like WhatsApp's (`wamid.` and base64). */
export function newWamid(): string {
  return `wamid.HBgM${randomBytes(24).toString('base64')}`;
}

/**
 * JSON as Meta writes a notification: every character outside ASCII as a
 * lowercase `\uXXXX` escape (UTF-16 units, so an emoji is two escapes).
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The `X-Hub-Signature-256` of a body: `sha256=` and the hex HMAC-SHA256 with the app secret. */
export function metaSignature(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

export class FakeMetaWebhook {
  private readonly now: () => Date;

  constructor(private readonly options: FakeMetaWebhookOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** One inbound message of `sender`. */
  message(
    sender: FakeSender,
    content: FakeContent,
    options: FakeMessageOptions = {},
  ): FakeMessageItem {
    const contact: Record<string, unknown> = {
      profile: { name: sender.name ?? 'Invented Person' },
      ...(sender.waId ? { wa_id: sender.waId } : {}),
      ...(sender.userId ? { user_id: sender.userId } : {}),
    };
    const message: Record<string, unknown> = {
      ...(sender.waId ? { from: sender.waId } : {}),
      ...(sender.userId ? { from_user_id: sender.userId } : {}),
      id: options.id ?? newWamid(),
      timestamp: seconds(options.at ?? this.now()),
      ...(options.replyTo
        ? { context: { from: this.options.phoneNumberId, id: options.replyTo } }
        : {}),
      ...body(content),
    };
    return { kind: 'message', contact, message };
  }

  /** One status of a message the business sent to `recipient` (a wa_id or a user id). */
  status(
    messageId: string,
    status: FakeStatusName,
    recipient: string,
    options: { at?: Date; errorCode?: number } = {},
  ): FakeStatusItem {
    const isUserId = !/^\d+$/.test(recipient);
    return {
      kind: 'status',
      status: {
        id: messageId,
        status,
        timestamp: seconds(options.at ?? this.now()),
        ...(isUserId ? { recipient_user_id: recipient } : { recipient_id: recipient }),
        ...(status === 'failed'
          ? {
              errors: [
                {
                  code: options.errorCode ?? 131026,
                  title: 'Message undeliverable',
                  message: 'Message undeliverable',
                  error_data: { details: 'Message could not be delivered' },
                },
              ],
            }
          : {
              pricing: { billable: true, pricing_model: 'PMP', category: 'utility' },
            }),
      },
    };
  }

  /**
   * The statuses a sent message goes through (sent, delivered, read), as
   * Meta sends them: some may be skipped (`read` without `delivered`),
   * reordered (`read` before `delivered`) or repeated.
   */
  lifecycle(
    messageId: string,
    recipient: string,
    options: { skip?: FakeStatusName[]; reorder?: boolean; duplicate?: boolean } = {},
  ): FakeStatusItem[] {
    const names: FakeStatusName[] = ['sent', 'delivered', 'read'];
    let kept = names.filter((name) => !options.skip?.includes(name));
    if (options.reorder) kept = [...kept].reverse();
    if (options.duplicate) kept = kept.flatMap((name) => [name, name]);
    return kept.map((name) => this.status(messageId, name, recipient));
  }

  /**
   * One notification carrying `items`, spread over `entries` entries of
   * `changesPerEntry` changes each (round robin), each change with the
   * contacts of its messages.
   */
  notification(
    items: readonly FakeItem[],
    layout: { entries?: number; changesPerEntry?: number } = {},
  ): Record<string, unknown> {
    const entryCount = Math.max(1, layout.entries ?? 1);
    const changeCount = Math.max(1, layout.changesPerEntry ?? 1);
    const slots = Array.from({ length: entryCount * changeCount }, (): FakeItem[] => []);
    for (const [index, item] of items.entries()) slots[index % slots.length]?.push(item);
    return {
      object: 'whatsapp_business_account',
      entry: Array.from({ length: entryCount }, (_, entry) => ({
        id: this.options.businessAccountId ?? '102290129340398',
        changes: slots
          .slice(entry * changeCount, (entry + 1) * changeCount)
          .map((slot) => ({ field: 'messages', value: this.value(slot) })),
      })),
    };
  }

  /** Posts a notification until it is answered 200; `times: 2` delivers it twice (a duplicate). */
  async deliver(notification: unknown, options: { times?: number } = {}): Promise<Delivery> {
    const body = metaJson(notification);
    const statuses: number[] = [];
    for (let time = 0; time < (options.times ?? 1); time += 1) {
      statuses.push(...(await this.postUntilAccepted(body)));
    }
    return { statuses, body };
  }

  /** Builds one notification of `items` and delivers it. */
  send(
    items: readonly FakeItem[],
    options: { entries?: number; changesPerEntry?: number; times?: number } = {},
  ): Promise<Delivery> {
    return this.deliver(this.notification(items, options), options);
  }

  /** Posts exact bytes with their signature (or another one); one attempt, no retry. */
  async post(body: string | Buffer, signature?: string | null): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signed =
      signature === undefined ? metaSignature(body, this.options.appSecret) : signature;
    if (signed !== null) headers['x-hub-signature-256'] = signed;
    return fetch(this.options.url, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : new Uint8Array(body),
      signal: AbortSignal.timeout(30_000),
    });
  }

  private async postUntilAccepted(body: string): Promise<number[]> {
    const retry = this.options.retry ?? {};
    const maxAttempts = retry.maxAttempts ?? 10;
    let delay = retry.firstDelayMs ?? 100;
    const statuses: number[] = [];
    for (let attempt = 1; ; attempt += 1) {
      let status = 0;
      try {
        const response = await this.post(body);
        status = response.status;
        await response.body?.cancel();
      } catch (error) {
        // Unreachable service: Meta tries again later, so does the fake.
        if (!(error instanceof Error)) throw error;
      }
      statuses.push(status);
      if (status === 200) return statuses;
      if (attempt >= maxAttempts) {
        throw new Error(
          `the webhook did not accept the notification after ${attempt} attempts (${statuses.join(', ')})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, retry.maxDelayMs ?? 30_000);
    }
  }

  private value(items: readonly FakeItem[]): Record<string, unknown> {
    const messages = items.flatMap((item) => (item.kind === 'message' ? [item] : []));
    const statuses = items.flatMap((item) => (item.kind === 'status' ? [item.status] : []));
    const contacts = new Map<string, Record<string, unknown>>();
    for (const item of messages) contacts.set(JSON.stringify(item.contact), item.contact);
    return {
      messaging_product: 'whatsapp',
      metadata: {
        display_phone_number: this.options.displayPhoneNumber ?? '212522000000',
        phone_number_id: this.options.phoneNumberId,
      },
      ...(contacts.size > 0 ? { contacts: [...contacts.values()] } : {}),
      ...(messages.length > 0 ? { messages: messages.map((item) => item.message) } : {}),
      ...(statuses.length > 0 ? { statuses } : {}),
    };
  }
}

const seconds = (at: Date) => String(Math.floor(at.getTime() / 1000));

/** The type and type-keyed object of a message, as the Cloud API writes them. */
function body(content: FakeContent): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      return { type: 'text', text: { body: content.body } };
    case 'location': {
      const { latitude, longitude, name, address } = content;
      return {
        type: 'location',
        location: {
          latitude,
          longitude,
          ...(name ? { name } : {}),
          ...(address ? { address } : {}),
        },
      };
    }
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return {
        type: content.type,
        [content.type]: {
          id: content.mediaId,
          mime_type: content.mimeType,
          ...(content.sha256 ? { sha256: content.sha256 } : {}),
          ...(content.caption ? { caption: content.caption } : {}),
          ...(content.voice ? { voice: true } : {}),
        },
      };
    case 'button_reply':
    case 'list_reply':
      return {
        type: 'interactive',
        interactive: {
          type: content.type,
          [content.type]: { id: content.id, title: content.title },
        },
      };
    case 'template_button':
      return { type: 'button', button: { payload: content.payload, text: content.text } };
    case 'reaction':
      return {
        type: 'reaction',
        reaction: { message_id: content.messageId, emoji: content.emoji },
      };
    case 'unsupported':
      return {
        type: content.originalType ?? 'unsupported',
        errors: content.errors ?? [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      };
    default: {
      const unreachable: never = content;
      throw new Error(`unknown fake content ${String(unreachable)}`);
    }
  }
}
