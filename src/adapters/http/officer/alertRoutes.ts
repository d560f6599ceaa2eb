import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AlertCommands } from '../../../app/alerts/alertCommands.js';
import type { AlertProgress } from '../../../app/alerts/alertProgress.js';
import type { AlertReach } from '../../../app/alerts/alertReach.js';
import type { BroadcastHalt } from '../../../app/alerts/broadcastWorker.js';
import type { AlertDocuments } from '../../../app/ports/alertDocuments.js';
import type { AlertStore } from '../../../app/ports/alertStore.js';
import type { CaseStore } from '../../../app/ports/caseStore.js';
import type { Clock } from '../../../app/ports/clock.js';
import type { PhotoStore } from '../../../app/ports/photoStore.js';
import type { SightingReader } from '../../../app/ports/sightings.js';
import { type Alert, stageAt } from '../../../core/alert/alert.js';
import type { DeliveryProgress } from '../../../core/alert/delivery.js';
import type { StoredCase } from '../../../core/case/storedCase.js';
import { AppError } from '../../../core/errors.js';
import { canAccessRegion, isSupervisor } from '../../../core/officer.js';
import type { Sighting } from '../../../core/sighting.js';
import { errorResponses, OFFICER_ERRORS } from '../errorAnswer.js';
import { sendImage } from '../sendImage.js';
import { alertAnswers, alertBodies, alertParams, sightingPhotoParams } from './alertSchemas.js';
import { caseParams, noBody } from './caseSchemas.js';
import { officerOf } from './officerAuth.js';

export interface AlertRoutesOptions {
  service: AlertCommands;
  progress: Pick<AlertProgress, 'of'>;
  /** How many recipients an alert's first 24 h can reach (the approval screen). */
  reach: Pick<AlertReach, 'of'>;
  /** Why this instance's broadcast stopped, if it did (shown on the active alerts). */
  broadcastHalt: () => BroadcastHalt | null;
  alerts: Pick<AlertStore, 'get' | 'forCase'>;
  cases: CaseStore;
  photos: PhotoStore;
  sightings: SightingReader;
  documents: Pick<AlertDocuments, 'poster' | 'capUrl' | 'photoUrl'>;
  clock: Clock;
}

/** An alert as the console shows it. */
export function alertView(
  alert: Alert,
  progress: DeliveryProgress,
  now: Date,
  documents: Pick<AlertDocuments, 'capUrl' | 'photoUrl'>,
  halt: BroadcastHalt | null = null,
) {
  const id = encodeURIComponent(alert._id);
  return {
    id: alert._id,
    caseId: alert.caseId,
    caseReference: alert.caseReference,
    state: alert.state,
    endReason: alert.endReason,
    centre: alert.centre,
    stages: alert.stages,
    currentStage: alert.state === 'active' ? stageAt(alert, now) : -1,
    windowHours: alert.windowHours,
    proposedBy: alert.proposedBy,
    proposedAt: alert.proposedAt,
    approvedBy: alert.approvedBy,
    approvedAt: alert.approvedAt,
    expiresAt: alert.expiresAt,
    endedAt: alert.endedAt,
    texts: alert.texts,
    content: alert.content,
    abductionSuspected: alert.abductionSuspected,
    photoUrl: alert.photoId && alert.state === 'active' ? documents.photoUrl(alert._id) : null,
    capUrl: alert.cap.length > 0 ? documents.capUrl(alert._id) : null,
    posterUrl: `/api/alerts/${id}/poster.png`,
    reachUrl: `/api/alerts/${id}/reach`,
    progress,
    // Only an alert still sending is held up by a stopped broadcast.
    broadcastHalt: alert.state === 'active' || progress.queued > 0 ? halt : null,
  };
}

/** A sighting as the console shows it: the number only if the citizen agreed to a call. */
export function sightingView(sighting: Sighting) {
  return {
    id: sighting._id,
    alertId: sighting.alertId,
    seenAt: sighting.seenAt,
    place: sighting.place,
    distanceKm: sighting.distanceKm,
    description: sighting.description,
    photoUrl: sighting.photoId
      ? `/api/cases/${encodeURIComponent(sighting.caseId)}/sightings/${encodeURIComponent(sighting._id)}/photo`
      : null,
    callBack: sighting.mayCallBack ? sighting.address : null,
    flagged: sighting.flagged,
    createdAt: sighting.createdAt,
  };
}

/** The officer API on alerts and sightings (docs/alertsApi.md). */
export const alertRoutes = fp(
  async (fastify: FastifyInstance, options: AlertRoutesOptions) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const { service, alerts, cases, clock, documents } = options;
    // Before validation: without a session or CSRF token, the body is not even read.
    const guard = { preValidation: app.requireOfficer };
    const security = [{ session: [] }];
    const errors = errorResponses(...OFFICER_ERRORS);
    const conflict = errorResponses(...OFFICER_ERRORS, 409);

    async function authorizedCase(request: FastifyRequest, id: string): Promise<StoredCase> {
      const officer = officerOf(request);
      const found = await cases.get(id);
      if (!found || !canAccessRegion(officer, found.region)) {
        request.log.warn({ officer: officer.username, caseId: id }, 'case access refused');
        throw new AppError('not_found', 'no such case for this officer');
      }
      return found;
    }

    async function authorizedAlert(request: FastifyRequest, id: string): Promise<Alert> {
      const officer = officerOf(request);
      const found = await alerts.get(id);
      if (!found || !canAccessRegion(officer, found.region)) {
        request.log.warn({ officer: officer.username, alertId: id }, 'alert access refused');
        throw new AppError('not_found', 'no such alert for this officer');
      }
      return found;
    }

    const view = async (alert: Alert) =>
      alertView(
        alert,
        await options.progress.of(alert),
        clock.now(),
        documents,
        options.broadcastHalt(),
      );

    app.post(
      '/api/cases/:id/alerts/preview',
      {
        ...guard,
        schema: {
          summary:
            'The alert texts (ar, fr, ary) from the public projection, the default centre and stages; nothing is stored',
          tags: ['alerts'],
          security,
          params: caseParams,
          body: noBody,
          response: { 200: alertAnswers.preview, ...errors },
        },
      },
      async (request) => {
        const found = await authorizedCase(request, request.params.id);
        return service.preview(found);
      },
    );

    app.post(
      '/api/cases/:id/alerts',
      {
        ...guard,
        schema: {
          summary:
            'Propose an alert for a confirmed case (texts edited by the officer, centre, stages, window)',
          tags: ['alerts'],
          security,
          params: caseParams,
          body: alertBodies.propose,
          response: { 201: alertAnswers.alert, ...conflict },
        },
      },
      async (request, reply) => {
        const body = request.body ?? {};
        const found = await authorizedCase(request, request.params.id);
        const alert = await service.propose(found, officerOf(request), body);
        return reply.status(201).send({ alert: await view(alert) });
      },
    );

    app.get(
      '/api/cases/:id/alerts',
      {
        ...guard,
        schema: {
          summary: "The case's alerts, newest first",
          tags: ['alerts'],
          security,
          params: caseParams,
          response: { 200: alertAnswers.alerts, ...errors },
        },
      },
      async (request) => {
        const found = await authorizedCase(request, request.params.id);
        const list = await alerts.forCase(found._id);
        return { alerts: await Promise.all(list.map(view)) };
      },
    );

    app.get(
      '/api/alerts/:id',
      {
        ...guard,
        schema: {
          summary: 'An alert with its broadcast progress',
          tags: ['alerts'],
          security,
          params: alertParams,
          response: { 200: alertAnswers.alert, ...errors },
        },
      },
      async (request) => ({
        alert: await view(await authorizedAlert(request, request.params.id)),
      }),
    );

    app.get(
      '/api/alerts/:id/reach',
      {
        ...guard,
        schema: {
          summary:
            "How many recipients the alert's first 24 h can reach: its audience, bounded by the channel's messaging limit",
          tags: ['alerts'],
          security,
          params: alertParams,
          response: { 200: alertAnswers.reach, ...errors },
        },
      },
      async (request) => ({
        reach: await options.reach.of(await authorizedAlert(request, request.params.id)),
      }),
    );

    app.post(
      '/api/alerts/:id/approve',
      {
        ...guard,
        schema: {
          summary: 'Approve and broadcast (a supervisor other than the proposer)',
          tags: ['alerts'],
          security,
          params: alertParams,
          body: noBody,
          response: { 200: alertAnswers.alert, ...conflict },
        },
      },
      async (request) => {
        const officer = officerOf(request);
        const alert = await authorizedAlert(request, request.params.id);
        if (!isSupervisor(officer)) {
          request.log.warn({ officer: officer.username, alertId: alert._id }, 'approve refused');
          throw new AppError('not_found', 'approval needs a supervisor');
        }
        return { alert: await view(await service.approve(alert, officer)) };
      },
    );

    app.post(
      '/api/alerts/:id/cancel',
      {
        ...guard,
        schema: {
          summary: 'Cancel a proposed or active alert (recipients get the closing message)',
          tags: ['alerts'],
          security,
          params: alertParams,
          body: noBody,
          response: { 200: alertAnswers.alert, ...conflict },
        },
      },
      async (request) => {
        const alert = await authorizedAlert(request, request.params.id);
        return { alert: await view(await service.cancel(alert, officerOf(request))) };
      },
    );

    app.post(
      '/api/alerts/:id/extend',
      {
        ...guard,
        schema: {
          summary: 'Extend an active alert (supervisor), up to the maximum',
          tags: ['alerts'],
          security,
          params: alertParams,
          body: alertBodies.extend,
          response: { 200: alertAnswers.alert, ...conflict },
        },
      },
      async (request) => {
        const body = request.body;
        const officer = officerOf(request);
        const alert = await authorizedAlert(request, request.params.id);
        if (!isSupervisor(officer)) throw new AppError('not_found', 'extension needs a supervisor');
        return { alert: await view(await service.extend(alert, officer, body.hours)) };
      },
    );

    app.get(
      '/api/alerts/:id/poster.png',
      {
        ...guard,
        schema: {
          summary: 'The poster (PNG, ar + fr)',
          tags: ['alerts'],
          security,
          params: alertParams,
        },
      },
      async (request, reply) => {
        const alert = await authorizedAlert(request, request.params.id);
        const photo = alert.photoId ? await options.photos.load(alert.photoId) : null;
        const png = await documents.poster({
          content: alert.content,
          caseReference: alert.caseReference,
          abductionSuspected: alert.abductionSuspected,
          photo,
        });
        await cases.recordView(alert.caseId, officerOf(request).username, clock.now(), 'photo');
        return reply
          .header('content-type', 'image/png')
          .header('cache-control', 'private, no-store')
          .header(
            'content-disposition',
            `inline; filename="alerte-${alert.caseReference.replace(/[^A-Za-z0-9-]/g, '')}.png"`,
          )
          .send(png);
      },
    );

    app.get(
      '/api/cases/:id/sightings',
      {
        ...guard,
        schema: {
          summary: "The case's sightings, newest first, with the distance from the place last seen",
          tags: ['sightings'],
          security,
          params: caseParams,
          response: { 200: alertAnswers.sightings, ...errors },
        },
      },
      async (request) => {
        const found = await authorizedCase(request, request.params.id);
        const list = await options.sightings.forCase(found._id);
        return { sightings: list.map(sightingView) };
      },
    );

    app.get(
      '/api/cases/:id/sightings/:sightingId/photo',
      {
        ...guard,
        schema: {
          summary: "A sighting's photo (the image bytes; officers only)",
          tags: ['sightings'],
          security,
          params: sightingPhotoParams,
        },
      },
      async (request, reply) => {
        const { id, sightingId } = request.params;
        const found = await authorizedCase(request, id);
        const sighting = (await options.sightings.forCase(found._id)).find(
          (s) => s._id === sightingId,
        );
        const photo = sighting?.photoId ? await options.photos.load(sighting.photoId) : null;
        if (!photo) throw new AppError('not_found', 'no photo');
        return sendImage(reply, photo, 'officers');
      },
    );
  },
  { name: 'tifli-alert-routes', dependencies: ['tifli-officer-auth'] },
);
