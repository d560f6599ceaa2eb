import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DevOutbox } from '../../../app/ports/devOutbox.js';
import { AppError } from '../../../core/errors.js';
import type { Translator } from '../../../core/i18n/translator.js';
import { errorResponses } from '../errorAnswer.js';
import type { Lifecycle } from '../lifecycle.js';
import { requestLanguage } from '../requestLanguage.js';
import { devAnswers, devMessageBody, outboxQuery } from './devSchemas.js';
import { isLoopbackPeer } from './loopbackPeer.js';

/** One inbound dev message as the channel takes it (the image already decoded). */
export interface DevInbound {
  from: string;
  messageId: string;
  text?: string;
  location?: { latitude: number; longitude: number; name?: string };
  image?: { mimeType: string; data: Buffer };
  unsupported?: 'voice' | 'sticker' | 'video' | 'document';
}

/** A reply of the turn, as the dev channel collected it. */
export interface DevReply {
  text: string;
  image?: { mimeType: string; dataBase64: string };
}

export interface DevRoutesOptions {
  /** Runs one turn of the bot on the dev channel and returns its replies. */
  converse: (message: DevInbound) => Promise<DevReply[]>;
  outbox: DevOutbox;
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
        bodyLimit: 16 * 1024 * 1024,
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
            ...(body.media ? { unsupported: body.media } : {}),
          }),
        );
        return {
          replies: replies.map((message) =>
            message.image
              ? {
                  text: message.text,
                  imageUrl: `data:${message.image.mimeType};base64,${message.image.dataBase64}`,
                }
              : { text: message.text },
          ),
        };
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
