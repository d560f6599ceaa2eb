import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../core/errors.js';
import { SESSION_COOKIE } from './officer/officerAuth.js';

/** How many requests each kind of caller may make in one window. */
export interface HttpRateLimits {
  windowMs: number;
  /** Sign-in attempts per address: a backstop against password hashing floods (a station behind one NAT signs in together; the officer store throttles each account and address on top). */
  loginPerAddress: number;
  /** Officer API calls per address: a police station behind one NAT is many officers. */
  apiPerAddress: number;
  /** Officer API calls per session: one console, however busy, stays far below. */
  apiPerSession: number;
  /** Everything public (CAP, Atom, alert photos, the console's files, the docs) per address. */
  publicPerAddress: number;
}

/** Generous: a person at work never meets them; a script hammering the service does. */
export const DEFAULT_HTTP_RATE_LIMITS: HttpRateLimits = {
  windowMs: 60_000,
  loginPerAddress: 300,
  apiPerAddress: 3_000,
  apiPerSession: 1_200,
  publicPerAddress: 600,
};

type Family = 'exempt' | 'login' | 'api' | 'public';

/**
 * Which limit a request falls under. Health probes are not limited (a load
 * balancer polls them), nor is the dev channel (it answers loopback only,
 * and families' messages have their own per-number limits), nor the
 * WhatsApp webhook: Meta posts every message of the country from a few
 * addresses, each notification is signed (an unsigned one is refused before
 * anything is stored), and a refused one would only come back as a retry.
 */
function familyOf(request: FastifyRequest): Family {
  const path = request.url.split('?')[0] ?? '';
  if (path === '/healthz' || path === '/readyz' || path.startsWith('/dev/')) return 'exempt';
  if (path === '/webhooks/whatsapp') return 'exempt';
  if (path === '/api/session' && request.method === 'POST') return 'login';
  if (path.startsWith('/api/')) return 'api';
  return 'public';
}

const tooMany = () =>
  new AppError('too_many_attempts', 'rate limited', undefined, { key: 'http:too_many_requests' });

/**
 * `@fastify/rate-limit` on every route: per address (the socket's, or the
 * proxy's `X-Forwarded-For` when the service trusts its proxy) for the
 * public routes, sign-in and the officer API, and per session for the
 * officer API on top, so one busy console cannot use up its station's
 * allowance and a stolen session cannot scrape unnoticed. Counters are kept
 * in each instance's memory: with several instances the limits hold per
 * instance, which is what "generous" allows. Refusals are the localized 429
 * of the error handler, with `Retry-After`.
 */
export const rateLimits = fp(
  async (app: FastifyInstance, options: { limits?: HttpRateLimits }) => {
    const limits = options.limits ?? DEFAULT_HTTP_RATE_LIMITS;
    const perAddress: Record<Exclude<Family, 'exempt'>, number> = {
      login: limits.loginPerAddress,
      api: limits.apiPerAddress,
      public: limits.publicPerAddress,
    };
    await app.register(rateLimit, {
      global: true,
      timeWindow: limits.windowMs,
      allowList: (request) => familyOf(request) === 'exempt',
      keyGenerator: (request) => `${familyOf(request)}:${request.ip}`,
      max: (request) => {
        const family = familyOf(request);
        return family === 'exempt' ? Number.MAX_SAFE_INTEGER : perAddress[family];
      },
      errorResponseBuilder: tooMany,
    });
    const perSession = app.createRateLimit({
      timeWindow: limits.windowMs,
      max: limits.apiPerSession,
      keyGenerator: (request) =>
        `session:${createHash('sha256')
          .update(request.cookies?.[SESSION_COOKIE] ?? '')
          .digest('base64url')}`,
    });
    app.addHook('onRequest', async (request, reply) => {
      if (familyOf(request) !== 'api' || !request.headers.cookie?.includes(SESSION_COOKIE)) return;
      const verdict = await perSession(request);
      if (!verdict.isAllowed && verdict.isExceeded) {
        reply.header('retry-after', verdict.ttlInSeconds);
        throw tooMany();
      }
    });
  },
  { name: 'tifli-rate-limits', dependencies: ['tifli-error-handler', 'tifli-officer-auth'] },
);
