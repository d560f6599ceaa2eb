import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder-core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DevOutbox } from '../../../app/ports/devOutbox.js';
import type { Translator } from '../../../core/i18n/translator.js';
import type { DevAdapter } from '../../channels/devAdapter.js';
import { errorResponses } from '../errorAnswer.js';
import type { Lifecycle } from '../lifecycle.js';
import { requestLanguage } from '../requestLanguage.js';
import { devAnswers, devMessageBody, outboxQuery } from './devSchemas.js';

export interface DevRoutesOptions {
  adapter: DevAdapter;
  logic: (context: TurnContext) => Promise<void>;
  outbox: DevOutbox;
  lifecycle: Lifecycle;
  translator: Translator;
}

/** The dev channel: a WhatsApp-like conversation for people and tests without a phone. */
export const devRoutes = fp(
  async (fastify: FastifyInstance, options: DevRoutesOptions) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['dev channel'];
    app.post(
      '/dev/messages',
      {
        bodyLimit: 16 * 1024 * 1024,
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
          options.adapter.process(
            {
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
            },
            options.logic,
          ),
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
