import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { OfficerStore } from '../../../app/ports/officerStore.js';
import { AppError } from '../../../core/errors.js';
import type { Officer } from '../../../core/officer.js';
import { SessionStreams } from './sessionStreams.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in officer, set by `requireOfficer`. */
    officer: Officer | null;
  }
}

export const SESSION_COOKIE = 'tifli_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Sessions by cookie, CSRF on every state-changing request. */
export const officerAuth = fp(
  async (app: FastifyInstance, options: { officers: OfficerStore }) => {
    await app.register(cookie);
    app.decorateRequest('officer', null);
    app.decorate('sessionStreams', new SessionStreams());
    app.decorate('requireOfficer', async (request: FastifyRequest, _reply: FastifyReply) => {
      const token = request.cookies[SESSION_COOKIE];
      const session = token ? await options.officers.resumeSession(token) : null;
      if (!session) throw new AppError('unauthenticated', 'no live session');
      // Double-submit: the token is readable only by our own page (same origin), never by another site.
      const safe = request.method === 'GET' || request.method === 'HEAD';
      if (!safe && request.headers[CSRF_HEADER] !== session.csrfToken) {
        request.log.warn(
          { officer: session.officer.username, path: request.routeOptions.url },
          'csrf refused',
        );
        throw new AppError('csrf', 'missing or wrong CSRF token');
      }
      request.officer = session.officer;
    });
  },
  { name: 'tifli-officer-auth', dependencies: ['tifli-error-handler'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    requireOfficer(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** The live-event streams of each session, ended when it signs out. */
    sessionStreams: SessionStreams;
  }
}

/** The officer of a request that passed `requireOfficer`. */
export function officerOf(request: FastifyRequest): Officer {
  if (!request.officer) throw new AppError('unauthenticated', 'route without requireOfficer');
  return request.officer;
}
