import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { CONSOLE_CSP } from './console/consoleRoutes.js';

/** The console's policy as helmet's directives: one policy for every answer of the service. */
export function cspDirectives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = '', ...values]) => [name, values]),
  );
}

/** Paths whose answers carry personal data: the officer API and sessions, the dev channel. */
export function carriesPersonalData(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return path.startsWith('/api/') || path === '/api' || path.startsWith('/dev/');
}

/**
 * Security headers on every answer (helmet: CSP, HSTS, no sniffing, no
 * framing, no referrer, same-origin resources; routes meant to be embedded
 * elsewhere, the public alert documents, say so themselves), and
 * `Cache-Control: no-store` on every answer of a path with personal data,
 * whatever the route set, so no browser or proxy keeps a case, a session or
 * a family's messages. The public alert documents keep their own caching.
 */
export const securityHeaders = fp(
  async (app: FastifyInstance) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(CONSOLE_CSP) },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
    });
    app.addHook('onSend', async (request, reply, payload) => {
      if (carriesPersonalData(request)) reply.header('cache-control', 'no-store');
      return payload;
    });
  },
  { name: 'tifli-security-headers' },
);
