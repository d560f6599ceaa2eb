import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import type { CloudStatus } from '../cloudAdapter.js';
import { PairLimiter, TokenBucket } from '../pacing.js';
import { type Checked, checkMessage, type FakeTemplate, templateKey } from './fakeMessageRules.js';

export type { FakeTemplate } from './fakeMessageRules.js';

/**
 * A faithful local fake of Meta's Graph API for one WhatsApp business number:
 * what the tests, the benchmark and `WHATSAPP=cloud-fake` talk to instead of
 * graph.facebook.com. It checks what Graph checks (token, envelope, type,
 * lengths, buttons, rows, templates by name and language), keeps a 24 h
 * window per person opened by simulated inbound messages, paces the number
 * (token bucket → 130429, pair limit → 131056), stores media, and reports
 * each accepted message's statuses through `onStatus`, as Meta's webhook
 * would. A person can play the citizen on `POST /fake/inbound` and read
 * what the number sent on `GET /fake/sent`.
 */

/** A status as Meta's webhook reports it (`entry[].changes[].value.statuses[]`). */
export interface FakeStatus {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  timestamp: string;
  recipient_id: string;
  biz_opaque_callback_data?: string;
  errors?: Array<{ code: number; title: string }>;
}

/** A status as the Cloud adapter takes it (what the webhook reads out of Meta's). */
export function cloudStatusOf(status: FakeStatus): CloudStatus {
  const errorCode = status.errors?.[0]?.code;
  return {
    channelMessageId: status.id,
    status: status.status,
    ...(errorCode !== undefined ? { errorCode: String(errorCode) } : {}),
    ...(status.biz_opaque_callback_data ? { callbackData: status.biz_opaque_callback_data } : {}),
  };
}

/** A message the fake accepted (answered 200 to). */
export interface AcceptedMessage {
  wamid: string;
  address: string;
  field: 'to' | 'recipient';
  type: string;
  template?: { name: string; language: string };
  callbackData?: string;
  /** What was sent, as Graph received it (for `GET /fake/sent` and test assertions). */
  body: Record<string, unknown>;
  at: Date;
  /** A user id in `to`: Graph said 200 and the message went nowhere. */
  dropped: boolean;
  /** Free-form outside the window: accepted, then failed with 131047. */
  outsideWindow: boolean;
}

/** A simulated inbound message (the playground's `POST /fake/inbound`). */
export interface FakeInbound {
  id: string;
  from: string;
  text?: string;
  location?: { latitude: number; longitude: number; name?: string };
  at: Date;
}

export interface FakeGraphOptions {
  phoneNumberId?: string;
  accessToken?: string;
  /** Messages per second the number may send (80 by default). */
  throughput?: number;
  /** The pair limit (one per 6 s, bursts of 5 by default). */
  pair?: { intervalMs: number; burst: number };
  /** The messaging-limit tier Graph reports, e.g. `TIER_2K`. */
  tier?: string;
  templates?: FakeTemplate[];
  /** How long a media download URL lives (about 5 minutes at Meta). */
  mediaUrlTtlMs?: number;
  /** Statuses of accepted messages, as Meta's webhook would send them. */
  onStatus?: (status: FakeStatus) => void;
  /** The playground's inbound messages, for whoever plays Meta's webhook. */
  onInbound?: (message: FakeInbound) => void;
  /** The fake's time (tests move it by hand). */
  clock?: () => Date;
  /** Port to listen on (0: any). */
  port?: number;
}

const WINDOW_MS = 24 * 3600_000;
const IMAGE_MAX = 5 * 1024 * 1024;
const AUDIO_MAX = 16 * 1024 * 1024;
const MEDIA_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'audio/ogg',
  'audio/ogg; codecs=opus',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/amr',
]);

interface StoredMedia {
  data: Buffer;
  mimeType: string;
  sha256: string;
}

const inboundSchema = z.strictObject({
  from: z.string().regex(/^(\+[1-9]\d{6,14}|[A-Z]{2}\.\d+)$/),
  text: z.string().min(1).max(4096).optional(),
  location: z
    .strictObject({
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(180),
      name: z.string().max(300).optional(),
    })
    .optional(),
});

/** The templates Tifli submits (docs/whatsappTemplates.md), approved, for the fake's registry. */
export function tifliTemplates(
  names = { alert: 'tifli_alert', widening: 'tifli_widening', closing: 'tifli_closing' },
  languages = { ar: 'ar', fr: 'fr', ary: 'ar_MA' },
): FakeTemplate[] {
  const templates: FakeTemplate[] = [];
  for (const [language, code] of Object.entries(languages)) {
    const suffix = language === 'ary' ? '_ary' : '';
    const add = (name: string, header: 'image' | 'none', bodyParameters: number) =>
      templates.push({
        name: `${name}${suffix}`,
        language: code,
        status: 'APPROVED',
        category: 'UTILITY',
        bodyParameters,
        header,
      });
    add(names.alert, 'image', 2);
    add(`${names.alert}_text`, 'none', 2);
    add(names.widening, 'image', 2);
    add(`${names.widening}_text`, 'none', 2);
    add(names.closing, 'none', 1);
  }
  return templates;
}

/** The fake Graph API, listening on a local port. */
export class FakeGraph {
  readonly phoneNumberId: string;
  accessToken: string;
  /** Every message answered 200, oldest first. */
  readonly accepted: AcceptedMessage[] = [];
  /** Every refusal, by Graph code (throttling and pair-limit ones included). */
  readonly refusals: number[] = [];
  /** How many media uploads were made. */
  uploads = 0;
  tier: string;
  private readonly templates = new Map<string, FakeTemplate>();
  private readonly media = new Map<string, StoredMedia>();
  private readonly mediaUrls = new Map<string, { mediaId: string; until: number }>();
  private readonly windows = new Map<string, number>();
  private readonly bucket: TokenBucket;
  private readonly pair: PairLimiter;
  private readonly clock: () => Date;
  private readonly mediaUrlTtlMs: number;
  private readonly injected: Array<{ code: number; status: number }> = [];
  private readonly held = new Set<ServerResponse>();
  private holding = false;
  private answering = true;
  private server: Server | null = null;
  private base = '';

  constructor(private readonly options: FakeGraphOptions = {}) {
    this.phoneNumberId = options.phoneNumberId ?? '100000000000001';
    this.accessToken = options.accessToken ?? randomBytes(24).toString('hex');
    this.tier = options.tier ?? 'TIER_2K';
    this.clock = options.clock ?? (() => new Date());
    this.mediaUrlTtlMs = options.mediaUrlTtlMs ?? 5 * 60_000;
    const throughput = options.throughput ?? 80;
    // Meta measures throughput over about a second: a second's worth may come at once.
    this.bucket = new TokenBucket(throughput, Math.max(1, Math.round(throughput)));
    this.pair = new PairLimiter(options.pair?.intervalMs ?? 6_000, options.pair?.burst ?? 5);
    for (const template of options.templates ?? tifliTemplates()) this.putTemplate(template);
  }

  /** Starts listening; returns the fake. */
  static async start(options: FakeGraphOptions = {}): Promise<FakeGraph> {
    const fake = new FakeGraph(options);
    await fake.listen(options.port ?? 0);
    return fake;
  }

  /** `http://127.0.0.1:<port>`: the Graph base URL to configure. */
  get url(): string {
    return this.base;
  }

  async listen(port: number): Promise<void> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch(() => {
        if (!response.headersSent) this.json(response, 500, graphError(1, 'internal', 500));
      });
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (typeof address !== 'object' || address === null)
      throw new Error('the fake Graph API has no address');
    this.server = server;
    this.base = `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    for (const response of this.held) response.destroy();
    this.held.clear();
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds or replaces a template of the registry. */
  putTemplate(template: FakeTemplate): void {
    this.templates.set(templateKey(template.name, template.language), template);
  }

  /** Changes a template's review status (PAUSED, REJECTED…). */
  setTemplateStatus(name: string, language: string, status: FakeTemplate['status']): void {
    const known = this.templates.get(templateKey(name, language));
    if (known) this.putTemplate({ ...known, status });
  }

  /** A person wrote to the number: their 24 h window opens now (or at `at`). */
  inbound(from: string, at: Date = this.clock()): void {
    const known = this.windows.get(from) ?? 0;
    this.windows.set(from, Math.max(known, at.getTime()));
  }

  /** Stores an inbound photo or voice note as Meta would; returns its media id. */
  registerMedia(data: Buffer, mimeType: string): string {
    const id = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    this.media.set(id, {
      data,
      mimeType,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    return id;
  }

  /** The next `count` sends are refused with `code` (and HTTP `status`), whatever they are. */
  failNext(code: number, count = 1, status = 400): void {
    for (let i = 0; i < count; i++) this.injected.push({ code, status });
  }

  /**
   * From now on, sends get no answer and are not taken (Graph slow or cut off
   * mid-request); `release` answers the waiting ones 503.
   */
  hold(): void {
    this.holding = true;
  }

  /**
   * From now on, sends are taken (counted, statuses reported) but their
   * answer never comes: the sender cannot know they were taken.
   */
  acceptWithoutAnswer(): void {
    this.answering = false;
  }

  release(): void {
    this.holding = false;
    this.answering = true;
    for (const response of this.held) this.json(response, 503, graphError(1, 'unavailable', 503));
    this.held.clear();
  }

  /** How many sends are waiting for an answer (`hold`). */
  get waiting(): number {
    return this.held.size;
  }

  /** Accepted messages that reach someone, counted by recipient. */
  countByRecipient(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const message of this.accepted) {
      if (message.dropped) continue;
      counts.set(message.address, (counts.get(message.address) ?? 0) + 1);
    }
    return counts;
  }

  /** Accepted messages counted by their idempotency key (`biz_opaque_callback_data`). */
  countByKey(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const message of this.accepted) {
      if (!message.callbackData) continue;
      counts.set(message.callbackData, (counts.get(message.callbackData) ?? 0) + 1);
    }
    return counts;
  }

  /** What was accepted for one address, oldest first. */
  sentTo(address: string): AcceptedMessage[] {
    return this.accepted.filter((message) => message.address === address);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.base);
    const parts = url.pathname.split('/').filter((part) => part !== '');
    if (parts[0] === 'fake') return this.playground(request, response, url, parts);
    if (parts[0] === 'media-download') return this.download(request, response, parts[1] ?? '');
    if (!this.authorized(request)) {
      return this.json(response, 401, graphError(190, 'Invalid OAuth access token.', 401));
    }
    // /{version}/{phone-number-id}/messages|media, /{version}/{phone-number-id}, /{version}/{media-id}
    const [, node, edge] = parts;
    if (request.method === 'POST' && node === this.phoneNumberId && edge === 'messages') {
      return this.message(request, response);
    }
    if (request.method === 'POST' && node === this.phoneNumberId && edge === 'media') {
      return this.upload(request, response);
    }
    if (request.method === 'GET' && node === this.phoneNumberId && edge === undefined) {
      return this.json(response, 200, {
        id: this.phoneNumberId,
        whatsapp_business_manager_messaging_limit: this.tier,
      });
    }
    if (request.method === 'GET' && node && edge === undefined && this.media.has(node)) {
      return this.resolveMedia(response, node);
    }
    if (request.method === 'DELETE' && node && this.media.delete(node)) {
      return this.json(response, 200, { success: true });
    }
    return this.json(response, 400, graphError(100, 'Unsupported request', 400));
  }

  private authorized(request: IncomingMessage): boolean {
    const header = request.headers.authorization ?? '';
    const expected = Buffer.from(`Bearer ${this.accessToken}`);
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async message(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    if (this.holding) {
      this.held.add(response);
      response.on('close', () => this.held.delete(response));
      return;
    }
    const injected = this.injected.shift();
    if (injected) return this.refuse(response, injected.code, 'injected', injected.status);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return this.refuse(response, 100, 'the body is not JSON');
    }
    const result = checkMessage(body, this.templates, (id) => this.media.has(id));
    if (!result.ok)
      return this.refuse(
        response,
        result.refusal.code,
        result.refusal.title,
        result.refusal.status,
      );
    const checked = result.checked;
    // Over the number's pace: nothing is taken.
    if (!this.bucket.tryTake()) return this.refuse(response, 130429, 'Rate limit hit');
    if (this.pair.delayFor(checked.addressing.address) > 0) {
      return this.refuse(response, 131056, 'Pair rate limit hit');
    }
    this.pair.reserve(checked.addressing.address);
    this.accept(response, checked, z.record(z.string(), z.unknown()).parse(body));
  }

  private accept(response: ServerResponse, checked: Checked, body: Record<string, unknown>): void {
    const now = this.clock();
    const address = checked.addressing.address;
    const lastInbound = this.windows.get(address);
    const outsideWindow =
      checked.freeForm && (lastInbound === undefined || now.getTime() - lastInbound >= WINDOW_MS);
    const wamid = `wamid.${randomBytes(18).toString('base64url')}`;
    const message: AcceptedMessage = {
      wamid,
      address,
      field: checked.addressing.field,
      type: checked.type,
      body,
      at: now,
      dropped: checked.addressing.dropped,
      outsideWindow,
      ...(checked.template ? { template: checked.template } : {}),
      ...(checked.callbackData ? { callbackData: checked.callbackData } : {}),
    };
    this.accepted.push(message);
    if (!message.dropped) this.reportStatuses(message);
    if (!this.answering) {
      this.held.add(response);
      response.on('close', () => this.held.delete(response));
      return;
    }
    const contact = address.startsWith('+')
      ? { input: address, wa_id: address.slice(1) }
      : { input: address, user_id: address };
    this.json(response, 200, {
      messaging_product: 'whatsapp',
      contacts: [contact],
      messages: [{ id: wamid, ...(checked.template ? { message_status: 'accepted' } : {}) }],
    });
  }

  /** sent, delivered, read (or failed with 131047), a moment apart, as Meta reports them. */
  private reportStatuses(message: AcceptedMessage): void {
    const onStatus = this.options.onStatus;
    if (!onStatus) return;
    const status = (kind: FakeStatus['status'], extra: Partial<FakeStatus> = {}): FakeStatus => ({
      id: message.wamid,
      status: kind,
      timestamp: String(Math.floor(this.clock().getTime() / 1000)),
      recipient_id: message.address.replace(/^\+/, ''),
      ...(message.callbackData ? { biz_opaque_callback_data: message.callbackData } : {}),
      ...extra,
    });
    const sequence: FakeStatus[] = message.outsideWindow
      ? [
          status('failed', {
            errors: [{ code: 131047, title: 'Re-engagement message' }],
          }),
        ]
      : [status('sent'), status('delivered'), status('read')];
    let delay = 5;
    for (const item of sequence) {
      setTimeout(() => onStatus(item), delay).unref();
      delay += 5;
    }
  }

  private async upload(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request, AUDIO_MAX + 1024 * 1024);
    let form: FormData;
    try {
      form = await new Request('http://fake/upload', {
        method: 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? '' },
        body: new Uint8Array(raw),
      }).formData();
    } catch {
      return this.refuse(response, 100, 'not a multipart form');
    }
    const file = form.get('file');
    const type = form.get('type');
    if (form.get('messaging_product') !== 'whatsapp')
      return this.refuse(response, 100, 'messaging_product must be whatsapp');
    if (!(file instanceof Blob) || typeof type !== 'string' || !MEDIA_TYPES.has(type))
      return this.refuse(response, 131053, 'Media upload error: unsupported type');
    const data = Buffer.from(await file.arrayBuffer());
    if (data.length > (type.startsWith('image/') ? IMAGE_MAX : AUDIO_MAX))
      return this.refuse(response, 131053, 'Media upload error: too large');
    this.uploads += 1;
    const id = this.registerMedia(data, type);
    this.json(response, 200, { id });
  }

  private resolveMedia(response: ServerResponse, mediaId: string): void {
    const media = this.media.get(mediaId);
    if (!media) {
      this.refuse(response, 100, 'unknown media', 404);
      return;
    }
    const token = randomUUID();
    this.mediaUrls.set(token, { mediaId, until: this.clock().getTime() + this.mediaUrlTtlMs });
    this.json(response, 200, {
      messaging_product: 'whatsapp',
      url: `${this.base}/media-download/${token}`,
      mime_type: media.mimeType,
      sha256: media.sha256,
      file_size: media.data.length,
      id: mediaId,
    });
  }

  /** The download URL: needs the same Bearer token, and dies after a few minutes (404). */
  private download(request: IncomingMessage, response: ServerResponse, token: string): void {
    if (!this.authorized(request)) {
      this.json(response, 401, graphError(190, 'Invalid OAuth access token.', 401));
      return;
    }
    const link = this.mediaUrls.get(token);
    const media = link ? this.media.get(link.mediaId) : undefined;
    if (!link || !media || this.clock().getTime() > link.until) {
      this.mediaUrls.delete(token);
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': media.mimeType,
      'content-length': media.data.length,
    });
    response.end(media.data);
  }

  /** A person playing the citizen or the parent: write to the number, read what it sent. */
  private async playground(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    parts: string[],
  ): Promise<void> {
    if (request.method === 'POST' && parts[1] === 'inbound') {
      const raw = await readBody(request);
      let body: unknown = null;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        // Answered below as a bad request, like any body of the wrong shape.
        body = { unreadable: error instanceof Error ? error.name : 'unknown' };
      }
      const parsed = inboundSchema.safeParse(body);
      if (!parsed.success || (!parsed.data.text && !parsed.data.location)) {
        return this.json(response, 400, {
          error:
            'expected {"from": "+2126…" or "US.123", "text"?: "…", "location"?: {latitude, longitude}}',
        });
      }
      const at = this.clock();
      this.inbound(parsed.data.from, at);
      const message: FakeInbound = {
        id: `wamid.${randomBytes(18).toString('base64url')}`,
        from: parsed.data.from,
        at,
        ...(parsed.data.text ? { text: parsed.data.text } : {}),
        ...(parsed.data.location ? { location: parsed.data.location } : {}),
      };
      this.options.onInbound?.(message);
      return this.json(response, 202, { id: message.id });
    }
    if (request.method === 'GET' && parts[1] === 'sent') {
      const to = url.searchParams.get('to');
      const messages = (to ? this.sentTo(to) : this.accepted).map((message) => ({
        id: message.wamid,
        to: message.address,
        type: message.type,
        at: message.at,
        outsideWindow: message.outsideWindow,
        [message.type]: message.body[message.type],
      }));
      return this.json(response, 200, { messages });
    }
    return this.json(response, 404, { error: 'POST /fake/inbound or GET /fake/sent?to=' });
  }

  private refuse(response: ServerResponse, code: number, title: string, status = 400): void {
    this.refusals.push(code);
    this.json(response, status, graphError(code, title, status));
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }
}

/** Graph's error body. */
function graphError(code: number, message: string, status: number) {
  return {
    error: {
      message,
      type: status === 401 ? 'OAuthException' : 'GraphMethodException',
      code,
      fbtrace_id: randomBytes(8).toString('hex'),
    },
  };
}

async function readBody(request: IncomingMessage, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += piece.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(piece);
  }
  return Buffer.concat(chunks);
}
