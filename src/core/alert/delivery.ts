import type { Language } from '../nlu/language.js';

/** What an outbox entry carries: the alert itself, or the closing message after it ended. */
export type DeliveryKind = 'alert' | 'closing';

/**
 * How an outbox entry ended: `sent`; `skipped` when the number sent STOP
 * meanwhile; `cancelled` when the alert ended before it went out; `failed`
 * when the channel refused it. An entry without a receipt is still queued.
 */
export const RECEIPT_STATES = ['sent', 'skipped', 'cancelled', 'failed'] as const;
export type ReceiptState = (typeof RECEIPT_STATES)[number];

/**
 * One message of one alert to one recipient; its `_id` makes it unique. It is
 * never updated: how it went is a separate receipt, because FerretDB 1.24
 * reads a whole collection for every update (inserts and `_id` reads do not).
 */
export interface Delivery {
  _id: string;
  alertId: string;
  kind: DeliveryKind;
  subscriptionId: string;
  channel: string;
  address: string;
  language: Language;
  stage: number;
  queuedAt: Date;
}

/** The outbox key: one alert (or closing) message per alert and recipient. */
export const deliveryId = (alertId: string, kind: DeliveryKind, subscriptionId: string): string =>
  `${alertId}:${kind}:${subscriptionId}`;

/** Counts of an alert's outbox, for the console. */
export interface DeliveryProgress {
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
  cancelled: number;
  closingSent: number;
}
