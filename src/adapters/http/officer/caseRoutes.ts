import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { CaseActions, CaseOutcome, CaseRefusal } from '../../../app/cases/caseActions.js';
import type { Clock } from '../../../app/ports/clock.js';
import type { StoredCase } from '../../../core/case/storedCase.js';
import { AppError } from '../../../core/errors.js';
import { errorResponses, OFFICER_ERRORS } from '../errorAnswer.js';
import { sendImage } from '../sendImage.js';
import { caseDetail, caseSummary } from './casePresenter.js';
import {
  caseAnswers,
  caseAudioParams,
  caseBodies,
  caseParams,
  noBody,
  queueQuery,
} from './caseSchemas.js';
import { officerOf } from './officerAuth.js';

export interface CaseRoutesOptions {
  actions: CaseActions;
  /** The time the answers are presented at (waiting times, deadlines). */
  clock: Clock;
}

/** The HTTP answer of each refusal; another region's case is the same 404 as a missing one. */
function refused(reason: CaseRefusal): AppError {
  switch (reason) {
    case 'not_found':
      return new AppError('not_found', 'no such case for this officer');
    case 'conflict':
      return new AppError('conflict', 'the case does not allow this now');
    case 'unknown_officer':
      return new AppError('bad_request', 'no such officer here');
    case 'incomplete_checklist':
      return new AppError('bad_request', 'every item of the checklist must be ticked');
    default: {
      const unknown: never = reason;
      throw new Error(`unhandled refusal ${String(unknown)}`);
    }
  }
}

/** What the action produced, or the refusal thrown as the error handler's answer. */
function accepted<T>(outcome: CaseOutcome<T>): T {
  if (!outcome.ok) throw refused(outcome.reason);
  return outcome;
}

/** The officer API on cases (docs/officerApi.md): parse, call the case actions, present. */
export const caseRoutes = fp(
  async (fastify: FastifyInstance, options: CaseRoutesOptions) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const { actions, clock } = options;
    // Before validation: without a session or CSRF token, the body is not even read.
    const guard = { preValidation: app.requireOfficer };
    const tags = ['cases'];
    const security = [{ session: [] }];
    const errors = errorResponses(...OFFICER_ERRORS);
    const conflict = errorResponses(...OFFICER_ERRORS, 409);
    const present = (outcome: CaseOutcome<{ case: StoredCase }>) => ({
      case: caseDetail(accepted(outcome).case, clock.now()),
    });

    app.get(
      '/api/cases',
      {
        ...guard,
        schema: {
          summary: 'The queue of open cases, by priority then waiting time',
          tags,
          security,
          querystring: queueQuery,
          response: { 200: caseAnswers.queue, ...errors },
        },
      },
      async (request) => {
        const list = await actions.openCases(
          officerOf(request),
          request.query.status,
          request.query.queue,
        );
        const now = clock.now();
        return { cases: list.map((c) => caseSummary(c, now)) };
      },
    );

    app.get(
      '/api/cases/:id',
      {
        ...guard,
        schema: {
          summary: 'A whole case (the view is audited)',
          tags,
          security,
          params: caseParams,
          response: { 200: caseAnswers.case, ...errors },
        },
      },
      async (request) => present(await actions.viewCase(officerOf(request), request.params.id)),
    );

    app.get(
      '/api/cases/:id/photo',
      {
        ...guard,
        schema: {
          summary: "The child's photo (the image bytes; officers only, audited)",
          tags,
          security,
          params: caseParams,
        },
      },
      async (request, reply) => {
        const { photo } = accepted(await actions.viewPhoto(officerOf(request), request.params.id));
        return sendImage(reply, photo, 'officers');
      },
    );

    app.get(
      '/api/cases/:id/audio/:audioId',
      {
        ...guard,
        schema: {
          summary:
            'A voice note of the case, an answer or a message from the family (the audio bytes; officers only, audited)',
          tags,
          security,
          params: caseAudioParams,
        },
      },
      async (request, reply) => {
        const { id, audioId } = request.params;
        const { audio } = accepted(await actions.listenToAudio(officerOf(request), id, audioId));
        // The same headers as a case photo: its stored type, never sniffed, never cached.
        return sendImage(reply, audio, 'officers');
      },
    );

    app.post(
      '/api/cases/:id/claim',
      {
        ...guard,
        schema: {
          summary: 'Take the case (atomic: of two officers, one gets it, the other a 409)',
          tags,
          security,
          params: caseParams,
          body: noBody,
          response: { 200: caseAnswers.case, ...conflict },
        },
      },
      async (request) => present(await actions.claimCase(officerOf(request), request.params.id)),
    );

    app.post(
      '/api/cases/:id/release',
      {
        ...guard,
        schema: {
          summary: 'Put the case back in the queue',
          tags,
          security,
          params: caseParams,
          body: noBody,
          response: { 200: caseAnswers.case, ...conflict },
        },
      },
      async (request) => present(await actions.releaseCase(officerOf(request), request.params.id)),
    );

    app.post(
      '/api/cases/:id/reassign',
      {
        ...guard,
        schema: {
          summary: 'Give the case to another officer of its region (supervisor)',
          tags,
          security,
          params: caseParams,
          body: caseBodies.reassign,
          response: { 200: caseAnswers.case, ...errors },
        },
      },
      async (request) =>
        present(
          await actions.reassignCase(officerOf(request), request.params.id, request.body.username),
        ),
    );

    app.post(
      '/api/cases/:id/region',
      {
        ...guard,
        schema: {
          summary:
            'Give a case of the national queue its region (supervisor, admin; audited with the old and new value)',
          tags,
          security,
          params: caseParams,
          body: caseBodies.region,
          response: { 200: caseAnswers.case, ...conflict },
        },
      },
      async (request) =>
        present(
          await actions.setRegion(officerOf(request), request.params.id, request.body.region),
        ),
    );

    app.patch(
      '/api/cases/:id',
      {
        ...guard,
        schema: {
          summary: 'Complete the case (official report number)',
          tags,
          security,
          params: caseParams,
          body: caseBodies.patch,
          response: { 200: caseAnswers.case, ...errors },
        },
      },
      async (request) =>
        present(
          await actions.setReportNumber(
            officerOf(request),
            request.params.id,
            request.body.officialReportNumber,
          ),
        ),
    );

    app.post(
      '/api/cases/:id/messages',
      {
        ...guard,
        schema: {
          summary: 'Write to the family through the bot (stored, then sent)',
          tags,
          security,
          params: caseParams,
          body: caseBodies.message,
          response: { 201: caseAnswers.message, ...conflict },
        },
      },
      async (request, reply) => {
        const { message, delivered } = accepted(
          await actions.messageFamily(officerOf(request), request.params.id, request.body.text),
        );
        return reply.status(201).send({ message, delivered });
      },
    );

    app.post(
      '/api/cases/:id/notes',
      {
        ...guard,
        schema: {
          summary: 'Add an internal note (never shown to the family)',
          tags,
          security,
          params: caseParams,
          body: caseBodies.note,
          response: { 201: caseAnswers.note, ...errors },
        },
      },
      async (request, reply) => {
        const { note } = accepted(
          await actions.addNote(officerOf(request), request.params.id, request.body.text),
        );
        return reply.status(201).send({ note });
      },
    );

    app.post(
      '/api/cases/:id/confirm',
      {
        ...guard,
        schema: {
          summary: 'Confirm the case with the activation checklist (every item true)',
          tags,
          security,
          params: caseParams,
          body: caseBodies.confirm,
          response: { 200: caseAnswers.case, ...conflict },
        },
      },
      async (request) =>
        present(
          await actions.confirmCase(officerOf(request), request.params.id, request.body.checklist),
        ),
    );

    app.post(
      '/api/cases/:id/reject',
      {
        ...guard,
        schema: {
          summary: 'Reject the case with a reason',
          tags,
          security,
          params: caseParams,
          body: caseBodies.reject,
          response: { 200: caseAnswers.case, ...conflict },
        },
      },
      async (request) =>
        present(
          await actions.rejectCase(officerOf(request), request.params.id, request.body.reason),
        ),
    );

    app.post(
      '/api/cases/:id/resolve',
      {
        ...guard,
        schema: {
          summary: 'Close the case: the child is found (an open alert ends)',
          tags,
          security,
          params: caseParams,
          body: caseBodies.resolve,
          response: { 200: caseAnswers.case, ...conflict },
        },
      },
      async (request) =>
        present(
          await actions.resolveCase(officerOf(request), request.params.id, request.body.reason),
        ),
    );

    app.get(
      '/api/cases/:id/audit',
      {
        ...guard,
        schema: {
          summary: "The case's audit trail (supervisor)",
          tags,
          security,
          params: caseParams,
          response: { 200: caseAnswers.audit, ...errors },
        },
      },
      async (request) => {
        const { entries } = accepted(
          await actions.caseAudit(officerOf(request), request.params.id),
        );
        return { entries };
      },
    );
  },
  { name: 'tifli-case-routes', dependencies: ['tifli-officer-auth'] },
);
