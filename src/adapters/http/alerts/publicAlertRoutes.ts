import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { AlertStore } from '../../../app/ports/alertStore.js';
import type { Clock } from '../../../app/ports/clock.js';
import type { PhotoStore } from '../../../app/ports/photoStore.js';
import { AppError } from '../../../core/errors.js';
import type { Translator } from '../../../core/i18n/translator.js';
import { ATOM_MEDIA_TYPE, atomFeed } from '../../render/atomFeed.js';
import { CAP_MEDIA_TYPE, type CapPhoto, capMessage } from '../../render/capMessage.js';
import { sendImage } from '../sendImage.js';

export interface PublicAlertRoutesOptions {
  alerts: Pick<AlertStore, 'get' | 'open'>;
  photos: PhotoStore;
  translator: Translator;
  clock: Clock;
  baseUrl: string;
  capSender: string;
}

const capFile = z.strictObject({ file: z.string().regex(/^[0-9a-f-]{36}\.cap$/i) });
const idParams = z.strictObject({ id: z.string().regex(/^[0-9a-f-]{36}$/i) });

/**
 * What the public may read: the CAP 1.2 message of an approved alert, the
 * Atom feed of active alerts, and the child's photo while the alert is live.
 * Nothing here needs a session; nothing here is more than the public projection.
 */
export const publicAlertRoutes = fp(
  async (app: FastifyInstance, options: PublicAlertRoutesOptions) => {
    const { alerts, photos, translator, clock, baseUrl, capSender } = options;

    app.get('/alerts/feed.xml', async (_request, reply) => {
      const open = await alerts.open();
      return reply
        .header('content-type', `${ATOM_MEDIA_TYPE}; charset=utf-8`)
        .header('cache-control', 'public, max-age=60')
        .send(atomFeed(open, { baseUrl, translator, updated: clock.now() }));
    });

    app.get('/alerts/:file', async (request, reply) => {
      const { file } = capFile.parse(request.params);
      const alert = await alerts.get(file.slice(0, -'.cap'.length));
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
      const xml = capMessage(alert, latest, {
        baseUrl,
        sender: capSender,
        translator,
        ...(photo ? { photo } : {}),
      });
      return reply
        .header('content-type', `${CAP_MEDIA_TYPE}; charset=utf-8`)
        .header('cache-control', 'public, max-age=30')
        .send(xml);
    });

    app.get('/alerts/:id/photo', async (request, reply) => {
      const { id } = idParams.parse(request.params);
      const alert = await alerts.get(id);
      // Served only while the alert is live: after it ends the child's photo is no longer public.
      if (alert?.state !== 'active' || !alert.photoId)
        throw new AppError('not_found', 'no public photo');
      const photo = await photos.load(alert.photoId);
      if (!photo) throw new AppError('not_found', 'no public photo');
      return sendImage(reply, photo, 'public');
    });
  },
  { name: 'tifli-public-alert-routes', dependencies: ['tifli-error-handler'] },
);
