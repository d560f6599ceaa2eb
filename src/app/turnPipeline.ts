import { createHash, randomUUID } from 'node:crypto';
import type { Place } from '../core/case/report.js';
import { type ConversationData, readConversation } from '../core/conversation/conversationState.js';
import type { InboundMessage } from '../core/conversation/input.js';
import type { CityLookup } from '../core/conversation/parseAnswer.js';
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
import type { Logger } from '../logger.js';
import { applyEffects } from './applyEffects.js';
import { KeyedQueue } from './keyedQueue.js';
import type { AlertDirectory } from './ports/alertDirectory.js';
import type { AudioStore } from './ports/audioStore.js';
import type { FamilyCaseStore } from './ports/caseStore.js';
import type { Clock } from './ports/clock.js';
import type { ConversationStore } from './ports/conversationStore.js';
import type { Events } from './ports/events.js';
import type { PhotoStore } from './ports/photoStore.js';
import type { SightingStore } from './ports/sightings.js';
import type { SubscriptionStore } from './ports/subscriptions.js';

/** What the turn pipeline works with: its ports, the flows and texts, and the case numbering. */
export interface TurnPipelineDeps {
  conversations: ConversationStore;
  flows: RouterContext['flows'];
  translator: Translator;
  cases: FamilyCaseStore;
  photos: PhotoStore;
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
}

/** How many handled message ids a conversation remembers to drop redeliveries. */
const REMEMBERED_MESSAGES = 30;
/** How many times a turn that lost the compare-and-set is routed again on fresh state. */
export const MAX_TURN_ATTEMPTS = 4;
const HOUR_MS = 60 * 60 * 1000;

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

  constructor(private readonly deps: TurnPipelineDeps) {
    for (const id of ['report', 'subscribe', 'sighting']) {
      if (!deps.flows.get(id)) throw new Error(`flows/${id}.yaml is missing`);
    }
    this.router = { flows: deps.flows, ...(deps.findCity ? { findCity: deps.findCity } : {}) };
  }

  /** Handles one inbound message and returns the replies of its turn, rendered with their choices. */
  handle(message: InboundMessage): Promise<RenderedReply[]> {
    return this.queue.run(conversationKey(message.channel, message.address), () =>
      this.run(message),
    );
  }

  /** Resolves when every turn in flight has finished (graceful shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** The language a conversation speaks, if it chose one (to apologise in it). */
  async languageOf(channel: string, address: string): Promise<Language | undefined> {
    const stored = await this.deps.conversations.read(conversationKey(channel, address));
    return readConversation(stored?.state).data.language;
  }

  /** The conversation's id as logs may show it. */
  conversationHash(channel: string, address: string): string {
    return this.deps.hashId(conversationKey(channel, address));
  }

  private async run(message: InboundMessage): Promise<RenderedReply[]> {
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
      if (messageHash && data.processed.includes(messageHash)) {
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
      const replies = finalReplies(decision, {
        ...(results.unsubscribed !== undefined ? { unsubscribed: results.unsubscribed } : {}),
        ...(results.sighting ? { sightingThrottled: results.sighting.throttled } : {}),
      });
      return replies.map((reply) =>
        this.deps.translator.renderReply(decision.language, reply, results),
      );
    }
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
