import { createHash } from 'node:crypto';
import {
  type Activity,
  BotAdapter,
  type ConversationReference,
  type ResourceResponse,
  TurnContext,
} from 'botbuilder-core';
import { z } from 'zod';
import type { CustomerWindows } from '../../../app/ports/customerWindows.js';
import type { MessagingLimit } from '../../../app/ports/messagingLimit.js';
import type { SendJournal } from '../../../app/ports/sendJournal.js';
import { ChannelSendError } from '../../../core/channelSendError.js';
import type { Translator } from '../../../core/i18n/translator.js';
import { type Language, languageSchema } from '../../../core/nlu/language.js';
import { guessLanguage } from '../../../core/nlu/languageChoice.js';
import type { Logger } from '../../../logger.js';
import { type AlertTemplate, alertTemplateOf, idempotencyKeyOf } from '../alertTemplate.js';
import { proactiveActivity } from '../messageActivity.js';
import { freeFormMessages, type Outgoing, readOutgoing } from './freeFormMessages.js';
import { type GraphMessage, UNCONFIRMED } from './graphClient.js';
import type { InboundSink } from './inboundSink.js';
import { MediaCache } from './mediaCache.js';
import { PAIR_BURST, PAIR_INTERVAL_MS, PairLimiter, TokenBucket } from './pacing.js';
import { type TemplateSettings, templateMessage } from './templateMessage.js';

/** The channel id of Cloud API activities and references (the same as the linked-phone channel). */
export const CLOUD_CHANNEL_ID = 'whatsapp';

/** A customer-service window lasts 24 h; it is closed a little early, so a slow send still lands inside. */
const WINDOW_MS = 24 * 3600_000;
const WINDOW_MARGIN_MS = 10 * 60_000;
/** How long the messaging-limit tier read from Graph is trusted. */
const TIER_TTL_MS = 10 * 60_000;
/** How often, and how far apart, a status's message id is looked up before it is taken as not ours. */
const STATUS_LOOKUPS = 10;
const STATUS_LOOKUP_PAUSE_MS = 200;
/** The lowest tier: what is assumed when the tier cannot be read. */
const LOWEST_TIER = 250;

/** What the adapter needs of Graph (the {@link GraphClient}). */
export interface GraphPort {
  send(address: string, message: GraphMessage): Promise<string>;
  uploadMedia(data: Buffer, mimeType: string): Promise<string>;
  messagingLimit(): Promise<number | null | undefined>;
}

export interface CloudAdapterOptions {
  graph: GraphPort;
  windows: CustomerWindows;
  journal: SendJournal;
  templates: TemplateSettings;
  translator: Translator;
  logger: Logger;
  /** Turns an identifier into a pseudonym fit for logs. */
  hashId: (id: string) => string;
  clock: () => Date;
  /** Messages per second the number may send (WHATSAPP_THROUGHPUT). */
  throughput: number;
  /** The pair limit: one message per `intervalMs` to one person, `burst` at once. */
  pair?: { intervalMs: number; burst: number };
  /**
   * How long a send whose outcome is unknown (a crash or a broken connection
   * before Graph's answer) waits for a status naming it before it is sent again.
   */
  unconfirmedGraceMs?: number;
  /** WHATSAPP_MESSAGING_LIMIT: the tier as configured, instead of reading it (null: unlimited). */
  messagingLimit?: number | null;
}

/** What the webhook reports about a message this number sent (a Graph status). */
export interface CloudStatus {
  channelMessageId: string;
  status: 'sent' | 'delivered' | 'read' | 'played' | 'failed';
  /** `errors[0].code` of a failure. */
  errorCode?: string;
  /** Graph's `biz_opaque_callback_data`: the idempotency key the message was sent under. */
  callbackData?: string;
}

type TurnLogic = (context: TurnContext) => Promise<void>;

const resendSchema = z.object({
  type: z.literal('template'),
  content: z.record(z.string(), z.unknown()),
  callbackData: z.string().optional(),
});

/** What may be logged about an error: its name and code, never its message. */
function errorKind(error: unknown): { name: string; code?: string } {
  if (error instanceof ChannelSendError) return { name: error.name, code: error.code };
  return { name: error instanceof Error ? error.name : typeof error };
}

/**
 * The official WhatsApp channel: a botbuilder adapter over Meta's Cloud API.
 * Inbound messages arrive from the webhook (through {@link processActivity});
 * replies, officers' messages and alerts go out through Graph at the number's
 * pace. Outside a person's 24 h window nothing free-form is attempted: an
 * alert, widening or closing goes as its approved template, and anything
 * else is refused (`outsideWindow`). A message with an idempotency key (an
 * outbox entry) is sent at most once, across retries, restarts and instances
 * (the {@link SendJournal}).
 */
export class CloudAdapter extends BotAdapter implements InboundSink, MessagingLimit {
  private logic: TurnLogic | null = null;
  private readonly bucket: TokenBucket;
  private readonly pair: PairLimiter;
  private readonly media: MediaCache;
  private readonly graceMs: number;
  private tier: { at: number; value: number | null } | null = null;

  constructor(private readonly options: CloudAdapterOptions) {
    super();
    this.bucket = new TokenBucket(options.throughput);
    this.pair = new PairLimiter(
      options.pair?.intervalMs ?? PAIR_INTERVAL_MS,
      options.pair?.burst ?? PAIR_BURST,
    );
    this.media = new MediaCache((data, mimeType) => this.upload(data, mimeType), options.clock);
    this.graceMs = options.unconfirmedGraceMs ?? 10 * 60_000;
  }

  /** Sets the bot logic the inbound messages run. */
  start(logic: TurnLogic): void {
    this.logic = logic;
  }

  /**
   * One inbound message (seam: the webhook's processor, after storing it):
   * the person's window opens, the bot's turn runs, its replies go out.
   * Resolves once the turn is done; a turn that failed is apologised for by
   * `onTurnError` and resolves too.
   */
  async processActivity(activity: Partial<Activity>): Promise<void> {
    const logic = this.logic;
    if (!logic) throw new Error('the Cloud adapter is not started');
    const address = activity.from?.id;
    if (address) {
      const at = activity.timestamp ? new Date(activity.timestamp) : this.options.clock();
      await this.options.windows.opened(
        address,
        Number.isNaN(at.getTime()) ? this.options.clock() : at,
      );
    }
    const full: Partial<Activity> = {
      ...activity,
      channelId: CLOUD_CHANNEL_ID,
      conversation: activity.conversation ?? {
        id: address ?? '',
        name: '',
        isGroup: false,
        conversationType: 'personal',
      },
      recipient: activity.recipient ?? { id: 'tifli', name: 'Tifli', role: 'bot' },
    };
    await this.runMiddleware(new TurnContext(this, full), logic);
  }

  override async sendActivities(
    context: TurnContext,
    activities: Partial<Activity>[],
  ): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      const outgoing = readOutgoing(activity);
      if (!outgoing) {
        // Typing indicators, delays and events have no Graph counterpart.
        responses.push({ id: '' });
        continue;
      }
      const address = activity.conversation?.id ?? context.activity.conversation?.id ?? '';
      if (address === '') throw new Error('an outgoing activity without an address');
      const key = idempotencyKeyOf(activity.channelData);
      const template = alertTemplateOf(activity.channelData);
      const language = this.languageOf(activity, outgoing);
      const id = key
        ? await this.sendOnce(key, address, outgoing, template, language)
        : await this.sendReply(address, outgoing, template, language);
      responses.push({ id });
    }
    return responses;
  }

  override async updateActivity(): Promise<void> {
    throw new Error('not supported on WhatsApp');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('not supported on WhatsApp');
  }

  /**
   * Writes to someone outside a turn (officer relay, alerts). A send's
   * failure reaches the caller (the broadcast decides what it means); it is
   * not apologised for to the recipient as a failed turn would be.
   */
  override async continueConversation(
    reference: Partial<ConversationReference>,
    logic: TurnLogic,
  ): Promise<void> {
    const activity = proactiveActivity(reference, CLOUD_CHANNEL_ID);
    const context = new TurnContext(this, activity);
    await this.middleware.run(context, () => logic(context));
  }

  /** The Cloud-adapter style entry point; WhatsApp has no app identity to check. */
  override async continueConversationAsync(
    _botAppIdOrClaimsIdentity: unknown,
    reference: Partial<ConversationReference>,
    logicOrAudience: TurnLogic | string,
    maybeLogic?: TurnLogic,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (!logic) throw new Error('continueConversationAsync needs a logic callback');
    await this.continueConversation(reference, logic);
  }

  /**
   * A status of a message this number sent, as the webhook reads it. A
   * `failed` with 131047 (free-form outside the window) sends the template
   * instead; any status carrying the idempotency key settles a send whose
   * answer was lost (a crash, a broken connection), so it is not sent again.
   * Returns the new message's id when a template was sent in its place.
   */
  async noteStatus(status: CloudStatus): Promise<{ resentAs?: string }> {
    if (status.callbackData && status.status !== 'failed') {
      await this.options.journal.confirm(status.callbackData, status.channelMessageId);
    }
    if (status.status === 'failed' && status.errorCode === '131047') {
      return this.onFailedStatus(status.channelMessageId, status.errorCode);
    }
    return {};
  }

  /** A message reported `failed` later: with 131047, its template goes out instead. */
  async onFailedStatus(channelMessageId: string, code: string): Promise<{ resentAs?: string }> {
    if (code !== '131047') return {};
    const found = await this.acceptedAttempt(channelMessageId);
    if (!found?.attempt.resend) return {};
    const parsed = resendSchema.safeParse(JSON.parse(found.attempt.resend));
    if (!parsed.success) return {};
    const { journal, clock, logger } = this.options;
    if (!(await journal.claimResend(found.key, channelMessageId, clock()))) return {};
    const address = found.attempt.address;
    const message: GraphMessage = { ...parsed.data };
    await this.bucket.take();
    const id = await this.options.graph.send(address, message);
    await journal.accepted(found.key, id);
    logger.info(
      { recipient: this.hash(address), code },
      'whatsapp message outside the window sent again as its template',
    );
    return { resentAs: id };
  }

  /**
   * The attempt a message id was accepted under. A status may overtake the
   * write that records the id (Graph answers, the status follows at once):
   * the lookup is tried again for a moment before giving up.
   */
  private async acceptedAttempt(channelMessageId: string) {
    for (let attempt = 0; attempt < STATUS_LOOKUPS; attempt++) {
      const found = await this.options.journal.byChannelMessageId(channelMessageId);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, STATUS_LOOKUP_PAUSE_MS));
    }
    return null;
  }

  /**
   * The messaging-limit tier: how many people the first 24 h of a broadcast
   * can reach outside their window (configured, or read from Graph every 10
   * minutes; the lowest tier when it cannot be read).
   */
  async uniqueRecipientsPerDay(): Promise<number | null> {
    if (this.options.messagingLimit !== undefined) return this.options.messagingLimit;
    const now = this.options.clock().getTime();
    if (this.tier && now - this.tier.at < TIER_TTL_MS) return this.tier.value;
    try {
      const read = await this.options.graph.messagingLimit();
      if (read !== undefined) {
        this.tier = { at: now, value: read };
        return read;
      }
      this.options.logger.warn('whatsapp messaging-limit tier not understood');
    } catch (error) {
      this.options.logger.warn({ err: errorKind(error) }, 'whatsapp messaging-limit tier unread');
    }
    return this.tier?.value ?? LOWEST_TIER;
  }

  /** A turn's replies and officers' messages: waited for at the pair limit, never journaled. */
  private async sendReply(
    address: string,
    outgoing: Outgoing,
    template: AlertTemplate | undefined,
    language: Language,
  ): Promise<string> {
    await this.pair.take(address);
    const templateMsg = template
      ? await this.templateFor(template, outgoing, undefined)
      : undefined;
    return this.deliver(
      address,
      outgoing,
      templateMsg,
      language,
      undefined,
      template?.photo?.photoId,
    );
  }

  /**
   * An outbox entry: claimed in the journal first, so that whatever happens
   * next (a crash, a retry, another instance) it is sent once. Refused at
   * once, rather than waited for, when the person had too many messages lately.
   */
  private async sendOnce(
    key: string,
    address: string,
    outgoing: Outgoing,
    template: AlertTemplate | undefined,
    language: Language,
  ): Promise<string> {
    const { journal, clock, logger } = this.options;
    const templateMsg = template ? await this.templateFor(template, outgoing, key) : undefined;
    const now = clock();
    const earlier = await journal.begin(
      key,
      address,
      now,
      templateMsg ? JSON.stringify(templateMsg) : null,
    );
    if (earlier?.state === 'accepted') return earlier.channelMessageId;
    if (earlier?.state === 'unconfirmed') {
      const waited = now.getTime() - earlier.since.getTime();
      if (waited < this.graceMs) {
        throw new ChannelSendError('recipientBackoff', UNCONFIRMED, this.graceMs - waited);
      }
      if (!(await journal.retake(key, earlier.since, now))) {
        throw new ChannelSendError('recipientBackoff', UNCONFIRMED, 1000);
      }
      // No status came for it all this time: Graph never took it.
      logger.warn({ recipient: this.hash(address) }, 'whatsapp send with no outcome tried again');
    }
    const pairWait = this.pair.delayFor(address);
    if (pairWait > 0) {
      await journal.release(key);
      throw new ChannelSendError('recipientBackoff', 'pair_limit', pairWait);
    }
    this.pair.reserve(address);
    let id: string;
    try {
      id = await this.deliver(
        address,
        outgoing,
        templateMsg,
        language,
        key,
        template?.photo?.photoId,
      );
    } catch (error) {
      // Refused outright: nothing was taken, another attempt may send it. A
      // lost answer stays claimed until a status or the grace period says more.
      if (!(error instanceof ChannelSendError && error.code === UNCONFIRMED)) {
        await journal.release(key);
      }
      throw error;
    }
    await journal.accepted(key, id);
    return id;
  }

  /**
   * Sends inside the window as free-form messages, outside it as the
   * template (or not at all); a free-form refused as outside the window
   * (131047) goes as the template. Returns the first message's id.
   */
  private async deliver(
    address: string,
    outgoing: Outgoing,
    templateMsg: GraphMessage | undefined,
    language: Language,
    key: string | undefined,
    photoKey: string | undefined,
  ): Promise<string> {
    const recipient = this.hash(address);
    if (!(await this.insideWindow(address))) {
      if (!templateMsg) throw new ChannelSendError('outsideWindow', '131047');
      const id = await this.post(address, templateMsg);
      this.options.logger.debug({ recipient, type: 'template' }, 'whatsapp template sent');
      return id;
    }
    const mediaId = await this.mediaIdOf(outgoing, photoKey);
    const messages = freeFormMessages(
      outgoing,
      mediaId,
      this.options.translator.t(language, 'whatsapp:list_button'),
    );
    let first: string | undefined;
    for (const message of messages) {
      const withKey = key && first === undefined ? { ...message, callbackData: key } : message;
      try {
        const id = await this.post(address, withKey);
        first ??= id;
      } catch (error) {
        if (
          first === undefined &&
          templateMsg &&
          error instanceof ChannelSendError &&
          error.disposition === 'outsideWindow'
        ) {
          return this.post(address, templateMsg);
        }
        // Once the first part is out the message counts as sent: its rest is not worth a duplicate.
        if (first !== undefined) {
          this.options.logger.warn(
            { recipient, err: errorKind(error) },
            'whatsapp message sent in part',
          );
          return first;
        }
        throw error;
      }
    }
    this.options.logger.debug(
      { recipient, parts: messages.length },
      'whatsapp free-form message sent',
    );
    return first ?? '';
  }

  /** One Graph send at the number's pace. */
  private async post(address: string, message: GraphMessage): Promise<string> {
    await this.bucket.take();
    return this.options.graph.send(address, message);
  }

  private async upload(data: Buffer, mimeType: string): Promise<string> {
    const id = await this.options.graph.uploadMedia(data, mimeType);
    this.options.logger.info({ bytes: data.length }, 'whatsapp photo uploaded');
    return id;
  }

  /** The template of an alert, widening or closing, with its photo uploaded once. */
  private async templateFor(
    template: AlertTemplate,
    outgoing: Outgoing,
    key: string | undefined,
  ): Promise<GraphMessage> {
    const mediaId =
      template.kind !== 'closing' && template.photo
        ? await this.mediaIdOf(outgoing, template.photo.photoId)
        : undefined;
    return templateMessage(this.options.templates, template, mediaId, key);
  }

  /**
   * The media id of the message's photo, uploaded once: an alert's photo by
   * its photo id (the same for every recipient), any other by its hash.
   */
  private async mediaIdOf(
    outgoing: Outgoing,
    photoKey: string | undefined,
  ): Promise<string | undefined> {
    if (!outgoing.image) return undefined;
    const { data, mimeType } = outgoing.image;
    return this.media.idFor(
      photoKey ?? createHash('sha256').update(data).digest('hex'),
      data,
      mimeType,
    );
  }

  private async insideWindow(address: string): Promise<boolean> {
    const last = await this.options.windows.lastInbound(address);
    if (!last) return false;
    return this.options.clock().getTime() - last.getTime() < WINDOW_MS - WINDOW_MARGIN_MS;
  }

  /** The language of an outgoing message (for the list's button label). */
  private languageOf(activity: Partial<Activity>, outgoing: Outgoing): Language {
    const fromLocale = languageSchema.safeParse(activity.locale);
    return fromLocale.success ? fromLocale.data : guessLanguage(outgoing.text);
  }

  private hash(address: string): string {
    return this.options.hashId(`${CLOUD_CHANNEL_ID}:${address}`);
  }
}
