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

/**
 * What the channel said of a message it accepted, later (WhatsApp's statuses).
 * `failed` is a failure after the message was accepted (outside the 24 h
 * window, the number not on WhatsApp…).
 */
export const CHANNEL_STATUSES = ['delivered', 'read', 'failed'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

/**
 * How far a sent message got: a status only ever moves up this scale
 * (`read` may come without `delivered`, and never goes back to it). `failed`
 * is final and may follow `sent` only: a message delivered did not fail.
 */
export const STATUS_RANK: Readonly<Record<'sent' | ChannelStatus, number>> = {
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 4,
};

/** Whether `next` moves a message that stands at `current` (monotonic, `failed` only after `sent`). */
export function statusAdvances(current: 'sent' | ChannelStatus, next: ChannelStatus): boolean {
  if (next === 'failed') return current === 'sent';
  return STATUS_RANK[current] < STATUS_RANK[next];
}

/** One status the channel reported for a message it accepted, by the channel's message id. */
export interface StatusUpdate {
  channelMessageId: string;
  status: ChannelStatus;
  at: Date;
  /** The channel's code for a failure (never its message, which may quote the number). */
  errorCode?: string;
}

/** What recording a status did: moved the entry, nothing (duplicate or older), or no such message. */
export type StatusRecorded = 'recorded' | 'unchanged' | 'unknown';

/**
 * Counts of an alert's outbox, for the console. `sent + failed + skipped +
 * cancelled + queued` is the alert's audience; `failed` includes messages the
 * channel accepted and later reported failed (they leave `sent`);
 * `delivered` counts messages known delivered, read ones included, and `read`
 * those read: `read <= delivered <= sent`.
 */
export interface DeliveryProgress {
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
  cancelled: number;
  closingSent: number;
}

/** One row of an outbox's counts: entries of a kind in a state, and where the channel's statuses left them. */
export interface ProgressRow {
  kind: DeliveryKind;
  state: OutboxState;
  /** The last status of a sent message (`sent` or absent: none reported yet). */
  status?: 'sent' | ChannelStatus | null;
  count: number;
}

/**
 * The console's counts from an outbox's counts by kind, state and channel
 * status. Once the alert has ended, what is still queued will never go out:
 * it counts as cancelled.
 */
export function countProgress(rows: ReadonlyArray<ProgressRow>, ended: boolean): DeliveryProgress {
  const progress: DeliveryProgress = {
    queued: 0,
    sent: 0,
    delivered: 0,
    read: 0,
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
        if (row.status === 'failed') {
          progress.failed += row.count;
          break;
        }
        progress.sent += row.count;
        if (row.status === 'delivered' || row.status === 'read') progress.delivered += row.count;
        if (row.status === 'read') progress.read += row.count;
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
