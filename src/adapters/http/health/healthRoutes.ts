import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Connection } from 'mongoose';
import type { Lifecycle } from '../lifecycle.js';

/** `/healthz` (the process is alive) and `/readyz` (it can take messages: database reachable, not stopping). */
export const healthRoutes = fp(
  async (app: FastifyInstance, options: { connection: Connection; lifecycle: Lifecycle }) => {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      if (!options.lifecycle.ready) return reply.status(503).send({ status: 'not_ready' });
      try {
        await options.connection.db?.admin().ping();
        return { status: 'ready' };
      } catch (error) {
        _request.log.warn({ err: error }, 'database ping failed');
        return reply.status(503).send({ status: 'database_unreachable' });
      }
    });
  },
  { name: 'tifli-health' },
);
