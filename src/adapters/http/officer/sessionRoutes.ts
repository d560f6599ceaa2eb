import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { OfficerStore } from '../../../app/ports/officerStore.js';
import { AppError } from '../../../core/errors.js';
import { errorResponses } from '../errorAnswer.js';
import { officerOf, SESSION_COOKIE } from './officerAuth.js';
import { loginBody, sessionAnswers } from './sessionSchemas.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `POST/GET/DELETE /api/session`: sign in, who am I, sign out. */
export const sessionRoutes = fp(
  async (fastify: FastifyInstance, options: { officers: OfficerStore }) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const { officers } = options;
    const tags = ['session'];
    const security = [{ session: [] }];

    app.post(
      '/api/session',
      {
        schema: {
          summary: 'Sign in: sets the session cookie, returns the CSRF token',
          tags,
          body: loginBody,
          response: { 200: sessionAnswers.signedIn, ...errorResponses(400, 401, 429) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        // Throttled per account and per address: a guessing attack slows down, then stops.
        const keys = [`user:${body.username}`, `ip:${request.ip}`];
        const waits = await Promise.all([
          officers.loginDelay(keys[0] ?? ''),
          officers.loginDelay(keys[1] ?? '', 5),
        ]);
        const refused = waits.find((w) => 'refusedForMs' in w);
        if (refused && 'refusedForMs' in refused) {
          reply.header('retry-after', Math.ceil(refused.refusedForMs / 1000));
          throw new AppError('too_many_attempts', 'login throttled');
        }
        await sleep(Math.max(...waits.map((w) => ('delayMs' in w ? w.delayMs : 0))));
        const officer = await officers.verifyPassword(body.username, body.password);
        if (!officer) {
          await Promise.all(keys.map((k) => officers.recordLoginFailure(k)));
          request.log.warn({ path: '/api/session' }, 'login failed');
          throw new AppError('invalid_credentials', 'wrong username or password');
        }
        await officers.clearLoginFailures(keys[0] ?? '');
        const session = await officers.openSession(officer.username);
        reply.setCookie(SESSION_COOKIE, session.token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: request.protocol === 'https',
          path: '/',
        });
        request.log.info({ officer: officer.username }, 'officer signed in');
        return { officer, csrfToken: session.csrfToken };
      },
    );

    app.get(
      '/api/session',
      {
        preValidation: app.requireOfficer,
        schema: {
          summary: 'The signed-in officer and the CSRF token',
          tags,
          security,
          response: { 200: sessionAnswers.current, ...errorResponses(401) },
        },
      },
      async (request) => {
        const token = request.cookies[SESSION_COOKIE] ?? '';
        const session = await officers.resumeSession(token);
        return { officer: officerOf(request), csrfToken: session?.csrfToken };
      },
    );

    app.delete(
      '/api/session',
      {
        preValidation: app.requireOfficer,
        schema: {
          summary: 'Sign out',
          tags,
          security,
          response: { 204: sessionAnswers.signedOut, ...errorResponses(401, 403) },
        },
      },
      async (request, reply) => {
        const token = request.cookies[SESSION_COOKIE] ?? '';
        await officers.closeSession(token);
        app.sessionStreams.closeAll(token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send();
      },
    );
  },
  { name: 'tifli-session-routes', dependencies: ['tifli-officer-auth'] },
);
