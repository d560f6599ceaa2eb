import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { SignIn, SignInResult } from '../../../app/officers/signIn.js';
import type { OfficerStore } from '../../../app/ports/officerStore.js';
import { AppError } from '../../../core/errors.js';
import { errorResponses } from '../errorAnswer.js';
import { officerOf, SESSION_COOKIE } from './officerAuth.js';
import { loginBody, sessionAnswers } from './sessionSchemas.js';

/** A refused login as the error handler answers it: 429 with when to try again, in seconds. */
function refusedLogin(result: Exclude<SignInResult, { ok: true }>): AppError {
  if (result.reason === 'invalid_credentials')
    return new AppError('invalid_credentials', 'wrong username or password');
  const seconds = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
  return new AppError('too_many_attempts', `login ${result.reason}`, undefined, {
    key: result.reason === 'busy' ? 'officers:login.busy' : 'officers:login.wait',
    params: { seconds },
  });
}

/** `POST/GET/DELETE /api/session`: sign in, who am I, sign out. */
export const sessionRoutes = fp(
  async (fastify: FastifyInstance, options: { officers: OfficerStore; signIn: SignIn }) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const { officers, signIn } = options;
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
        // Counted per address and per account before the password is checked.
        const result = await signIn.signIn(body.username, body.password, request.ip);
        if (!result.ok) {
          if (result.reason !== 'invalid_credentials')
            reply.header('retry-after', Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
          request.log.warn({ path: '/api/session', reason: result.reason }, 'login refused');
          throw refusedLogin(result);
        }
        const { officer } = result;
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
