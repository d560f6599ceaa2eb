import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { OfficerStore } from '../../../app/ports/officerStore.js';
import { AppError } from '../../../core/errors.js';
import { passwordSchema, usernameSchema } from '../../../core/officer.js';
import { officerOf, SESSION_COOKIE } from './officerAuth.js';

export const loginBody = z.strictObject({
  username: usernameSchema,
  // Not the creation rule: a wrong password of any length is simply wrong.
  password: z.string().min(1).max(200),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `POST/GET/DELETE /api/session`: sign in, who am I, sign out. */
export const sessionRoutes = fp(
  async (app: FastifyInstance, options: { officers: OfficerStore }) => {
    const { officers } = options;

    app.post('/api/session', async (request, reply) => {
      const body = loginBody.parse(request.body);
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
    });

    app.get('/api/session', { preHandler: app.requireOfficer }, async (request) => {
      const token = request.cookies[SESSION_COOKIE] ?? '';
      const session = await officers.resumeSession(token);
      return { officer: officerOf(request), csrfToken: session?.csrfToken };
    });

    app.delete('/api/session', { preHandler: app.requireOfficer }, async (request, reply) => {
      await officers.closeSession(request.cookies[SESSION_COOKIE] ?? '');
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    });
  },
  { name: 'tifli-session-routes', dependencies: ['tifli-officer-auth'] },
);

/** Used by the CLI too: the rules a new account must meet. */
export const newOfficerSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
});
