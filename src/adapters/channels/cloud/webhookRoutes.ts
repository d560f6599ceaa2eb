import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Clock, systemClock } from '../../../app/ports/clock.js';
import type { InboundJournal, JournalEntry } from '../../../app/ports/inboundJournal.js';
import type { Translator } from '../../../core/i18n/translator.js';
import type { Language } from '../../../core/nlu/language.js';
import type { Logger } from '../../../logger.js';
import { GroupedJournal } from './groupedJournal.js';
import {
  InboundProcessor,
  type InboundProcessorOptions,
  type StatusListener,
  type StatusRecorder,
} from './inboundProcessor.js';
import type { InboundSink } from './inboundSink.js';
import { type MediaSource, senderAddress } from './toActivity.js';
import {
  type CloudContact,
  type CloudMessage,
  type StoredMessage,
  type StoredStatus,
  type WebhookEnvelope,
  webhookEnvelopeSchema,
} from './webhookEnvelope.js';

/** Where Meta posts notifications and checks the subscription. */
export const WEBHOOK_PATH = '/webhooks/whatsapp';

/** Meta's notifications reach 3 MB; fastify's default limit is 1 MiB. */
export const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024;

export interface CloudWebhookOptions {
  /** The app secret the notifications are signed with (not the verify token); never logged. */
  appSecret: string;
  /** The token Meta's subscription check presents; never logged. */
  verifyToken: string;
  journal: InboundJournal;
  /** Where messages go; may be attached later, once the Cloud adapter exists. */
  sink?: InboundSink | undefined;
  media: MediaSource;
  /** Where statuses of the messages Tifli sent are recorded. */
  outbox: StatusRecorder;
  logger: Logger;
  hashId: (id: string) => string;
  clock?: Clock;
  /** For the refusals' sentences. */
  translator: Translator;
  /** Tuning of the processor (concurrency, retry delays). */
  processing?: Pick<InboundProcessorOptions, 'concurrency' | 'firstRetryMs' | 'maxRetryMs'>;
}

/** The webhook once registered: attach the sink, follow statuses, wait for the work to settle. */
export interface CloudWebhook {
  /** Sets where messages go and resumes what a previous run stored and did not process. */
  attach(sink: InboundSink): Promise<void>;
  /** Told of every status once the outbox recorded it. */
  onStatus(listener: StatusListener): void;
  /** Resolves once every stored entry handed to the processor was processed (tests, benchmarks). */
  idle(): Promise<void>;
}

const verifyQuery = z.object({
  'hub.mode': z.string().max(100).optional(),
  'hub.verify_token': z.string().max(1000).optional(),
  'hub.challenge': z.string().max(1000).optional(),
});

const refusal = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .describe('Refused; the sentence is in the language of Accept-Language (ar, fr by default, ary)');

const acknowledgement = z.object({
  received: z.number().int().describe('How many messages and statuses the notification carried'),
});

/**
 * The Cloud API webhook, `GET` and `POST /webhooks/whatsapp`.
 *
 * `GET` is Meta's subscription check: it echoes `hub.challenge` only for
 * the mode `subscribe` and the configured verify token.
 *
 * `POST` carries notifications. Its body is read as raw bytes (a parser of
 * its own, in this route's scope only) because the signature
 * `X-Hub-Signature-256` is an HMAC-SHA256 of those exact bytes with the app
 * secret: re-serialised JSON would not match (Meta escapes non-ASCII as
 * `\uXXXX`). A missing or wrong signature is refused with 401 and nothing
 * is read. Then every message and status of every change of every entry is
 * stored in the inbound journal, and only once that is durable is Meta
 * answered 200; a storage failure answers 500, so Meta retries. The work
 * (turns, downloads, statuses) happens after, in the processor.
 */
export async function registerCloudWebhook(
  http: FastifyInstance,
  options: CloudWebhookOptions,
): Promise<CloudWebhook> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  // Under load, notifications arriving together are stored in one write.
  const journal = new GroupedJournal(options.journal);
  const processor = new InboundProcessor({
    journal,
    media: options.media,
    outbox: options.outbox,
    logger,
    hashId: options.hashId,
    clock,
    ...options.processing,
  });
  http.addHook('onClose', () => processor.stop());
  const say = (request: FastifyRequest, key: string) =>
    options.translator.t(languageOf(request), `webhook:${key}`);
  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, code: string) =>
    reply.status(status).send({ error: { code, message: say(request, code) } });

  await http.register(async (scope) => {
    // The raw bytes, for the signature: this scope's only parser, whatever the content type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    const routes = scope.withTypeProvider<ZodTypeProvider>();
    const tags = ['WhatsApp Cloud API'];

    routes.get(
      WEBHOOK_PATH,
      {
        schema: {
          summary: "Meta's subscription check: echoes hub.challenge for the right verify token",
          tags,
          querystring: verifyQuery,
          response: { 200: z.string(), 403: refusal },
        },
      },
      async (request, reply) => {
        const query = request.query;
        const challenge = query['hub.challenge'] ?? '';
        if (
          query['hub.mode'] !== 'subscribe' ||
          !sameSecret(query['hub.verify_token'] ?? '', options.verifyToken)
        ) {
          logger.warn('webhook subscription check refused');
          return refuse(request, reply, 403, 'verify_refused');
        }
        return reply.type('text/plain; charset=utf-8').send(challenge);
      },
    );

    routes.post(
      WEBHOOK_PATH,
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: {
          summary:
            'Notifications of the Cloud API (messages, statuses), signed with the app secret',
          tags,
          response: { 200: acknowledgement, 400: refusal, 401: refusal },
        },
      },
      async (request, reply) => {
        const raw = request.body;
        const signature = request.headers['x-hub-signature-256'];
        if (
          !Buffer.isBuffer(raw) ||
          !validSignature(raw, typeof signature === 'string' ? signature : '', options.appSecret)
        ) {
          logger.warn(
            { bytes: Buffer.isBuffer(raw) ? raw.length : 0 },
            'webhook signature refused',
          );
          return refuse(request, reply, 401, 'bad_signature');
        }
        const envelope = webhookEnvelopeSchema.safeParse(parseJson(raw));
        if (!envelope.success) {
          logger.warn({ issues: envelope.error.issues.length }, 'webhook notification unreadable');
          return refuse(request, reply, 400, 'bad_payload');
        }
        const entries = journalEntriesOf(envelope.data, clock.now(), logger);
        // Durable before the 200; a failure here is a 500 and Meta sends the batch again.
        const toProcess = await journal.record(entries);
        setImmediate(() => processor.enqueue(toProcess));
        return { received: entries.length };
      },
    );
  });

  if (options.sink) await processor.attach(options.sink);
  return {
    attach: (sink) => processor.attach(sink),
    onStatus: (listener) => processor.onStatus(listener),
    idle: () => processor.idle(),
  };
}

/**
 * Whether `X-Hub-Signature-256` (`sha256=<hex>`) is the HMAC-SHA256 of the
 * raw body with the app secret, compared in constant time.
 */
export function validSignature(raw: Buffer, header: string, appSecret: string): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', appSecret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

/** Compares two secrets in constant time, whatever their lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected)) && expected.length > 0;
}

/**
 * Every message and status of a notification, as journal entries in the
 * order they came: all entries, all changes (a batch may carry up to 1 000
 * items). Errors of a change are logged by code.
 */
export function journalEntriesOf(
  envelope: WebhookEnvelope,
  receivedAt: Date,
  logger: Logger,
): JournalEntry[] {
  const entries: JournalEntry[] = [];
  const add = (entry: Omit<JournalEntry, 'receivedAt' | 'position'>) =>
    entries.push({ ...entry, receivedAt, position: entries.length });
  for (const entry of envelope.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const value = change.value;
      const phoneNumberId = value.metadata.phone_number_id;
      for (const message of value.messages) {
        const contact = contactOf(value.contacts, message);
        const stored: StoredMessage = {
          phoneNumberId,
          contact: contact ? identity(contact) : null,
          message,
        };
        add({
          id: message.id,
          kind: 'message',
          chat: senderAddress(message, contact) ?? `nobody:${message.id}`,
          payload: JSON.stringify(stored),
        });
      }
      for (const status of value.statuses) {
        const stored: StoredStatus = { phoneNumberId, status };
        add({
          id: `${status.id}:${status.status}`,
          kind: 'status',
          chat: `status:${status.id}`,
          payload: JSON.stringify(stored),
        });
      }
      if (value.errors.length > 0) {
        logger.warn({ codes: value.errors.map((error) => error.code) }, 'webhook change errors');
      }
    }
  }
  return entries;
}

/** The sender's contact: the one with the message's number or user id, or the only one. */
function contactOf(contacts: readonly CloudContact[], message: CloudMessage): CloudContact | null {
  const named = contacts.find(
    (contact) =>
      (message.from !== undefined && contact.wa_id === message.from) ||
      (message.from_user_id !== undefined && contact.user_id === message.from_user_id),
  );
  if (named) return named;
  return contacts.length === 1 ? (contacts[0] ?? null) : null;
}

/** What is kept of a contact: who they are, not their profile name. */
function identity(contact: CloudContact): StoredMessage['contact'] {
  return {
    ...(contact.wa_id ? { wa_id: contact.wa_id } : {}),
    ...(contact.user_id ? { user_id: contact.user_id } : {}),
  };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/** The refusal's language, from Accept-Language (Meta sends none: French). */
function languageOf(request: FastifyRequest): Language {
  const header = String(request.headers['accept-language'] ?? '').toLowerCase();
  if (header.startsWith('ary')) return 'ary';
  if (header.startsWith('ar')) return 'ar';
  return 'fr';
}
