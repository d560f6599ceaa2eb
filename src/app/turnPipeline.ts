import { createHash, randomUUID } from 'node:crypto';
import type { Place } from '../core/case/report.js';
import { type ConversationData, readConversation } from '../core/conversation/conversationState.js';
import type { InboundMessage } from '../core/conversation/input.js';
import type { CityLookup } from '../core/conversation/parseAnswer.js';
import { resumeQuestion } from '../core/conversation/resumeQuestion.js';
import { key, lines, raw } from '../core/conversation/text.js';
import {
  finalReplies,
  type RouterContext,
  routeTurn,
  type SnapshotPart,
  type TurnDecision,
  type TurnSnapshot,
} from '../core/conversation/turnRouter.js';
import { AppError } from '../core/errors.js';
import type { RenderedReply, Translator } from '../core/i18n/translator.js';
import type { Language } from '../core/nlu/language.js';
import { guessLanguage } from '../core/nlu/languageChoice.js';
import type { Logger } from '../logger.js';
import { applyEffects } from './applyEffects.js';
import { BoundedLru } from './boundedLru.js';
import { cleanInbound } from './cleanInbound.js';
import type { IntakeGuard } from './intakeGuard.js';
import { KeyedQueue } from './keyedQueue.js';
import type { AlertDirectory } from './ports/alertDirectory.js';
import type { AudioStore } from './ports/audioStore.js';
import type { FamilyCaseStore } from './ports/caseStore.js';
import type { Clock } from './ports/clock.js';
import type { ConversationStore } from './ports/conversationStore.js';
import type { Events } from './ports/events.js';
import type { Notifier } from './ports/notifier.js';
import type { PhotoSanitizer } from './ports/photoSanitizer.js';
import type { PhotoStore } from './ports/photoStore.js';
import type { SightingStore } from './ports/sightings.js';
import type { SubscriptionStore } from './ports/subscriptions.js';
import type { RightsDesk } from './rights/rightsDesk.js';
import { TurnRecovery, type UnansweredConversation } from './turnRecovery.js';

/** What the turn pipeline works with: its ports, the flows and texts, and the case numbering. */
export interface TurnPipelineDeps {
  conversations: ConversationStore;
  flows: RouterContext['flows'];
  translator: Translator;
  cases: FamilyCaseStore;
  photos: PhotoStore;
  /** Every received photo is decoded and re-encoded by it before anything keeps it. */
  photoSanitizer: PhotoSanitizer;
  /** Voice notes families send (benchmarks, which send none, run without). */
  audio?: AudioStore;
  clock: Clock;
  logger: Logger;
  hashId: (id: string) => string;
  referencePrefix: string;
  regionOf: (place: Place, city: string | null) => string | null;
  /** Tells the console what happened (optional: benchmarks run without it). */
  events?: Pick<Events, 'publish'>;
  /** The id of a flow started in a turn (random unless a test fixes it). */
  newDraftId?: () => string;
  /** The gazetteer's city lookup, for the area of a subscription. */
  findCity?: CityLookup;
  /** Citizens' subscriptions (the benchmarks, which only report, run without them). */
  subscriptions?: SubscriptionStore;
  sightings?: SightingStore;
  /** The active alerts a citizen may be writing about; none without it. */
  alerts?: AlertDirectory;
  /** Requests about one's data (Law 09-08): what is stored, and filing them. */
  rights?: Pick<RightsDesk, 'record' | 'file'>;
  /**
   * Writes to a family outside a turn: after a failed turn, their question is
   * sent again once the database is back (without it, only a resent message
   * brings it).
   */
  notifier?: Pick<Notifier, 'send'>;
  /** Flood control per number: messages over the rate are not handled, reports are flagged. */
  intake?: IntakeGuard;
  /** How long a turn may take before it gives up and apologises (tests shorten it). */
  turnDeadlineMs?: number;
  /** The waits between attempts to resume a conversation after a failed turn. */
  resumeDelaysMs?: readonly number[];
}

/** How many handled message ids a conversation remembers to drop redeliveries. */
const REMEMBERED_MESSAGES = 30;
/** How many times a turn that lost the compare-and-set is routed again on fresh state. */
export const MAX_TURN_ATTEMPTS = 4;
const HOUR_MS = 60 * 60 * 1000;
/**
 * A turn that has not finished by then gives up and apologises. The database
 * driver already fails an operation after about 2 s without a server; this
 * is the backstop for a server that accepted a request and froze.
 */
export const TURN_DEADLINE_MS = 8_000;
/** How many conversations' languages are remembered, to apologise in them when the database is away. */
const REMEMBERED_LANGUAGES = 50_000;

/** The key of a conversation in the {@link ConversationStore}: one per channel and address. */
export const conversationKey = (channel: string, address: string): string =>
  `${channel}:${address}`;

/**
 * The turn pipeline: one family's messages one after another, each read with
 * the conversation's eTag, routed by the pure router over a snapshot of what
 * the stores know, its effects carried out, the new state written with
 * compare-and-set and only then the replies returned. A lost race re-reads and
 * re-routes; effects are idempotent, so nothing is sent twice or stored half.
 */
export class TurnPipeline {
  private readonly queue = new KeyedQueue();
  private readonly router: RouterContext;
  /** Each recent conversation's language, kept in memory: the database may be what failed. */
  private readonly languages = new BoundedLru<string, Language>(REMEMBERED_LANGUAGES);
  private readonly recovery: TurnRecovery;

  constructor(private readonly deps: TurnPipelineDeps) {
    for (const id of ['report', 'subscribe', 'sighting']) {
      if (!deps.flows.get(id)) throw new Error(`flows/${id}.yaml is missing`);
    }
    this.router = { flows: deps.flows, ...(deps.findCity ? { findCity: deps.findCity } : {}) };
    this.recovery = new TurnRecovery({
      resume: (conversation) => this.resume(conversation),
      logger: deps.logger,
      hashId: deps.hashId,
      ...(deps.resumeDelaysMs ? { delaysMs: deps.resumeDelaysMs } : {}),
    });
  }

  /**
   * Handles one inbound message and returns the replies of its turn, rendered.
   * A turn that fails (or runs past its deadline) rejects, so the channel
   * apologises; the conversation is then marked unanswered until the family
   * has their question again.
   */
  async handle(message: InboundMessage): Promise<RenderedReply[]> {
    const key = conversationKey(message.channel, message.address);
    const deadlineMs = this.deps.turnDeadlineMs ?? TURN_DEADLINE_MS;
    try {
      // Counted in the conversation's turn order (so messages keep the order
      // they arrived in); a message over the rate costs one counter update there.
      return await this.queue.run(key, () =>
        withDeadline(
          this.admit(key, message).then((refused) => refused ?? this.run(message)),
          deadlineMs,
        ),
      );
    } catch (error) {
      this.recovery.failed({ key, channel: message.channel, address: message.address });
      throw error;
    }
  }

  /**
   * Flood control: `null` when the turn runs; otherwise its replies instead
   * (one "wait a moment" for the first message over the rate, then nothing).
   * Messages over the rate are not kept for later: a flood must not hold
   * memory or delay the family's next real turn, and the family is told to
   * send again in a minute. Their id is not recorded, so a redelivery later
   * is handled.
   */
  private async admit(key: string, message: InboundMessage): Promise<RenderedReply[] | null> {
    if (!this.deps.intake) return null;
    const admission = await this.deps.intake.admit(
      message.channel,
      message.address,
      this.deps.clock.now(),
    );
    switch (admission.kind) {
      case 'accept':
        return null;
      case 'slow_down': {
        const text = message.input.kind === 'text' ? message.input.text : '';
        const language = this.languages.get(key) ?? guessLanguage(text);
        return [{ text: this.deps.translator.t(language, 'resilience:slow_down') }];
      }
      case 'ignore':
        return [];
      default: {
        const unreachable: never = admission;
        throw new AppError('internal', `unknown admission ${String(unreachable)}`);
      }
    }
  }

  /** Resolves when every turn in flight has finished (graceful shutdown). */
  idle(): Promise<void> {
    this.stopResuming();
    return this.queue.idle();
  }

  /** Drops the resumes still waiting for the database (the service is stopping). */
  stopResuming(): void {
    this.recovery.stop();
  }

  /**
   * The language a conversation speaks, if it chose one (to apologise in it):
   * from memory when it spoke recently, so a dead database still gets the
   * family an apology in their own language.
   */
  async languageOf(channel: string, address: string): Promise<Language | undefined> {
    const key = conversationKey(channel, address);
    const remembered = this.languages.get(key);
    if (remembered) return remembered;
    const stored = await this.deps.conversations.read(key);
    return readConversation(stored?.state).data.language;
  }

  /** The conversation's id as logs may show it. */
  conversationHash(channel: string, address: string): string {
    return this.deps.hashId(conversationKey(channel, address));
  }

  private async run(received: InboundMessage): Promise<RenderedReply[]> {
    // Cleaned once, before any attempt: what is stored is the cleaned text and the re-encoded photo.
    const message = await cleanInbound(received, this.deps.photoSanitizer);
    if (received.photo && !message.photo) {
      this.deps.logger.info(
        { conversation: this.conversationHash(received.channel, received.address) },
        'photo refused: it does not decode or has too many pixels',
      );
    }
    const key = conversationKey(message.channel, message.address);
    const hash = this.conversationHash(message.channel, message.address);
    const messageHash = message.messageId
      ? createHash('sha256').update(message.messageId).digest('base64url').slice(0, 16)
      : undefined;
    // Fixed once, so a re-routed turn relays the same message id.
    const messageId = message.messageId ?? randomUUID();

    for (let attempt = 1; ; attempt++) {
      const stored = await this.deps.conversations.read(key);
      const { data, discarded } = readConversation(stored?.state);
      if (discarded) this.deps.logger.warn({ conversation: hash }, 'stored state discarded');
      if (data.language) this.languages.set(key, data.language);
      if (messageHash && data.processed.includes(messageHash)) {
        // Handled before. If its turn failed after the state was saved (the
        // family was apologised to, not answered), they get their question
        // now; a plain redelivery gets nothing, so nothing is sent twice.
        if (this.recovery.answered(key)) {
          this.deps.logger.info(
            { conversation: hash },
            'resent message answered with its question',
          );
          return this.questionFor(data);
        }
        this.deps.logger.info({ conversation: hash }, 'duplicate message ignored');
        return [];
      }

      const now = this.deps.clock.now();
      const decision = await this.decide(data, message, messageId, now);
      for (const notice of decision.notices) {
        this.deps.logger.warn({ flow: notice.flowId }, 'conversation in an unknown flow reset');
      }
      const results = await applyEffects(
        decision.effects,
        {
          now,
          language: decision.conversation.language ?? decision.language,
          channel: message.channel,
          address: message.address,
          photo: message.photo,
          audio: message.audio,
        },
        this.deps,
      );
      const next: ConversationData = {
        ...decision.conversation,
        ...(results.reference ? { lastCase: { reference: results.reference } } : {}),
        ...(messageHash
          ? {
              processed: [...decision.conversation.processed, messageHash].slice(
                -REMEMBERED_MESSAGES,
              ),
            }
          : {}),
      };
      const written = await this.deps.conversations.write(key, next, stored?.eTag ?? null);
      if (!written.ok) {
        if (attempt < MAX_TURN_ATTEMPTS) continue;
        throw new AppError('storage_conflict', `eTag conflict ${MAX_TURN_ATTEMPTS} times in a row`);
      }

      if (results.createdCase)
        this.deps.events?.publish({ type: 'created', ...results.createdCase });
      if (results.relayed) this.deps.events?.publish({ type: 'message', ...results.relayed });
      if (results.sighting?.created) {
        const { caseId, region, sightingId } = results.sighting;
        this.deps.events?.publish({ type: 'sighting', caseId, region, sightingId });
      }
      this.recovery.answered(key);
      this.languages.set(key, decision.conversation.language ?? decision.language);
      const replies = finalReplies(decision, {
        ...(results.unsubscribed !== undefined ? { unsubscribed: results.unsubscribed } : {}),
        ...(results.sighting ? { sightingThrottled: results.sighting.throttled } : {}),
      });
      return replies.map((reply) =>
        this.deps.translator.renderReply(decision.language, reply, results),
      );
    }
  }

  /** What the family is waiting to be asked, rendered in their language (nothing if nothing is in progress). */
  private questionFor(
    data: ConversationData,
    options: { resumed?: boolean } = {},
  ): RenderedReply[] {
    const question = resumeQuestion(data, this.deps.flows);
    if (!question) return [];
    const language = data.language ?? 'ar';
    const text = options.resumed ? lines(key('resilience:resumed'), question) : question;
    return [this.deps.translator.renderReply(language, text)];
  }

  /**
   * After a failed turn, once the database answers: re-reads the conversation
   * and sends the family their question, in the conversation's turn order so
   * it never crosses a turn. A turn that answered them first cleared the mark.
   */
  private resume(conversation: UnansweredConversation): Promise<void> {
    return this.queue.run(conversation.key, async () => {
      if (!this.recovery.isUnanswered(conversation.key) || !this.deps.notifier) return;
      const stored = await this.deps.conversations.read(conversation.key);
      const { data } = readConversation(stored?.state);
      const text = this.questionFor(data, { resumed: true })[0]?.text;
      if (text !== undefined) {
        await this.deps.notifier.send(
          {
            channel: conversation.channel,
            address: conversation.address,
            language: data.language ?? 'ar',
          },
          raw(text),
        );
      }
      this.recovery.answered(conversation.key);
      this.deps.logger.info(
        { conversation: this.deps.hashId(conversation.key), sent: text !== undefined },
        'conversation resumed after a failed turn',
      );
    });
  }

  /** Routes the turn, loading the parts of the snapshot the router asks for. */
  private async decide(
    conversation: ConversationData,
    message: InboundMessage,
    messageId: string,
    now: Date,
  ): Promise<TurnDecision> {
    const snapshot: TurnSnapshot = {
      conversation,
      now,
      newDraftId: this.deps.newDraftId?.() ?? randomUUID(),
    };
    const loaded = new Set<SnapshotPart>();
    for (;;) {
      const routing = routeTurn(
        snapshot,
        {
          input: message.input,
          messageId,
          ...(message.replyTo ? { replyTo: message.replyTo } : {}),
        },
        this.router,
      );
      if (routing.kind === 'decided') return routing.decision;
      if (loaded.has(routing.part)) {
        throw new AppError('internal', `the router asked twice for ${routing.part}`);
      }
      loaded.add(routing.part);
      await this.load(snapshot, routing.part, message, now);
    }
  }

  private async load(
    snapshot: TurnSnapshot,
    part: SnapshotPart,
    message: InboundMessage,
    now: Date,
  ): Promise<void> {
    const { channel, address } = message;
    switch (part) {
      case 'latestCase':
        snapshot.latestCase = await this.deps.cases.latestForReporter(channel, address);
        return;
      case 'activeCase':
        snapshot.activeCase = await this.deps.cases.activeCaseFor(channel, address);
        return;
      case 'alerts':
        snapshot.alerts = (await this.deps.alerts?.activeFor(channel, address)) ?? [];
        return;
      case 'recentSightings':
        snapshot.recentSightings =
          (await this.deps.sightings?.countSince(
            channel,
            address,
            new Date(now.getTime() - HOUR_MS),
          )) ?? 0;
        return;
      case 'subjectRecord':
        snapshot.subjectRecord = (await this.deps.rights?.record(channel, address)) ?? {
          cases: [],
          subscription: null,
          sightings: [],
        };
        return;
      case 'repliedAlert':
        snapshot.repliedAlert = message.replyTo
          ? ((await this.deps.alerts?.repliedTo(message.replyTo)) ?? null)
          : null;
        return;
      default: {
        const unreachable: never = part;
        throw new AppError('internal', `unknown snapshot part ${String(unreachable)}`);
      }
    }
  }
}

/** Rejects with `turn_timeout` when `work` has not settled within `ms`. */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new AppError('turn_timeout', `the turn did not finish within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
