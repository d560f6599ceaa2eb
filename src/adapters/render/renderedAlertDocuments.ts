import type { AlertDocuments, CapPhoto, PosterInput } from '../../app/ports/alertDocuments.js';
import type { Alert, CapRecord } from '../../core/alert/alert.js';
import type { Translator } from '../../core/i18n/translator.js';
import { ATOM_MEDIA_TYPE, atomFeed } from './atomFeed.js';
import { alertPhotoUrl, CAP_MEDIA_TYPE, capMessage, capUrl } from './capMessage.js';
import type { PosterRenderer } from './poster.js';

/** The alert's public documents as this folder renders them: CAP XML, Atom, a Chromium poster. */
export class RenderedAlertDocuments implements AlertDocuments {
  readonly capMediaType = CAP_MEDIA_TYPE;
  readonly feedMediaType = ATOM_MEDIA_TYPE;

  constructor(
    private readonly options: {
      baseUrl: string;
      capSender: string;
      translator: Translator;
      posters: PosterRenderer;
    },
  ) {}

  cap(alert: Alert, record: CapRecord, photo?: CapPhoto): string {
    const { baseUrl, capSender, translator } = this.options;
    return capMessage(alert, record, {
      baseUrl,
      sender: capSender,
      translator,
      ...(photo ? { photo } : {}),
    });
  }

  feed(alerts: readonly Alert[], updated: Date): string {
    const { baseUrl, translator } = this.options;
    return atomFeed(alerts, { baseUrl, translator, updated });
  }

  poster(input: PosterInput): Promise<Buffer> {
    return this.options.posters.render(input);
  }

  capUrl(alertId: string): string {
    return capUrl(this.options.baseUrl, alertId);
  }

  photoUrl(alertId: string): string {
    return alertPhotoUrl(this.options.baseUrl, alertId);
  }
}
