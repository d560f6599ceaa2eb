import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Connection } from 'mongoose';
import type { Lifecycle } from '../lifecycle.js';
import { healthAnswers } from './healthSchemas.js';

/** `/healthz` (the process is alive) and `/readyz` (it can take messages: database reachable, not stopping). */
export const healthRoutes = fp(
  async (fastify: FastifyInstance, options: { connection: Connection; lifecycle: Lifecycle }) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['operations'];
    app.get(
      '/healthz',
      {
        schema: { summary: 'The process is alive', tags, response: { 200: healthAnswers.alive } },
      },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/readyz',
      {
        schema: {
          summary: 'Ready to take messages: database reachable, not stopping',
          tags,
          response: { 200: healthAnswers.ready, 503: healthAnswers.notReady },
        },
      },
      async (_request, reply) => {
        if (!options.lifecycle.ready) return reply.status(503).send({ status: 'not_ready' });
        try {
          await options.connection.db?.admin().ping();
          return { status: 'ready' as const };
        } catch (error) {
          _request.log.warn({ err: error }, 'database ping failed');
          return reply.status(503).send({ status: 'database_unreachable' });
        }
      },
    );
  },
  { name: 'tifli-health' },
);
