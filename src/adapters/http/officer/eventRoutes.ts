import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { Events } from '../../../app/ports/events.js';
import { canAccessRegion } from '../../../core/officer.js';
import { officerOf } from './officerAuth.js';

/**
 * `GET /api/events`: server-sent events telling the console which case
 * changed, only for cases the officer may see. The console then re-reads
 * through the API, so no case data travels on this stream.
 */
export const eventRoutes = fp(
  async (app: FastifyInstance, options: { events: Events; heartbeatMs?: number }) => {
    const open = new Set<() => void>();
    app.addHook('onClose', async () => {
      for (const close of open) close();
    });

    const schema = {
      summary: 'Server-sent events: which case changed (ids only; the console re-reads the case)',
      tags: ['cases'],
      security: [{ session: [] }],
      response: {
        200: {
          description: 'event: case, data: {"type", "caseId", "alertId"?, "sightingId"?}',
          content: { 'text/event-stream': { schema: z.string() } },
        },
      },
    };
    app.get('/api/events', { preValidation: app.requireOfficer, schema }, (request, reply) => {
      const officer = officerOf(request);
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      reply.raw.write('retry: 3000\n\n');
      const unsubscribe = options.events.subscribe((event) => {
        if (!canAccessRegion(officer, event.region)) return;
        const { region: _region, ...visible } = event;
        reply.raw.write(`event: case\ndata: ${JSON.stringify(visible)}\n\n`);
      });
      const heartbeat = setInterval(
        () => reply.raw.write(': keep-alive\n\n'),
        options.heartbeatMs ?? 25_000,
      );
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(close);
        reply.raw.end();
      };
      open.add(close);
      request.raw.on('close', close);
    });
  },
  { name: 'tifli-event-routes', dependencies: ['tifli-officer-auth'] },
);
