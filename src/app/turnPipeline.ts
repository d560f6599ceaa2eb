import { createHash, randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  ConversationState,
  type StatePropertyAccessor,
  type Storage,
  type TurnContext,
} from 'botbuilder-core';
import { type Inbound, readInbound } from '../adapters/channels/inbound.js';
import type { FlowCatalog } from '../adapters/files/loadFlows.js';
import { isStorageConflict, NEW_ITEM_ETAG } from '../adapters/mongo/mongoStorage.js';
import type { Place } from '../core/case/report.js';
import {
  type ConversationData,
  type Intent,
  readConversation,
} from '../core/conversation/conversationState.js';
import {
  answer,
  goBack,
  repeatQuestion,
  type StepResult,
  startFlow,
} from '../core/conversation/engine.js';
import type { Flow } from '../core/conversation/flowSchema.js';
import type { Effect, FlowState } from '../core/conversation/flowState.js';
import type { CityLookup, PickOption } from '../core/conversation/parseAnswer.js';
import { describePickOption } from '../core/conversation/summary.js';
import { key, lines, raw, type Text } from '../core/conversation/text.js';
import type { Translator } from '../core/i18n/translator.js';
import { detectLanguage } from '../core/nlu/detectLanguage.js';
import { beginsWithKeyword, type KeywordSet, matchesKeyword } from '../core/nlu/keywords.js';
import { LANGUAGES, type Language } from '../core/nlu/language.js';
import { hasMeaningfulContent, normalizeDigits, stripInvisible } from '../core/nlu/normalize.js';
import type { Logger } from '../logger.js';
import { applyEffects, type EffectResults } from './applyEffects.js';
import { KeyedQueue } from './keyedQueue.js';
import type { AlertChoice, AlertDirectory } from './ports/alertDirectory.js';
import type { FamilyCaseStore } from './ports/caseStore.js';
import type { Clock } from './ports/clock.js';
import type { Events } from './ports/events.js';
import type { PhotoStore } from './ports/photoStore.js';
import type { SightingStore } from './ports/sightings.js';
import type { SubscriptionStore } from './ports/subscriptions.js';

export interface TifliBotDeps {
  storage: Storage;
  flows: FlowCatalog;
  translator: Translator;
  cases: FamilyCaseStore;
  photos: PhotoStore;
  clock: Clock;
  logger: Logger;
  hashId: (id: string) => string;
  referencePrefix: string;
  regionOf: (place: Place, city: string | null) => string | null;
  /** Tells the console what happened (optional: benchmarks run without it). */
  events?: Events;
  newDraftId?: () => string;
  /** The gazetteer's city lookup, for the area of a subscription. */
  findCity?: CityLookup;
  /** Citizens' subscriptions (the benchmarks, which only report, run without them). */
  subscriptions?: SubscriptionStore;
  sightings?: SightingStore;
  /** The active alerts a citizen may be writing about; none without it. */
  alerts?: AlertDirectory;
}

/** Words that act at any moment, whatever question is asked. */
type Interruption =
  | 'help'
  | 'cancel'
  | 'restart'
  | 'back'
  | 'language'
  | 'status'
  | 'stop'
  | { switchTo: Language };

/** A number that sent this many sightings within the hour is asked to call 19 instead. */
export const SIGHTINGS_PER_HOUR_LIMIT = 6;
const HOUR_MS = 60 * 60 * 1000;

/** How many handled message ids a conversation remembers to drop redeliveries. */
const REMEMBERED_MESSAGES = 30;
const MAX_ATTEMPTS = 4;

/** What one turn decided: the state to store, what to say, what to do. */
interface Decision {
  data: ConversationData;
  replies: Text[];
  effects: Effect[];
  language: Language;
  /** Replies that depend on what the effects found (was the number subscribed?). */
  after?: (results: EffectResults) => Text[];
}

/**
 * The turn pipeline: reads the conversation from storage, recognises the
 * anytime words, lets the flow engine handle the answer, carries out its
 * effects, stores the new state under its eTag and only then replies. A lost
 * eTag race re-runs the turn on fresh state; nothing is sent twice or stored
 * half.
 */
export class TifliBot {
  readonly conversationState: ConversationState;
  private readonly accessor: StatePropertyAccessor<unknown>;
  private readonly queue = new KeyedQueue();

  constructor(private readonly deps: TifliBotDeps) {
    this.conversationState = new ConversationState(deps.storage);
    this.accessor = this.conversationState.createProperty<unknown>('tifli');
    for (const id of ['report', 'subscribe', 'sighting']) {
      if (!deps.flows.get(id)) throw new Error(`flows/${id}.yaml is missing`);
    }
  }

  /** A flow of the catalog; the three the bot starts are checked at construction. */
  private flow(id: string): Flow {
    const flow = this.deps.flows.get(id);
    if (!flow) throw new Error(`flows/${id}.yaml is missing`);
    return flow;
  }

  /** The flow a conversation is in. */
  private flowOf(state: FlowState): Flow {
    return this.flow(state.flowId);
  }

  /** The bot logic adapters run for every turn. */
  readonly onTurn = async (context: TurnContext): Promise<void> => {
    if (context.activity.type !== ActivityTypes.Message) return;
    const conversationId = context.activity.conversation?.id ?? '';
    await this.queue.run(`${context.activity.channelId}:${conversationId}`, () =>
      this.runTurn(context),
    );
  };

  /** Resolves when every turn in flight has finished (graceful shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Apologises in the family's language when a turn failed; their state was not changed. */
  readonly onTurnError = async (context: TurnContext, error: Error): Promise<void> => {
    this.deps.logger.error(
      {
        err: {
          name: error.name,
          code: 'code' in error ? error.code : undefined,
          stack: error.stack,
        },
        conversation: this.conversationHash(context),
      },
      'turn failed',
    );
    let language: Language = 'ar';
    try {
      const stored = await this.accessor.get(context);
      language =
        readConversation(stored).data.language ?? guessLanguage(context.activity.text ?? '');
    } catch (readError) {
      this.deps.logger.warn({ err: readError }, 'could not read state to apologise');
    }
    await context.sendActivity(this.deps.translator.t(language, 'common:turn_error'));
  };

  private conversationHash(context: TurnContext): string {
    return this.deps.hashId(
      `${context.activity.channelId}:${context.activity.conversation?.id ?? ''}`,
    );
  }

  private async runTurn(context: TurnContext): Promise<void> {
    const inbound = readInbound(context.activity);
    const messageHash = context.activity.id
      ? createHash('sha256').update(context.activity.id).digest('base64url').slice(0, 16)
      : undefined;

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await this.conversationState.load(context, attempt > 1);
      const loadedETag = eTagOf(this.conversationState.get(context));
      const { data, discarded } = readConversation(await this.accessor.get(context));
      if (discarded)
        this.deps.logger.warn(
          { conversation: this.conversationHash(context) },
          'stored state discarded',
        );
      if (messageHash && data.processed.includes(messageHash)) {
        this.deps.logger.info(
          { conversation: this.conversationHash(context) },
          'duplicate message ignored',
        );
        return;
      }

      const now = this.deps.clock.now();
      const decision = await this.decide(data, inbound, context, now);
      const results = await applyEffects(
        decision.effects,
        {
          now,
          language: decision.data.language ?? decision.language,
          channel: context.activity.channelId,
          address: context.activity.from.id,
          inbound,
        },
        this.deps,
      );
      if (decision.after) decision.replies = decision.after(results);
      if (results.reference) decision.data.lastCase = { reference: results.reference };
      if (messageHash)
        decision.data.processed = [...decision.data.processed, messageHash].slice(
          -REMEMBERED_MESSAGES,
        );
      await this.accessor.set(context, decision.data);
      try {
        await this.saveGuarded(context, loadedETag);
      } catch (error) {
        if (isStorageConflict(error) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      if (results.createdCase)
        this.deps.events?.publish({ type: 'created', ...results.createdCase });
      if (results.sighting?.created) {
        const { caseId, region, sightingId } = results.sighting;
        this.deps.events?.publish({ type: 'sighting', caseId, region, sightingId });
      }
      await this.send(context, decision, results);
      return;
    }
  }

  /**
   * Writes the conversation under the eTag it was read with (or creates it if
   * it was new). botbuilder's `BotState.saveChanges` always writes with eTag
   * `*`, last writer wins, so the guarded write is done here.
   */
  private async saveGuarded(context: TurnContext, loadedETag: string | undefined): Promise<void> {
    const key = this.conversationState.getStorageKey(context);
    if (!key) throw new Error('a turn without a conversation');
    const state: unknown = this.conversationState.get(context);
    const item = typeof state === 'object' && state !== null ? state : {};
    await this.deps.storage.write({ [key]: { ...item, eTag: loadedETag ?? NEW_ITEM_ETAG } });
  }

  private async send(
    context: TurnContext,
    decision: Decision,
    results: EffectResults,
  ): Promise<void> {
    const texts = decision.replies.map((reply) =>
      this.deps.translator.render(decision.language, reply, results),
    );
    await context.sendActivities(texts.map((text) => ({ type: ActivityTypes.Message, text })));
  }

  private async decide(
    stored: ConversationData,
    inbound: Inbound,
    context: TurnContext,
    now: Date,
  ): Promise<Decision> {
    const text = inbound.input.kind === 'text' ? inbound.input.text : '';
    const interruption = inbound.input.kind === 'text' ? recognizeInterruption(text) : null;
    let data = stored;
    if (data.flow && !this.deps.flows.has(data.flow.flowId)) {
      // A flow file removed since: start again politely rather than fail every turn.
      this.deps.logger.warn({ flow: data.flow.flowId }, 'conversation in an unknown flow reset');
      data = { ...data, flow: null };
    }

    // 0. STOP acts before anything else, even before a language is chosen.
    if (interruption === 'stop') {
      // A bare "STOP" says little: Latin letters are answered in French, Arabic in Arabic.
      const latin = /\p{Script=Latin}/u.test(text) && !/\p{Script=Arabic}/u.test(text);
      return this.stop(data, data.language ?? (latin ? 'fr' : guessLanguage(text)));
    }

    // 1. The language: the menu's answer, a detected first message, or the menu.
    if (data.awaitingLanguage || !data.language) {
      const chosen =
        (typeof interruption === 'object' && interruption !== null
          ? interruption.switchTo
          : undefined) ??
        (data.awaitingLanguage ? menuChoice(text) : undefined) ??
        confidentLanguage(text);
      if (!chosen) {
        const language = data.language ?? guessLanguage(text);
        return {
          data: { ...data, awaitingLanguage: true, pendingIntent: intentOf(text) },
          replies: [key('common:language.menu')],
          effects: [],
          language,
        };
      }
      const switched = {
        ...data,
        language: chosen,
        awaitingLanguage: false,
        pendingIntent: null,
      };
      if (data.flow) {
        return this.reply(switched, chosen, [
          lines(key('common:language.changed'), repeatQuestion(this.flowOf(data.flow), data.flow)),
        ]);
      }
      if (interruption === 'status') return this.status(switched, chosen, context);
      const intent = intentOf(text) ?? data.pendingIntent;
      return this.open(switched, chosen, inbound, context, now, intent, { remind: false });
    }
    const language = data.language;

    // 2. Words that act at any moment.
    if (interruption !== null) {
      const flowState = data.flow;
      const flow = flowState ? this.flowOf(flowState) : null;
      const again = flowState && flow ? [repeatQuestion(flow, flowState)] : [];
      if (typeof interruption === 'object') {
        const switched = { ...data, language: interruption.switchTo };
        return this.reply(switched, interruption.switchTo, [
          lines(key('common:language.changed'), ...again),
        ]);
      }
      switch (interruption) {
        case 'help':
          return this.reply(data, language, [lines(key('common:help'), ...again)]);
        case 'language':
          return this.reply({ ...data, awaitingLanguage: true }, language, [
            key('common:language.menu'),
          ]);
        case 'cancel':
          return this.reply({ ...data, flow: null }, language, [
            key(
              flowState && flowState.flowId !== 'report'
                ? 'common:cancelled_other'
                : 'common:cancelled',
            ),
          ]);
        case 'restart':
          // Restarts what the person is doing; with nothing in progress, a report.
          if (flowState && flowState.flowId !== 'report') {
            return this.step(
              data,
              language,
              startFlow(this.flowOf(flowState), this.newDraftId(), flowState.context),
            );
          }
          return this.begin({ ...data, flow: null }, language);
        case 'back': {
          if (!flowState || !flow)
            return this.reply(data, language, [key('common:back_unavailable')]);
          const back = goBack(flow, flowState);
          if (!back)
            return this.reply(data, language, [lines(key('common:back_unavailable'), ...again)]);
          return this.step(data, language, back);
        }
        case 'status':
          return this.status(data, language, context);
        default: {
          const unreachable: never = interruption;
          return unreachable;
        }
      }
    }

    // 3. An answer to the current question.
    if (data.flow) {
      const result = answer(this.flowOf(data.flow), data.flow, inbound.input, {
        now,
        ...(this.deps.findCity ? { findCity: this.deps.findCity } : {}),
      });
      if (result.outcome === 'report_instead') {
        // Someone an alert reached wants to report their own child: the report starts now.
        const report = this.begin({ ...data, flow: null }, language);
        return { ...report, replies: [...result.replies, ...report.replies] };
      }
      const decision = this.step(data, subscribedLanguage(result) ?? language, result);
      if (result.effects.some((effect) => effect.type === 'addSighting')) {
        // A number that sent too many within the hour is thanked and sent to 19 instead.
        decision.after = (results) =>
          results.sighting?.throttled ? [key('sighting:too_many')] : result.replies;
      }
      return decision;
    }

    // 4. Subscribing is a command, even for a family talking to an officer.
    if (matchesKeyword('subscribe', text)) return this.beginSubscribe(data, language);

    // 5. A family whose case an officer has taken talks to that officer.
    const active = await this.deps.cases.activeCaseFor(
      context.activity.channelId,
      context.activity.from.id,
    );
    if (active) return this.relayToOfficer(data, language, active.id, inbound, context, now);

    // 6. A sighting, a reminder of the report filed, or the start of a report.
    return this.open(data, language, inbound, context, now, intentOf(text), { remind: true });
  }

  /**
   * What a message outside any flow begins: a subscription, a sighting (asked
   * for, or from a number an active alert reached), else a report.
   */
  private async open(
    data: ConversationData,
    language: Language,
    inbound: Inbound,
    context: TurnContext,
    now: Date,
    intent: Intent | null,
    options: { remind: boolean },
  ): Promise<Decision> {
    if (intent === 'subscribe') return this.beginSubscribe(data, language);
    const text = inbound.input.kind === 'text' ? inbound.input.text : '';
    if (intent === 'sighting' || this.deps.alerts) {
      const alerts =
        (await this.deps.alerts?.activeFor(context.activity.channelId, context.activity.from.id)) ??
        [];
      // "J'ai vu…" opens a sighting only while an alert is active: a parent may
      // begin a report with "j'ai vu mon fils pour la dernière fois hier".
      const tells = alerts.length > 0 && beginsWithKeyword('sighting', text);
      if (intent === 'sighting' || tells || alerts.some((alert) => alert.received)) {
        if (alerts.length === 0) return this.reply(data, language, [key('sighting:no_alert')]);
        // Not said to be a sighting: the flow first asks what the message is about.
        const implicit = intent !== 'sighting' && !tells;
        return this.beginSighting(data, language, alerts, inbound, context, now, implicit);
      }
    }
    if (options.remind && data.lastCase) {
      return this.reply(data, language, [
        key('common:after_submit', { reference: raw(data.lastCase.reference) }),
      ]);
    }
    return this.begin(data, language);
  }

  private newDraftId(): string {
    return this.deps.newDraftId?.() ?? randomUUID();
  }

  private beginSubscribe(data: ConversationData, language: Language): Decision {
    return this.step(
      data,
      language,
      startFlow(this.flow('subscribe'), this.newDraftId(), { suggestedLanguage: language }),
    );
  }

  private async beginSighting(
    data: ConversationData,
    language: Language,
    alerts: AlertChoice[],
    inbound: Inbound,
    context: TurnContext,
    now: Date,
    implicit: boolean,
  ): Promise<Decision> {
    const recent =
      (await this.deps.sightings?.countSince(
        context.activity.channelId,
        context.activity.from.id,
        new Date(now.getTime() - HOUR_MS),
      )) ?? 0;
    if (recent >= SIGHTINGS_PER_HOUR_LIMIT) {
      return this.reply(data, language, [key('sighting:too_many')]);
    }
    const candidates: PickOption[] = alerts.map((alert) => ({
      value: alert.alertId,
      firstName: alert.firstName,
      ageYears: alert.ageYears,
      city: alert.city,
    }));
    const opening = inbound.input.kind === 'text' ? openingDescription(inbound.input.text) : null;
    const [only] = candidates;
    const single = candidates.length === 1 && only ? only : null;
    const result = startFlow(this.flow('sighting'), this.newDraftId(), {
      candidates,
      'candidates.several': candidates.length > 1,
      ...(single ? { alertId: single.value } : {}),
      ...(opening ? { opening } : {}),
      implicit,
    });
    // With one active alert, one line names the child instead of a question.
    const about = single
      ? [
          key(implicit ? 'sighting:received' : 'sighting:about', {
            child: describePickOption(single),
          }),
        ]
      : [];
    return this.step(data, language, { ...result, replies: [...about, ...result.replies] });
  }

  /** STOP: whatever was in progress ends, and the number receives no more alerts. */
  private stop(data: ConversationData, language: Language): Decision {
    const inFlow = data.flow?.flowId ?? null;
    const cancelled =
      inFlow === null
        ? []
        : [
            key(
              inFlow === 'report' ? 'common:stop.report_cancelled' : 'common:stop.flow_cancelled',
            ),
          ];
    return {
      data: { ...data, flow: null, awaitingLanguage: false, pendingIntent: null },
      replies: [],
      effects: [{ type: 'unsubscribe' }],
      language,
      after: (results) => [
        lines(
          ...cancelled,
          key(results.unsubscribed ? 'common:stop.unsubscribed' : 'common:stop.not_subscribed'),
        ),
      ],
    };
  }

  private async relayToOfficer(
    data: ConversationData,
    language: Language,
    caseId: string,
    inbound: Inbound,
    context: TurnContext,
    now: Date,
  ): Promise<Decision> {
    if (inbound.input.kind !== 'text' || !hasMeaningfulContent(inbound.input.text)) {
      return this.reply(data, language, [key('common:relay_text_only')]);
    }
    const { region } = await this.deps.cases.addFamilyMessage(caseId, {
      id: context.activity.id ?? randomUUID(),
      text: inbound.input.text.trim(),
      at: now,
    });
    this.deps.events?.publish({ type: 'message', caseId, region });
    return this.reply(data, language, [key('common:relayed')]);
  }

  private begin(data: ConversationData, language: Language): Decision {
    return this.step(data, language, startFlow(this.flow('report'), this.newDraftId()));
  }

  private step(data: ConversationData, language: Language, result: StepResult): Decision {
    return {
      data: { ...data, flow: result.state },
      replies: result.replies,
      effects: result.effects,
      language,
    };
  }

  private reply(data: ConversationData, language: Language, replies: Text[]): Decision {
    return { data, replies, effects: [], language };
  }

  private async status(
    data: ConversationData,
    language: Language,
    context: TurnContext,
  ): Promise<Decision> {
    const found = await this.deps.cases.latestForReporter(
      context.activity.channelId,
      context.activity.from.id,
    );
    const answerText = found
      ? key(`common:status.${found.status}`, { reference: raw(found.reference) })
      : key('common:status.none');
    const again = data.flow ? [repeatQuestion(this.flowOf(data.flow), data.flow)] : [];
    return this.reply(data, language, [lines(answerText, ...again)]);
  }
}

/** What a message outside a flow asks for, when it is one of the citizen commands. */
function intentOf(text: string): Intent | null {
  if (matchesKeyword('subscribe', text)) return 'subscribe';
  if (matchesKeyword('sighting', text)) return 'sighting';
  return null;
}

/**
 * The first message of a sighting, kept as the start of its description when
 * it says more than "I saw" or "hello": some words beyond the command.
 */
function openingDescription(text: string): string | null {
  const cleaned = stripInvisible(text).normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!hasMeaningfulContent(cleaned) || matchesKeyword('sighting', cleaned)) return null;
  const words = cleaned.split(' ').filter((word) => /[\p{L}\p{N}]/u.test(word));
  return words.length >= 4 ? cleaned.slice(0, 1000) : null;
}

/** The language a subscription chose, when this step submits it: the confirmation is in it. */
function subscribedLanguage(result: StepResult): Language | undefined {
  for (const effect of result.effects) {
    if (effect.type !== 'subscribe') continue;
    const chosen = effect.answers['subscription.language'];
    return LANGUAGES.find((language) => language === chosen);
  }
  return undefined;
}

const INTERRUPTIONS: Array<[KeywordSet, Interruption]> = [
  ['help', 'help'],
  ['cancel', 'cancel'],
  ['restart', 'restart'],
  ['back', 'back'],
  ['language', 'language'],
  ['status', 'status'],
  ['stop', 'stop'],
  ['lang_ar', { switchTo: 'ar' }],
  ['lang_fr', { switchTo: 'fr' }],
  ['lang_ary', { switchTo: 'ary' }],
];

/** The anytime word a whole message is, if it is one. */
export function recognizeInterruption(text: string): Interruption | null {
  for (const [set, interruption] of INTERRUPTIONS) {
    if (matchesKeyword(set, text)) return interruption;
  }
  return null;
}

function eTagOf(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null || !('eTag' in state)) return undefined;
  return typeof state.eTag === 'string' ? state.eTag : undefined;
}

function menuChoice(text: string): Language | undefined {
  const digit = normalizeDigits(stripInvisible(text)).trim();
  return /^[1-3]$/.test(digit) ? LANGUAGES[Number(digit) - 1] : undefined;
}

function confidentLanguage(text: string): Language | undefined {
  const guess = detectLanguage(text);
  return guess.confident ? guess.language : undefined;
}

/** The language to show the menu in when we cannot tell: the script decides. */
function guessLanguage(text: string): Language {
  const guess = detectLanguage(text);
  if (guess.confident) return guess.language;
  return guess.guess === 'fr' ? 'fr' : 'ar';
}
