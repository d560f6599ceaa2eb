import { ActivityTypes, type BotAdapter } from 'botbuilder-core';
import type { AlertStore } from '../../app/ports/alertStore.js';
import type { AlertSender } from '../../app/ports/notifier.js';
import type { PhotoStore } from '../../app/ports/photoStore.js';
import type { Alert } from '../../core/alert/alert.js';
import { alertMessage, closingMessage } from '../../core/alert/composeAlert.js';
import type { Delivery } from '../../core/alert/delivery.js';
import type { Translator } from '../../core/i18n/translator.js';
import { type Language, languageSchema } from '../../core/nlu/language.js';
import type { AlertTemplate } from './alertTemplate.js';
import { conversationReferenceFor } from './messageActivity.js';

/** Meta's range for a utility message's time to live: 30 s to 12 h. */
const TTL_MIN_S = 30;
const TTL_MAX_S = 12 * 3600;

interface Prepared {
  alert: Alert;
  /** The photo as a data URL attachment, read once per alert. */
  photo: { contentType: string; contentUrl: string } | null;
}

/** Seconds until `until`, within Meta's range; the range's top when there is no end. */
function ttlSeconds(until: Date | null, now: Date): number {
  if (!until) return TTL_MAX_S;
  const seconds = Math.floor((until.getTime() - now.getTime()) / 1000);
  return Math.min(TTL_MAX_S, Math.max(TTL_MIN_S, seconds));
}

/**
 * Sends outbox entries through the channel adapters (WhatsApp, the dev
 * channel): the alert in the recipient's language with the photo, or the
 * closing message. The entry's `_id` travels as `channelData.idempotencyKey`,
 * which channels use to deliver once, and `channelData.alertTemplate` says
 * which approved template carries it where only a template may be sent
 * (the Cloud API outside the 24 h window). The channel's message id comes back.
 */
export class ChannelAlertSender implements AlertSender {
  private readonly prepared = new Map<string, Promise<Prepared>>();

  constructor(
    private readonly deps: {
      alerts: Pick<AlertStore, 'get'>;
      photos: PhotoStore;
      channels: ReadonlyMap<string, BotAdapter>;
      translator: Translator;
      clock?: () => Date;
    },
  ) {}

  async send(delivery: Delivery): Promise<{ channelMessageId?: string }> {
    const adapter = this.deps.channels.get(delivery.channel);
    if (!adapter) throw new Error(`no adapter for channel ${delivery.channel}`);
    const { alert, photo } = await this.prepare(delivery);
    const language: Language = languageSchema.catch('ar').parse(delivery.language);
    const text =
      delivery.kind === 'alert'
        ? alertMessage(alert.texts, language, {
            translator: this.deps.translator,
            abductionSuspected: alert.abductionSuspected,
            reference: alert.caseReference,
            stage: delivery.stage,
          })
        : closingMessage(
            alert.content,
            alert.endReason ?? 'expired',
            language,
            this.deps.translator,
          );
    const now = this.deps.clock?.() ?? new Date();
    const alertTemplate: AlertTemplate = {
      kind: delivery.kind === 'closing' ? 'closing' : delivery.stage > 0 ? 'widening' : 'alert',
      language,
      // Only the public projection: the officer-approved text and the case reference.
      parameters:
        delivery.kind === 'closing' ? [text] : [alert.texts[language], alert.caseReference],
      ttlSeconds: ttlSeconds(delivery.kind === 'closing' ? null : alert.expiresAt, now),
      ...(delivery.kind === 'alert' && photo && alert.photoId
        ? { photo: { photoId: alert.photoId, mimeType: photo.contentType } }
        : {}),
    };
    let channelMessageId: string | undefined;
    await adapter.continueConversation(
      conversationReferenceFor(delivery.channel, delivery.address),
      async (context) => {
        const sent = await context.sendActivity({
          type: ActivityTypes.Message,
          locale: language,
          // botbuilder drops an outgoing activity's id; channelData travels.
          channelData: { idempotencyKey: delivery._id, alertTemplate },
          text,
          ...(delivery.kind === 'alert' && photo ? { attachments: [photo] } : {}),
        });
        if (sent?.id) channelMessageId = sent.id;
      },
    );
    return channelMessageId ? { channelMessageId } : {};
  }

  /** The alert (re-read once it has ended, for the closing message's reason) and its photo. */
  private prepare(delivery: Delivery): Promise<Prepared> {
    // Closings are cached apart: they need the alert as it ended, with its reason.
    const cacheKey = `${delivery.alertId}:${delivery.kind}`;
    const cached = this.prepared.get(cacheKey);
    if (cached) return cached;
    const loading = (async (): Promise<Prepared> => {
      const alert = await this.deps.alerts.get(delivery.alertId);
      if (!alert) throw new Error('outbox entry of an unknown alert');
      if (delivery.kind === 'closing' && alert.state !== 'ended')
        throw new Error('closing message of an alert that has not ended');
      const stored =
        alert.photoId && alert.state === 'active'
          ? await this.deps.photos.load(alert.photoId)
          : null;
      const photo = stored
        ? {
            contentType: stored.mimeType,
            contentUrl: `data:${stored.mimeType};base64,${stored.data.toString('base64')}`,
          }
        : null;
      return { alert, photo };
    })();
    // A failed read is not remembered: the next entry tries again.
    loading.catch(() => this.prepared.delete(cacheKey));
    this.prepared.set(cacheKey, loading);
    return loading;
  }
}
