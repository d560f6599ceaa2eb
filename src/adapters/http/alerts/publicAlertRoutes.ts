import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AlertDocuments, CapPhoto } from '../../../app/ports/alertDocuments.js';
import type { AlertStore } from '../../../app/ports/alertStore.js';
import type { Clock } from '../../../app/ports/clock.js';
import type { PhotoStore } from '../../../app/ports/photoStore.js';
import { AppError } from '../../../core/errors.js';
import { errorResponses } from '../errorAnswer.js';
import { sendImage } from '../sendImage.js';
import { publicAlertParams } from './publicAlertSchemas.js';

export interface PublicAlertRoutesOptions {
  alerts: Pick<AlertStore, 'get' | 'open'>;
  photos: PhotoStore;
  documents: Pick<AlertDocuments, 'cap' | 'feed' | 'capMediaType' | 'feedMediaType'>;
  clock: Clock;
}

/**
 * What the public may read: the CAP 1.2 message of an approved alert, the
 * Atom feed of active alerts, and the child's photo while the alert is live.
 * Nothing here needs a session; nothing here is more than the public projection.
 */
export const publicAlertRoutes = fp(
  async (fastify: FastifyInstance, options: PublicAlertRoutesOptions) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const { alerts, photos, documents, clock } = options;
    const tags = ['public alerts'];
    // Meant to be shown by other sites (news pages, social networks): not same-origin only.
    const helmet = { crossOriginResourcePolicy: { policy: 'cross-origin' as const } };

    app.get(
      '/alerts/feed.xml',
      {
        helmet,
        schema: { summary: 'Atom feed of the active alerts (application/atom+xml)', tags },
      },
      async (_request, reply) => {
        const open = await alerts.open();
        return reply
          .header('content-type', `${documents.feedMediaType}; charset=utf-8`)
          .header('cache-control', 'public, max-age=60')
          .send(documents.feed(open, clock.now()));
      },
    );

    app.get(
      '/alerts/:id.cap',
      {
        helmet,
        schema: {
          summary:
            "The alert's latest CAP 1.2 message: Alert, Update or Cancel (application/cap+xml)",
          tags,
          params: publicAlertParams,
          response: {
            200: {
              description: 'The CAP 1.2 XML document',
              content: { [documents.capMediaType]: { schema: z.string() } },
            },
            ...errorResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const alert = await alerts.get(request.params.id);
        const latest = alert?.cap.at(-1);
        // A proposed alert has published nothing: it does not exist for the public.
        if (!alert || !latest) throw new AppError('not_found', 'no published alert');
        let photo: CapPhoto | undefined;
        if (alert.photoId && alert.state === 'active') {
          const stored = await photos.load(alert.photoId);
          if (stored) {
            photo = {
              mimeType: stored.mimeType,
              size: stored.data.length,
              digest: createHash('sha1').update(stored.data).digest('hex'),
            };
          }
        }
        const xml = documents.cap(alert, latest, photo);
        return reply
          .header('content-type', `${documents.capMediaType}; charset=utf-8`)
          .header('cache-control', 'public, max-age=30')
          .send(xml);
      },
    );

    app.get(
      '/alerts/:id/photo',
      {
        helmet,
        schema: {
          summary: "The child's photo, only while the alert is active (the image bytes)",
          tags,
          params: publicAlertParams,
          response: { ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const alert = await alerts.get(id);
        // Served only while the alert is live: after it ends the child's photo is no longer public.
        if (alert?.state !== 'active' || !alert.photoId)
          throw new AppError('not_found', 'no public photo');
        const photo = await photos.load(alert.photoId);
        if (!photo) throw new AppError('not_found', 'no public photo');
        return sendImage(reply, photo, 'public');
      },
    );
  },
  { name: 'tifli-public-alert-routes', dependencies: ['tifli-error-handler'] },
);
