import { z } from 'zod';
import { AppError } from '../errors.js';
import { languageSchema } from '../nlu/language.js';

/** What an outbox entry carries: the alert itself, or the closing message after it ended. */
export type DeliveryKind = 'alert' | 'closing';

/**
 * How an outbox entry ended: `sent`; `skipped` when the number sent STOP
 * meanwhile; `cancelled` when the alert ended before it went out; `failed`
 * when the channel refused it. An entry not settled yet is still queued.
 */
export const RECEIPT_STATES = ['sent', 'skipped', 'cancelled', 'failed'] as const;
export type ReceiptState = (typeof RECEIPT_STATES)[number];

/** Where an outbox entry stands: queued until its first outcome, which is kept. */
export const OUTBOX_STATES = ['queued', ...RECEIPT_STATES] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** An outbox entry as a store reads it back: parsed, never trusted. */
export const deliverySchema = z.object({
  _id: z.string(),
  alertId: z.string(),
  kind: z.enum(['alert', 'closing']),
  subscriptionId: z.string(),
  channel: z.string(),
  address: z.string(),
  language: languageSchema,
  stage: z.number().int().min(0),
  queuedAt: z.coerce.date(),
});

/** An outbox entry as read back; one that does not parse is an error, never sent. */
export function parseStoredDelivery(document: unknown): Delivery {
  const parsed = deliverySchema.safeParse(document);
  if (!parsed.success) throw new AppError('internal', 'a stored outbox entry does not parse');
  return parsed.data;
}
/** One message of one alert to one recipient; its `_id` (`deliveryId`) makes it unique. */
export type Delivery = z.infer<typeof deliverySchema>;

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

/**
 * The console's counts from an outbox's counts by kind and state. Once the
 * alert has ended, what is still queued will never go out: it counts as cancelled.
 */
export function countProgress(
  rows: ReadonlyArray<{ kind: DeliveryKind; state: OutboxState; count: number }>,
  ended: boolean,
): DeliveryProgress {
  const progress: DeliveryProgress = {
    queued: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
    closingSent: 0,
  };
  for (const row of rows) {
    if (row.kind === 'closing') {
      if (row.state === 'sent') progress.closingSent += row.count;
      continue;
    }
    switch (row.state) {
      case 'queued':
        progress.queued += row.count;
        break;
      case 'sent':
        progress.sent += row.count;
        break;
      case 'failed':
        progress.failed += row.count;
        break;
      case 'skipped':
        progress.skipped += row.count;
        break;
      case 'cancelled':
        progress.cancelled += row.count;
        break;
      default: {
        const unreachable: never = row.state;
        throw new Error(`unknown outbox state ${String(unreachable)}`);
      }
    }
  }
  if (ended) {
    progress.cancelled += progress.queued;
    progress.queued = 0;
  }
  return progress;
}
