import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../../../app/ports/clock.js';
import type { DevOutbox } from '../../../app/ports/devOutbox.js';
import type { Outbox } from '../../../app/ports/outbox.js';
import type { UnsupportedMedia } from '../../../core/conversation/input.js';
import { AppError } from '../../../core/errors.js';
import type { Translator } from '../../../core/i18n/translator.js';
import { errorResponses } from '../errorAnswer.js';
import type { Lifecycle } from '../lifecycle.js';
import { requestLanguage } from '../requestLanguage.js';
import { devAnswers, devMessageBody, devStatusBody, outboxQuery } from './devSchemas.js';
import { isLoopbackPeer } from './loopbackPeer.js';

/** One inbound dev message as the channel takes it (the image already decoded). */
export interface DevInbound {
  from: string;
  messageId: string;
  text?: string;
  location?: { latitude: number; longitude: number; name?: string };
  image?: { mimeType: string; data: Buffer };
  audio?: { mimeType: string; data: Buffer; voice: boolean };
  replyToId?: string;
  unsupported?: UnsupportedMedia;
}

/** A reply of the turn, as the dev channel collected it. */
export interface DevReply {
  text: string;
  image?: { mimeType: string; dataBase64: string };
  choices?: Array<{ title: string; value: string }>;
  requestLocation?: true;
}

export interface DevRoutesOptions {
  /** Runs one turn of the bot on the dev channel and returns its replies. */
  converse: (message: DevInbound) => Promise<DevReply[]>;
  outbox: DevOutbox;
  /** The alerts' outbox, told the statuses a test reports for dev messages. */
  statuses: Pick<Outbox, 'recordStatus'>;
  clock: Clock;
  lifecycle: Lifecycle;
  translator: Translator;
  /**
   * Answer peers other than this machine too (`DEV_CHANNEL=1` set
   * explicitly). Otherwise a request whose socket does not come from a
   * loopback address, or that a proxy forwarded, is answered 404, as if the
   * channel did not exist.
   */
  anyPeer?: boolean;
}

/** Headers a reverse proxy adds; a request carrying one did not start on this machine. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const;

/**
 * The dev channel: a WhatsApp-like conversation for people and tests
 * without a phone. It has no authentication and shows what officers wrote
 * to families, so by default it answers only this machine.
 */
export const devRoutes = fp(
  async (fastify: FastifyInstance, options: DevRoutesOptions) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['dev channel'];
    const onRequest = async (request: FastifyRequest) => {
      if (options.anyPeer) return;
      // A proxy on this machine would make the whole world a loopback peer: forwarded requests are refused.
      const forwarded = FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined);
      if (!forwarded && isLoopbackPeer(request.socket.remoteAddress)) return;
      request.log.warn({ path: request.routeOptions.url }, 'dev channel refused a remote peer');
      throw new AppError('not_found', 'the dev channel answers loopback peers only');
    };
    app.post(
      '/dev/messages',
      {
        // A 16 MB audio is about 21.4 MB in base64.
        bodyLimit: 24 * 1024 * 1024,
        onRequest,
        schema: {
          summary: 'One inbound message; answers with the replies of that turn',
          tags,
          body: devMessageBody,
          response: { 200: devAnswers.replies, ...errorResponses(400, 413, 503) },
        },
      },
      async (request, reply) => {
        if (!options.lifecycle.accepting) {
          return reply.status(503).send({
            error: {
              code: 'shutting_down',
              message: options.translator.t(requestLanguage(request), 'common:http.unavailable'),
            },
          });
        }
        const body = request.body;
        const replies = await options.lifecycle.track(() =>
          options.converse({
            from: body.from,
            messageId: body.id ?? randomUUID(),
            ...(body.text !== undefined ? { text: body.text } : {}),
            ...(body.location ? { location: body.location } : {}),
            ...(body.image
              ? {
                  image: {
                    mimeType: body.image.mimeType,
                    data: Buffer.from(body.image.dataBase64, 'base64'),
                  },
                }
              : {}),
            ...(body.audio
              ? {
                  audio: {
                    mimeType: body.audio.mimeType,
                    data: Buffer.from(body.audio.dataBase64, 'base64'),
                    voice: body.audio.voice,
                  },
                }
              : {}),
            ...(body.replyTo ? { replyToId: body.replyTo } : {}),
            ...(body.media ? { unsupported: body.media } : {}),
          }),
        );
        return {
          replies: replies.map((message) => ({
            text: message.text,
            ...(message.image
              ? { imageUrl: `data:${message.image.mimeType};base64,${message.image.dataBase64}` }
              : {}),
            ...(message.choices ? { choices: message.choices } : {}),
            ...(message.requestLocation ? { requestLocation: message.requestLocation } : {}),
          })),
        };
      },
    );

    app.post(
      '/dev/statuses',
      {
        schema: {
          summary:
            'Reports a status (delivered, read, failed) of a message the dev channel sent, as WhatsApp would',
          tags,
          body: devStatusBody,
          response: { 200: devAnswers.status, ...errorResponses(400) },
        },
      },
      async (request) => {
        const { messageId, status, errorCode } = request.body;
        const result = await options.statuses.recordStatus({
          channelMessageId: messageId,
          status,
          at: options.clock.now(),
          ...(errorCode ? { errorCode } : {}),
        });
        return { result };
      },
    );

    app.get(
      '/dev/outbox',
      {
        onRequest,
        schema: {
          summary: 'Messages sent to a number outside a turn (officer relay, alerts), oldest first',
          tags,
          querystring: outboxQuery,
          response: { 200: devAnswers.outbox, ...errorResponses(400) },
        },
      },
      async (request) => ({ messages: await options.outbox.list(request.query.to) }),
    );
  },
  { name: 'tifli-dev-channel', dependencies: ['tifli-error-handler'] },
);
