import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Connection } from 'mongoose';
import type { Lifecycle } from '../lifecycle.js';
import { probeDatabase } from './databaseProbe.js';
import { healthAnswers } from './healthSchemas.js';

/**
 * `/healthz` (the process is alive and has its database: a service whose
 * database is gone is not healthy, whatever its event loop says) and
 * `/readyz` (it can take messages: database reachable, not stopping). Both
 * answer within a second: the database gets `PROBE_TIMEOUT_MS` to answer a ping.
 */
export const healthRoutes = fp(
  async (fastify: FastifyInstance, options: { connection: Connection; lifecycle: Lifecycle }) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['operations'];
    app.get(
      '/healthz',
      {
        schema: {
          summary: 'The process is alive and its database answers',
          tags,
          response: { 200: healthAnswers.alive, 503: healthAnswers.unhealthy },
        },
      },
      async (request, reply) => {
        const probe = await probeDatabase(options.connection);
        if (probe.ok) return { status: 'ok' as const };
        request.log.warn({ err: probe.error, reason: probe.reason }, 'database ping failed');
        return reply.status(503).send({ status: 'database_unreachable' as const });
      },
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
      async (request, reply) => {
        if (!options.lifecycle.ready) return reply.status(503).send({ status: 'not_ready' });
        const probe = await probeDatabase(options.connection);
        if (probe.ok) return { status: 'ready' as const };
        request.log.warn({ err: probe.error, reason: probe.reason }, 'database ping failed');
        return reply.status(503).send({ status: 'database_unreachable' });
      },
    );
  },
  { name: 'tifli-health' },
);
