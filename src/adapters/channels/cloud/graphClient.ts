import { z } from 'zod';
import { ChannelSendError } from '../../../core/channelSendError.js';
import { classifyGraphError } from './graphErrors.js';

/** The Graph API of one WhatsApp business phone number. */
export interface GraphClientOptions {
  /** `https://graph.facebook.com` (or the fake's address). */
  baseUrl: string;
  /** `v25.0`. */
  version: string;
  phoneNumberId: string;
  /** The system user's token; only ever sent in the Authorization header. */
  accessToken: string;
  /** How long a send may take before its outcome is treated as unknown. */
  timeoutMs?: number;
  /** How long a media upload may take. */
  uploadTimeoutMs?: number;
}

/**
 * One message as Graph takes it, without the envelope: its `type` and the
 * object under that type's key (`text`, `image`, `interactive`, `template`…).
 */
export interface GraphMessage {
  type: 'text' | 'image' | 'interactive' | 'template';
  content: Record<string, unknown>;
  /** Echoed back in the message's statuses (Graph's `biz_opaque_callback_data`). */
  callbackData?: string;
}

/**
 * The code of a send whose outcome is unknown: the request may have reached
 * Graph, but no answer came (timeout, connection reset). Retrying it blindly
 * could deliver it twice.
 */
export const UNCONFIRMED = 'unconfirmed';

const sentSchema = z.object({
  messages: z.array(z.object({ id: z.string().min(1) })).min(1),
});
const uploadedSchema = z.object({ id: z.string().min(1) });
const limitSchema = z.object({ whatsapp_business_manager_messaging_limit: z.string() });

/** Node's fetch: errors raised before anything was written to the socket. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** What a failed fetch means: surely not sent (retry freely) or maybe sent (do not). */
function networkError(error: unknown): ChannelSendError {
  const cause = z.object({ cause: z.object({ code: z.string() }) }).safeParse(error);
  if (cause.success && NOT_SENT.has(cause.data.cause.code)) {
    return new ChannelSendError('transient', 'network');
  }
  return new ChannelSendError('recipientBackoff', UNCONFIRMED);
}

/**
 * Reads a tier: `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K` (and the older
 * `TIER_50`, `TIER_1K`); `TIER_UNLIMITED` is null. Unknown names give
 * undefined, so the caller keeps what it knew.
 */
export function parseTier(tier: string): number | null | undefined {
  if (tier === 'TIER_UNLIMITED' || tier === 'UNLIMITED') return null;
  const match = /^TIER_(\d+)(K?)$/.exec(tier);
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 'K' ? 1000 : 1);
}

/**
 * A small client of the Graph API: send a message, upload a photo, read the
 * messaging-limit tier. Every answer is parsed with zod; every refusal
 * becomes a {@link ChannelSendError} classified by Graph's `error.code`. It
 * logs nothing: the token and the texts never leave this object but to Graph.
 */
export class GraphClient {
  private readonly root: string;

  constructor(private readonly options: GraphClientOptions) {
    this.root = `${options.baseUrl.replace(/\/+$/, '')}/${options.version}`;
  }

  /** Sends one message to an address (E.164, or a business-scoped user id); returns its wamid. */
  async send(address: string, message: GraphMessage): Promise<string> {
    const body: Record<string, unknown> = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      // A user known only by a business-scoped id is reached through `recipient`;
      // in `to`, Graph would answer 200 and drop the message.
      ...(address.startsWith('+') ? { to: address } : { recipient: address }),
      type: message.type,
      [message.type]: message.content,
      ...(message.callbackData ? { biz_opaque_callback_data: message.callbackData } : {}),
    };
    const answer = await this.request(
      `${this.options.phoneNumberId}/messages`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      this.options.timeoutMs ?? 15_000,
    );
    const parsed = sentSchema.safeParse(answer);
    // Accepted, since Graph said 200; without an id, nothing can follow it.
    if (!parsed.success) throw new ChannelSendError('recipientBackoff', UNCONFIRMED);
    const first = parsed.data.messages[0];
    if (!first) throw new ChannelSendError('recipientBackoff', UNCONFIRMED);
    return first.id;
  }

  /** Uploads a photo (multipart) and returns its media id (valid 30 days). */
  async uploadMedia(data: Buffer, mimeType: string): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', mimeType);
    form.set('file', new Blob([new Uint8Array(data)], { type: mimeType }), 'photo');
    const answer = await this.request(
      `${this.options.phoneNumberId}/media`,
      { method: 'POST', body: form },
      this.options.uploadTimeoutMs ?? 60_000,
      // Nothing is delivered by an upload: a lost answer is simply retried.
      true,
    );
    const parsed = uploadedSchema.safeParse(answer);
    if (!parsed.success) throw new ChannelSendError('transient', 'bad_answer');
    return parsed.data.id;
  }

  /** The number's messaging-limit tier: unique people per day outside the window; null = unlimited. */
  async messagingLimit(): Promise<number | null | undefined> {
    const answer = await this.request(
      `${this.options.phoneNumberId}?fields=whatsapp_business_manager_messaging_limit`,
      { method: 'GET' },
      this.options.timeoutMs ?? 15_000,
      true,
    );
    const parsed = limitSchema.safeParse(answer);
    return parsed.success
      ? parseTier(parsed.data.whatsapp_business_manager_messaging_limit)
      : undefined;
  }

  private async request(
    path: string,
    init: RequestInit,
    timeoutMs: number,
    idempotent = false,
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.root}/${path}`, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${this.options.accessToken}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const classified = networkError(error);
      // A read or an upload delivers nothing: whatever happened, it may simply be tried again.
      throw idempotent && classified.code === UNCONFIRMED
        ? new ChannelSendError('transient', 'network')
        : classified;
    }
    const text = await response.text().catch(() => '');
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch (error) {
      // Not JSON (a proxy's error page): the status alone decides.
      body = { parseError: error instanceof Error ? error.name : 'unknown' };
    }
    if (!response.ok) throw classifyGraphError(response.status, body);
    return body;
  }
}
