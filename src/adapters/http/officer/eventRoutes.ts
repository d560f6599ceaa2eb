import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { Events } from '../../../app/ports/events.js';
import type { OfficerStore } from '../../../app/ports/officerStore.js';
import { canAccessRegion } from '../../../core/officer.js';
import { officerOf, SESSION_COOKIE } from './officerAuth.js';

/**
 * `GET /api/events`: server-sent events telling the console which case
 * changed, only for cases the officer may see. The console then re-reads
 * through the API, so no case data travels on this stream.
 *
 * A stream ends when its session does: at once when the officer signs out
 * on this instance, and otherwise at the next session check (every
 * `sessionCheckMs`), which also notices a session that expired or was
 * closed elsewhere. The check does not extend the session: an open tab does
 * not keep an officer signed in.
 */
export const eventRoutes = fp(
  async (
    app: FastifyInstance,
    options: {
      events: Events;
      officers: Pick<OfficerStore, 'sessionAlive'>;
      heartbeatMs?: number;
      sessionCheckMs?: number;
    },
  ) => {
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
      const token = request.cookies[SESSION_COOKIE] ?? '';
      const sessionCheck = setInterval(() => {
        options.officers.sessionAlive(token).then(
          (alive) => {
            if (!alive) close();
          },
          (error: unknown) => request.log.warn({ err: error }, 'session check failed'),
        );
      }, options.sessionCheckMs ?? 15_000);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        clearInterval(sessionCheck);
        unsubscribe();
        open.delete(close);
        forget();
        reply.raw.end();
      };
      const forget = app.sessionStreams.add(token, close);
      open.add(close);
      request.raw.on('close', close);
    });
  },
  { name: 'tifli-event-routes', dependencies: ['tifli-officer-auth'] },
);
