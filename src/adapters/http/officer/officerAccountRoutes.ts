import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { OfficerAccounts, UnlockOutcome } from '../../../app/officers/officerAccounts.js';
import { AppError } from '../../../core/errors.js';
import { errorResponses, OFFICER_ERRORS } from '../errorAnswer.js';
import { noBody } from './caseSchemas.js';
import {
  addressUnlockBody,
  officerAccountAnswers,
  officerParams,
} from './officerAccountSchemas.js';
import { officerOf } from './officerAuth.js';

function unlocked(outcome: UnlockOutcome): { unlocked: boolean } {
  if (!outcome.ok) throw new AppError('not_found', 'no such officer for this supervisor');
  return { unlocked: outcome.unlocked };
}

/**
 * `GET /api/officers`, `POST /api/officers/:username/unlock`,
 * `POST /api/login-locks/unlock`: supervisors and admins see how logins
 * stand and lift a slow-down or a lock-out (audited).
 */
export const officerAccountRoutes = fp(
  async (fastify: FastifyInstance, options: { accounts: OfficerAccounts }) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const { accounts } = options;
    const guard = { preValidation: app.requireOfficer };
    const tags = ['officers'];
    const security = [{ session: [] }];
    const errors = errorResponses(...OFFICER_ERRORS);

    app.get(
      '/api/officers',
      {
        ...guard,
        schema: {
          summary: 'The officers a supervisor answers for, and how their logins stand (supervisor)',
          tags,
          security,
          response: { 200: officerAccountAnswers.list, ...errors },
        },
      },
      async (request) => ({ officers: await accounts.list(officerOf(request)) }),
    );

    app.post(
      '/api/officers/:username/unlock',
      {
        ...guard,
        schema: {
          summary: "Forget an officer's failed logins (supervisor of their region, admin; audited)",
          tags,
          security,
          params: officerParams,
          body: noBody,
          response: { 200: officerAccountAnswers.unlocked, ...errors },
        },
      },
      async (request) =>
        unlocked(await accounts.unlockAccount(officerOf(request), request.params.username)),
    );

    app.post(
      '/api/login-locks/unlock',
      {
        ...guard,
        schema: {
          summary: 'Lift the lock-out of one address (supervisor, admin; audited)',
          tags,
          security,
          body: addressUnlockBody,
          response: { 200: officerAccountAnswers.unlocked, ...errors },
        },
      },
      async (request) =>
        unlocked(await accounts.unlockAddress(officerOf(request), request.body.address)),
    );
  },
  { name: 'tifli-officer-account-routes', dependencies: ['tifli-officer-auth'] },
);
