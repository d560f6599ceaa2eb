import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { AlertCommands } from '../../../app/alerts/alertCommands.js';
import type { AlertProgress } from '../../../app/alerts/alertProgress.js';
import type { AlertStore } from '../../../app/ports/alertStore.js';
import type { CaseStore } from '../../../app/ports/caseStore.js';
import type { Clock } from '../../../app/ports/clock.js';
import type { PhotoStore } from '../../../app/ports/photoStore.js';
import { type Alert, alertStagesSchema, stageAt } from '../../../core/alert/alert.js';
import type { DeliveryProgress } from '../../../core/alert/delivery.js';
import type { StoredCase } from '../../../core/case/storedCase.js';
import { AppError } from '../../../core/errors.js';
import { canAccessRegion, isSupervisor } from '../../../core/officer.js';
import type { Sighting } from '../../../core/sighting.js';
import { alertPhotoUrl, capUrl } from '../../render/capMessage.js';
import type { PosterRenderer } from '../../render/poster.js';
import { sendImage } from '../sendImage.js';
import { officerOf } from './officerAuth.js';

const alertText = z.string().trim().min(20).max(1500);
/** Request bodies: exactly the fields each action takes. */
export const alertBodies = {
  propose: z.strictObject({
    centre: z
      .strictObject({ lat: z.number().min(20).max(37), lon: z.number().min(-18).max(0) })
      .optional(),
    stages: alertStagesSchema.optional(),
    windowHours: z.number().int().min(1).max(168).optional(),
    texts: z.strictObject({ ar: alertText, fr: alertText, ary: alertText }).optional(),
  }),
  extend: z.strictObject({ hours: z.number().int().min(1).max(24) }),
  empty: z.strictObject({}),
};
const idParams = z.strictObject({ id: z.string().min(1).max(100) });

/** Reads sightings for the console. */
export interface SightingReader {
  forCase(caseId: string): Promise<Sighting[]>;
}

export interface AlertRoutesOptions {
  service: AlertCommands;
  progress: Pick<AlertProgress, 'of'>;
  alerts: Pick<AlertStore, 'get' | 'forCase'>;
  cases: CaseStore;
  photos: PhotoStore;
  sightings: SightingReader;
  poster: PosterRenderer;
  clock: Clock;
  baseUrl: string;
}

/** An alert as the console shows it. */
export function alertView(alert: Alert, progress: DeliveryProgress, now: Date, baseUrl: string) {
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
    photoUrl: alert.photoId && alert.state === 'active' ? alertPhotoUrl(baseUrl, alert._id) : null,
    capUrl: alert.cap.length > 0 ? capUrl(baseUrl, alert._id) : null,
    posterUrl: `/api/alerts/${id}/poster.png`,
    progress,
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
  async (app: FastifyInstance, options: AlertRoutesOptions) => {
    const { service, alerts, cases, clock, baseUrl } = options;
    const guard = { preHandler: app.requireOfficer };

    async function authorizedCase(
      request: FastifyRequest,
      id = idParams.parse(request.params).id,
    ): Promise<StoredCase> {
      const officer = officerOf(request);
      const found = await cases.get(id);
      if (!found || !canAccessRegion(officer, found.region)) {
        request.log.warn({ officer: officer.username, caseId: id }, 'case access refused');
        throw new AppError('not_found', 'no such case for this officer');
      }
      return found;
    }

    async function authorizedAlert(request: FastifyRequest): Promise<Alert> {
      const { id } = idParams.parse(request.params);
      const officer = officerOf(request);
      const found = await alerts.get(id);
      if (!found || !canAccessRegion(officer, found.region)) {
        request.log.warn({ officer: officer.username, alertId: id }, 'alert access refused');
        throw new AppError('not_found', 'no such alert for this officer');
      }
      return found;
    }

    const view = async (alert: Alert) =>
      alertView(alert, await options.progress.of(alert), clock.now(), baseUrl);

    app.post('/api/cases/:id/alerts/preview', guard, async (request) => {
      alertBodies.empty.parse(request.body ?? {});
      const found = await authorizedCase(request);
      return service.preview(found);
    });

    app.post('/api/cases/:id/alerts', guard, async (request, reply) => {
      const body = alertBodies.propose.parse(request.body ?? {});
      const found = await authorizedCase(request);
      const alert = await service.propose(found, officerOf(request), body);
      return reply.status(201).send({ alert: await view(alert) });
    });

    app.get('/api/cases/:id/alerts', guard, async (request) => {
      const found = await authorizedCase(request);
      const list = await alerts.forCase(found._id);
      return { alerts: await Promise.all(list.map(view)) };
    });

    app.get('/api/alerts/:id', guard, async (request) => ({
      alert: await view(await authorizedAlert(request)),
    }));

    app.post('/api/alerts/:id/approve', guard, async (request) => {
      alertBodies.empty.parse(request.body ?? {});
      const officer = officerOf(request);
      const alert = await authorizedAlert(request);
      if (!isSupervisor(officer)) {
        request.log.warn({ officer: officer.username, alertId: alert._id }, 'approve refused');
        throw new AppError('not_found', 'approval needs a supervisor');
      }
      return { alert: await view(await service.approve(alert, officer)) };
    });

    app.post('/api/alerts/:id/cancel', guard, async (request) => {
      alertBodies.empty.parse(request.body ?? {});
      const alert = await authorizedAlert(request);
      return { alert: await view(await service.cancel(alert, officerOf(request))) };
    });

    app.post('/api/alerts/:id/extend', guard, async (request) => {
      const body = alertBodies.extend.parse(request.body);
      const officer = officerOf(request);
      const alert = await authorizedAlert(request);
      if (!isSupervisor(officer)) throw new AppError('not_found', 'extension needs a supervisor');
      return { alert: await view(await service.extend(alert, officer, body.hours)) };
    });

    app.get('/api/alerts/:id/poster.png', guard, async (request, reply) => {
      const alert = await authorizedAlert(request);
      const photo = alert.photoId ? await options.photos.load(alert.photoId) : null;
      const png = await options.poster.render({
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
    });

    app.get('/api/cases/:id/sightings', guard, async (request) => {
      const found = await authorizedCase(request);
      const list = await options.sightings.forCase(found._id);
      return { sightings: list.map(sightingView) };
    });

    app.get('/api/cases/:id/sightings/:sightingId/photo', guard, async (request, reply) => {
      const { id, sightingId } = z
        .strictObject({ id: z.string().min(1).max(100), sightingId: z.string().min(1).max(100) })
        .parse(request.params);
      const found = await authorizedCase(request, id);
      const sighting = (await options.sightings.forCase(found._id)).find(
        (s) => s._id === sightingId,
      );
      const photo = sighting?.photoId ? await options.photos.load(sighting.photoId) : null;
      if (!photo) throw new AppError('not_found', 'no photo');
      return sendImage(reply, photo, 'officers');
    });
  },
  { name: 'tifli-alert-routes', dependencies: ['tifli-officer-auth'] },
);
