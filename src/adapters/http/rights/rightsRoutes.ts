import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RightsDesk, RightsOutcome } from '../../../app/rights/rightsDesk.js';
import { AppError } from '../../../core/errors.js';
import type { RightsRequest } from '../../../core/rights/rightsRequest.js';
import { errorResponses, OFFICER_ERRORS } from '../errorAnswer.js';
import { officerOf } from '../officer/officerAuth.js';
import { rightsAnswers, rightsBodies, rightsCaseParams, rightsParams } from './rightsSchemas.js';

export interface RightsRoutesOptions {
  desk: RightsDesk;
}

/** A request as the API shows it: everything but the number. */
function present(request: RightsRequest) {
  return {
    id: request._id,
    kind: request.kind,
    status: request.status,
    subject: request.subjectHash,
    language: request.language,
    caseId: request.caseId,
    caseReference: request.caseReference,
    region: request.region,
    text: request.text,
    erasedAtOnce: request.erasedAtOnce,
    createdAt: request.createdAt,
    decidedAt: request.decidedAt,
    decidedBy: request.decidedBy,
    reason: request.reason,
    note: request.note,
  };
}

/** The decision, or the refusal as the error handler's answer. */
function decided(outcome: RightsOutcome) {
  if (outcome.ok) {
    return {
      request: present(outcome.request),
      ...(outcome.erased ? { erased: outcome.erased } : {}),
    };
  }
  switch (outcome.reason) {
    case 'not_found':
      throw new AppError('not_found', 'no such request for this officer');
    case 'conflict':
      throw new AppError('conflict', 'the request was already decided');
    case 'case_open':
      throw new AppError('conflict', 'a case of this person is still open', undefined, {
        key: 'rights:console.case_open',
      });
    default: {
      const unknown: never = outcome.reason;
      throw new Error(`unhandled refusal ${String(unknown)}`);
    }
  }
}

/**
 * Data-subject requests for officers (docs/privacy.md): the pending ones an
 * officer may decide, a case's requests, apply, refuse with a reason. Every
 * decision is audited by the rights desk and told to the family.
 */
export const rightsRoutes = fp(
  async (fastify: FastifyInstance, options: RightsRoutesOptions) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const { desk } = options;
    const guard = { preValidation: app.requireOfficer };
    const tags = ['rights'];
    const security = [{ session: [] }];
    const errors = errorResponses(...OFFICER_ERRORS);
    const conflict = errorResponses(...OFFICER_ERRORS, 409);

    app.get(
      '/api/rights-requests',
      {
        ...guard,
        schema: {
          summary:
            'Pending data-subject requests this officer decides (erasures: supervisors of the region, or any for none)',
          tags,
          security,
          response: { 200: rightsAnswers.list, ...errors },
        },
      },
      async (request) => ({
        requests: (await desk.pendingFor(officerOf(request))).map(present),
      }),
    );

    app.get(
      '/api/cases/:id/rights-requests',
      {
        ...guard,
        schema: {
          summary: "A case's data-subject requests (its timeline), oldest first",
          tags,
          security,
          params: rightsCaseParams,
          response: { 200: rightsAnswers.list, ...errors },
        },
      },
      async (request) => {
        const found = await desk.forCase(officerOf(request), request.params.id);
        if (!found) throw new AppError('not_found', 'no such case for this officer');
        return { requests: found.map(present) };
      },
    );

    app.post(
      '/api/rights-requests/:id/apply',
      {
        ...guard,
        schema: {
          summary:
            'Apply a correction (officer of the region) or an erasure (supervisor; every case of the person must be closed)',
          tags,
          security,
          params: rightsParams,
          body: rightsBodies.apply,
          response: { 200: rightsAnswers.one, ...conflict },
        },
      },
      async (request) =>
        decided(
          await desk.apply(officerOf(request), request.params.id, request.body?.note ?? null),
        ),
    );

    app.post(
      '/api/rights-requests/:id/refuse',
      {
        ...guard,
        schema: {
          summary: 'Refuse a request with a reason the family is told in their language',
          tags,
          security,
          params: rightsParams,
          body: rightsBodies.refuse,
          response: { 200: rightsAnswers.one, ...conflict },
        },
      },
      async (request) =>
        decided(
          await desk.refuse(
            officerOf(request),
            request.params.id,
            request.body.reason,
            request.body.note ?? null,
          ),
        ),
    );
  },
  { name: 'tifli-rights-routes', dependencies: ['tifli-officer-auth'] },
);
