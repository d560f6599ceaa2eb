import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AuditTrail } from '../../../app/ports/auditTrail.js';
import type { CaseStore } from '../../../app/ports/caseStore.js';
import type { Clock } from '../../../app/ports/clock.js';
import type { Events } from '../../../app/ports/events.js';
import type { Notifier } from '../../../app/ports/notifier.js';
import type { OfficerStore } from '../../../app/ports/officerStore.js';
import type { PhotoStore } from '../../../app/ports/photoStore.js';
import { FAMILY_TALKS_TO_OFFICER, type TransitionName } from '../../../core/case/caseLifecycle.js';
import type { StoredCase, TransitionResult } from '../../../core/case/storedCase.js';
import { key, raw } from '../../../core/conversation/text.js';
import { AppError, channelErrorSummary } from '../../../core/errors.js';
import { canAccessRegion, isSupervisor } from '../../../core/officer.js';
import type { Logger } from '../../../logger.js';
import { errorResponses, OFFICER_ERRORS } from '../errorAnswer.js';
import { sendImage } from '../sendImage.js';
import { caseDetail, caseSummary } from './casePresenter.js';
import { caseAnswers, caseBodies, caseParams, noBody, queueQuery } from './caseSchemas.js';
import { officerOf } from './officerAuth.js';

export interface CaseRoutesOptions {
  cases: CaseStore;
  officers: OfficerStore;
  photos: PhotoStore;
  audit: AuditTrail;
  notifier: Notifier;
  events: Events;
  clock: Clock;
  logger: Logger;
  /** A resolved case's open alert ends ("the child has been found"). */
  onResolved?: (caseId: string, by: string) => Promise<void>;
}

/** The officer API on cases (docs/officerApi.md). */
export const caseRoutes = fp(
  async (fastify: FastifyInstance, options: CaseRoutesOptions) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const { cases, notifier, events, clock } = options;
    // Before validation: without a session or CSRF token, the body is not even read.
    const guard = { preValidation: app.requireOfficer };
    const tags = ['cases'];
    const security = [{ session: [] }];
    const errors = errorResponses(...OFFICER_ERRORS);
    const conflict = errorResponses(...OFFICER_ERRORS, 409);

    /** The case, if this officer may see it; otherwise the same 404 as a case that does not exist. */
    async function authorizedCase(request: FastifyRequest, id: string): Promise<StoredCase> {
      const officer = officerOf(request);
      const found = await cases.get(id);
      if (!found || !canAccessRegion(officer, found.region)) {
        request.log.warn(
          { officer: officer.username, caseId: id, found: Boolean(found) },
          'case access refused',
        );
        throw new AppError('not_found', 'no such case for this officer');
      }
      return found;
    }

    const family = (c: StoredCase) => ({
      channel: c.channel,
      address: c.reporter.address,
      language: c.language,
    });
    const tell = async (
      c: StoredCase,
      name: string,
      params: Record<string, string> = {},
      reasonKey?: string,
    ): Promise<boolean> => {
      const values = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, raw(v)]));
      try {
        await notifier.send(
          family(c),
          key(`common:officer.${name}`, {
            reference: raw(c.reference),
            ...values,
            ...(reasonKey ? { reason: key(reasonKey) } : {}),
          }),
        );
        return true;
      } catch (error) {
        // The action stands (it is stored); the officer is told the family was not reached.
        options.logger.error(
          { ...channelErrorSummary(error), caseId: c._id },
          'family notification failed',
        );
        return false;
      }
    };

    const finish = (result: TransitionResult) => {
      if (!result.ok) throw new AppError(result.reason, `transition refused: ${result.reason}`);
      events.publish({ type: 'updated', caseId: result.case._id, region: result.case.region });
      return { case: caseDetail(result.case, clock.now()) };
    };

    const transition = async (
      request: FastifyRequest,
      id: string,
      name: TransitionName,
      set: Record<string, unknown> = {},
    ) => {
      const found = await authorizedCase(request, id);
      return cases.transition(found._id, name, officerOf(request).username, clock.now(), set);
    };

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
        const { status } = request.query;
        const officer = officerOf(request);
        const list = await cases.queue([status], officer.role === 'admin' ? null : officer.region);
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
      async (request) => {
        const found = await authorizedCase(request, request.params.id);
        await cases.recordView(found._id, officerOf(request).username, clock.now(), 'case');
        return { case: caseDetail(found, clock.now()) };
      },
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
        const found = await authorizedCase(request, request.params.id);
        const photo = found.child.photoId ? await options.photos.load(found.child.photoId) : null;
        if (!photo) throw new AppError('not_found', 'no photo');
        await cases.recordView(found._id, officerOf(request).username, clock.now(), 'photo');
        return sendImage(reply, photo, 'officers');
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
      async (request) => {
        const result = await transition(request, request.params.id, 'claim', {
          assignedTo: officerOf(request).username,
        });
        const response = finish(result);
        if (result.ok) await tell(result.case, 'claimed');
        return response;
      },
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
      async (request) =>
        finish(await transition(request, request.params.id, 'release', { assignedTo: null })),
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
      async (request) => {
        const officer = officerOf(request);
        const body = request.body;
        const found = await authorizedCase(request, request.params.id);
        if (!isSupervisor(officer)) {
          request.log.warn(
            { officer: officer.username, caseId: found._id },
            'reassign refused: role',
          );
          throw new AppError('not_found', 'reassign needs a supervisor');
        }
        const target = await options.officers.find(body.username);
        if (!target || !canAccessRegion(target, found.region))
          throw new AppError('bad_request', 'no such officer here');
        const updated = await cases.update(
          found._id,
          { assignedTo: target.username },
          { by: officer.username, action: 'case.reassigned', now: clock.now() },
        );
        if (!updated) throw new AppError('not_found', 'case vanished');
        events.publish({ type: 'updated', caseId: found._id, region: found.region });
        return { case: caseDetail(updated, clock.now()) };
      },
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
      async (request) => {
        const body = request.body;
        const found = await authorizedCase(request, request.params.id);
        const updated = await cases.update(found._id, body, {
          by: officerOf(request).username,
          action: 'case.completed',
          now: clock.now(),
        });
        if (!updated) throw new AppError('not_found', 'case vanished');
        events.publish({ type: 'updated', caseId: found._id, region: found.region });
        return { case: caseDetail(updated, clock.now()) };
      },
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
        const body = request.body;
        const found = await authorizedCase(request, request.params.id);
        if (!FAMILY_TALKS_TO_OFFICER.includes(found.status))
          throw new AppError('conflict', 'claim the case first');
        const message = {
          id: randomUUID(),
          from: 'officer' as const,
          text: body.text,
          at: clock.now(),
          officer: officerOf(request).username,
        };
        await cases.addMessage(found._id, message);
        // Stored first, then sent: a failed delivery is reported, never retried into a duplicate.
        const delivered = await tell(found, 'message', { text: body.text });
        events.publish({ type: 'message', caseId: found._id, region: found.region });
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
        const body = request.body;
        const found = await authorizedCase(request, request.params.id);
        const note = {
          id: randomUUID(),
          text: body.text,
          at: clock.now(),
          officer: officerOf(request).username,
        };
        await cases.addNote(found._id, note);
        events.publish({ type: 'updated', caseId: found._id, region: found.region });
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
      async (request) => {
        const body = request.body;
        const by = officerOf(request).username;
        const result = await transition(request, request.params.id, 'confirm', {
          confirmation: { checklist: body.checklist, by, at: clock.now() },
        });
        const response = finish(result);
        if (result.ok) await tell(result.case, 'confirmed');
        return response;
      },
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
      async (request) => {
        const body = request.body;
        const by = officerOf(request).username;
        const result = await transition(request, request.params.id, 'reject', {
          closure: { reason: body.reason, by, at: clock.now() },
        });
        const response = finish(result);
        if (result.ok) await tell(result.case, 'rejected', {}, `common:reasons.${body.reason}`);
        return response;
      },
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
      async (request) => {
        const body = request.body;
        const by = officerOf(request).username;
        const result = await transition(request, request.params.id, 'resolve', {
          closure: { reason: body.reason, by, at: clock.now() },
        });
        const response = finish(result);
        if (result.ok) {
          await options.onResolved?.(result.case._id, by);
          await tell(result.case, 'resolved', {}, `common:reasons.${body.reason}`);
        }
        return response;
      },
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
        const officer = officerOf(request);
        const found = await authorizedCase(request, request.params.id);
        if (!isSupervisor(officer)) {
          request.log.warn(
            { officer: officer.username, caseId: found._id },
            'audit read refused: role',
          );
          throw new AppError('not_found', 'audit needs a supervisor');
        }
        return { entries: await options.audit.forCase(found._id) };
      },
    );
  },
  { name: 'tifli-case-routes', dependencies: ['tifli-officer-auth'] },
);
