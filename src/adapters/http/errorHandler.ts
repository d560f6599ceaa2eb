import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { AppError } from '../../core/errors.js';
import type { Translator } from '../../core/i18n/translator.js';
import { requestLanguage } from './requestLanguage.js';

/** The HTTP status of each error code a request can expect. */
const STATUS_OF: Partial<Record<string, number>> = {
  bad_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  csrf: 403,
  not_found: 404,
  conflict: 409,
  too_many_attempts: 429,
};

/** A field as the answer names it: `checklist.minor`, `texts.fr`, `` for the whole body. */
const fieldPath = (instancePath: string) => instancePath.split('/').filter(Boolean).join('.');

/**
 * The one error handler: a bad body, query or parameter (refused by the
 * route's zod schema) gets 400 with a localized sentence and the fields at
 * fault; any unexpected failure gets 500 with no detail (it is logged with
 * the request id instead).
 */
export const errorHandler = fp(
  async (app: FastifyInstance, options: { translator: Translator }) => {
    const { translator } = options;
    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const language = requestLanguage(request);
      const say = (code: string) => translator.t(language, `common:http.${code}`);
      if (hasZodFastifySchemaValidationErrors(error)) {
        return reply.status(400).send({
          error: {
            code: 'bad_request',
            message: say('bad_request'),
            fields: error.validation.map((issue) => ({
              path: fieldPath(issue.instancePath),
              problem: issue.message ?? '',
            })),
          },
        });
      }
      // A schema parsed by hand (stored data, a nested shape) fails the same way.
      if (error instanceof ZodError) {
        return reply.status(400).send({
          error: {
            code: 'bad_request',
            message: say('bad_request'),
            fields: error.issues.map((issue) => ({
              path: issue.path.join('.'),
              problem: issue.message,
            })),
          },
        });
      }
      if (error instanceof AppError && error.code in STATUS_OF) {
        const status = STATUS_OF[error.code] ?? 500;
        const explained = error.explanation;
        if (!explained)
          return reply
            .status(status)
            .send({ error: { code: error.code, message: say(error.code) } });
        const message = translator.t(language, explained.key, explained.params);
        return reply.status(status).send({
          error: {
            code: error.code,
            message,
            ...(explained.fields
              ? { fields: explained.fields.map((path) => ({ path, problem: message })) }
              : {}),
          },
        });
      }
      const statusCode =
        'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
      if (statusCode === 413) {
        return reply.status(413).send({ error: { code: 'too_large', message: say('too_large') } });
      }
      if (statusCode >= 400 && statusCode < 500) {
        return reply
          .status(statusCode)
          .send({ error: { code: 'bad_request', message: say('bad_request') } });
      }
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ error: { code: 'internal', message: say('internal') } });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        error: {
          code: 'not_found',
          message: translator.t(requestLanguage(request), 'common:http.not_found'),
        },
      }),
    );
  },
  { name: 'tifli-error-handler' },
);
