import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder-core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { DevOutbox } from '../../../app/ports/devOutbox.js';
import type { Translator } from '../../../core/i18n/translator.js';
import type { DevAdapter } from '../../channels/devAdapter.js';
import type { Lifecycle } from '../lifecycle.js';
import { requestLanguage } from '../requestLanguage.js';

const address = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, 'an international phone number like +212600000001');

/** `POST /dev/messages`: one inbound WhatsApp-like message. */
export const devMessageBody = z
  .strictObject({
    from: address,
    /** Optional message id: the same id sent twice is handled once, like a WhatsApp redelivery. */
    id: z.string().min(1).max(200).optional(),
    text: z.string().max(100_000).optional(),
    location: z
      .strictObject({
        latitude: z.number().min(-90).max(90),
        longitude: z.number().min(-180).max(180),
        name: z.string().max(300).optional(),
      })
      .optional(),
    image: z
      .strictObject({ mimeType: z.string().max(100), dataBase64: z.string().max(12_000_000) })
      .optional(),
    /** A message kind the bot cannot use, to try its answer without a phone. */
    media: z.enum(['voice', 'sticker', 'video', 'document']).optional(),
  })
  .refine((body) => body.text !== undefined || body.location || body.image || body.media, {
    message: 'one of text, location, image or media is required',
  });

const outboxQuery = z.strictObject({ to: address });

export interface DevRoutesOptions {
  adapter: DevAdapter;
  logic: (context: TurnContext) => Promise<void>;
  outbox: DevOutbox;
  lifecycle: Lifecycle;
  translator: Translator;
}

/** The dev channel of DESIGN.md, for people and tests without a phone. */
export const devRoutes = fp(
  async (app: FastifyInstance, options: DevRoutesOptions) => {
    app.post('/dev/messages', { bodyLimit: 16 * 1024 * 1024 }, async (request, reply) => {
      if (!options.lifecycle.accepting) {
        return reply.status(503).send({
          error: {
            code: 'shutting_down',
            message: options.translator.t(requestLanguage(request), 'common:http.unavailable'),
          },
        });
      }
      const body = devMessageBody.parse(request.body);
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
    });

    app.get('/dev/outbox', async (request) => {
      const query = outboxQuery.parse(request.query);
      return { messages: await options.outbox.list(query.to) };
    });
  },
  { name: 'tifli-dev-channel', dependencies: ['tifli-error-handler'] },
);
