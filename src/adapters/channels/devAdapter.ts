import { randomUUID } from 'node:crypto';
import {
  type Activity,
  BotAdapter,
  type ConversationReference,
  type ResourceResponse,
  TurnContext,
} from 'botbuilder-core';
import { z } from 'zod';
import type { AlertSender } from '../../app/ports/notifier.js';
import type { Delivery } from '../../core/alert/delivery.js';
import {
  type ChannelMessage,
  messageActivity,
  type OutboundMessage,
  outboundMessage,
  proactiveActivity,
} from './messageActivity.js';

/** Where the dev channel puts what the bot sends outside a turn. */
export interface OutboxPort {
  /** `id`: the sender's idempotency key; the same id is recorded once. */
  add(message: {
    to: string;
    text: string;
    imageUrl?: string;
    at: Date;
    id?: string | undefined;
    messageId: string;
    choices?: Array<{ title: string; value: string }>;
    requestLocation?: true;
  }): Promise<void>;
}

/**
 * The dev channel's id for a message sent with an idempotency key: derived
 * from the key, so a message sent twice has one id, as a channel that
 * de-duplicates by key answers. Others get a random id.
 */
export function devMessageId(idempotencyKey: string | undefined): string {
  return idempotencyKey ? `dev.${idempotencyKey}` : `dev.${randomUUID()}`;
}

/**
 * An alert sender that reports the dev channel's message ids, which the
 * sender it wraps does not pass on: the outbox then knows each dev message
 * by id, so statuses and replies naming it work on the dev channel too.
 */
export function namingDevMessages(sender: AlertSender): AlertSender {
  return {
    async send(delivery: Delivery) {
      const sent = await sender.send(delivery);
      if (sent?.channelMessageId || delivery.channel !== 'dev') return sent;
      return { channelMessageId: devMessageId(delivery._id) };
    },
  };
}

const TURN_REPLIES = Symbol('devTurnReplies');

/** The sender's key for "deliver this once" (an alert's outbox entry id), if it gave one. */
function idempotencyKey(activity: Partial<Activity>): string | undefined {
  const parsed = z.object({ idempotencyKey: z.string().min(1) }).safeParse(activity.channelData);
  return parsed.success ? parsed.data.idempotencyKey : undefined;
}

/**
 * The development channel: a person or a test posts a message over HTTP and
 * gets the replies of that turn back in the response. What the bot sends
 * outside a turn (officer relay, alerts) lands in the outbox.
 */
export class DevAdapter extends BotAdapter {
  constructor(
    private readonly outbox: OutboxPort,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  /** Runs one turn and returns its replies. */
  async process(
    message: Omit<ChannelMessage, 'channelId'>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<OutboundMessage[]> {
    const replies: OutboundMessage[] = [];
    const context = new TurnContext(this, messageActivity({ ...message, channelId: 'dev' }));
    context.turnState.set(TURN_REPLIES, replies);
    await this.runMiddleware(context, logic);
    return replies;
  }

  override async sendActivities(
    context: TurnContext,
    activities: Partial<Activity>[],
  ): Promise<ResourceResponse[]> {
    const collector: OutboundMessage[] | undefined = context.turnState.get(TURN_REPLIES);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      const message = outboundMessage(activity);
      if (!message) continue;
      const key = idempotencyKey(activity);
      const messageId = devMessageId(key);
      if (collector) {
        collector.push(message);
      } else {
        const to = context.activity.conversation?.id ?? '';
        await this.outbox.add({
          to,
          text: message.text,
          ...(message.image
            ? { imageUrl: `data:${message.image.mimeType};base64,${message.image.dataBase64}` }
            : {}),
          ...(message.choices ? { choices: message.choices } : {}),
          ...(message.requestLocation ? { requestLocation: true } : {}),
          at: this.clock(),
          id: key,
          messageId,
        });
      }
      responses.push({ id: messageId });
    }
    return responses;
  }

  override async updateActivity(): Promise<void> {
    throw new Error('the dev channel cannot edit a sent message');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('the dev channel cannot delete a sent message');
  }

  /** Writes to someone outside a turn; what is sent goes to the outbox. */
  override async continueConversation(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const activity = proactiveActivity(reference, 'dev');
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
