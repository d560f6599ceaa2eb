import { createHash, randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  ConversationState,
  type StatePropertyAccessor,
  type Storage,
  type TurnContext,
} from 'botbuilder-core';
import {
  answer,
  goBack,
  repeatQuestion,
  type StepResult,
  startFlow,
} from '../conversation/engine.js';
import type { Flow } from '../conversation/flowSchema.js';
import type { Effect } from '../conversation/flowState.js';
import type { FlowCatalog } from '../conversation/loadFlows.js';
import { key, lines, raw, type Text } from '../conversation/text.js';
import type { Place } from '../domain/report.js';
import { detectLanguage } from '../i18n/detectLanguage.js';
import { type KeywordSet, matchesKeyword } from '../i18n/keywords.js';
import { LANGUAGES, type Language } from '../i18n/language.js';
import { hasMeaningfulContent, normalizeDigits, stripInvisible } from '../i18n/normalize.js';
import type { Translator } from '../i18n/translator.js';
import type { Logger } from '../logger.js';
import { isStorageConflict, NEW_ITEM_ETAG } from '../store/mongoStorage.js';
import { applyEffects, type EffectResults } from './applyEffects.js';
import type { CaseEvents } from './caseEvents.js';
import { type ConversationData, readConversation } from './conversationState.js';
import { type Inbound, readInbound } from './inbound.js';
import { KeyedQueue } from './keyedQueue.js';
import type { CaseRepository, Clock, PhotoStore } from './ports.js';

export interface TifliBotDeps {
  storage: Storage;
  flows: FlowCatalog;
  translator: Translator;
  cases: CaseRepository;
  photos: PhotoStore;
  clock: Clock;
  logger: Logger;
  hashId: (id: string) => string;
  referencePrefix: string;
  regionOf: (place: Place, city: string | null) => string | null;
  /** Tells the console what happened (optional: benchmarks run without it). */
  events?: CaseEvents;
  newDraftId?: () => string;
}

/** Words that act at any moment, whatever question is asked. */
type Interruption =
  | 'help'
  | 'cancel'
  | 'restart'
  | 'back'
  | 'language'
  | 'status'
  | { switchTo: Language };

/** How many handled message ids a conversation remembers to drop redeliveries. */
const REMEMBERED_MESSAGES = 30;
const MAX_ATTEMPTS = 4;

/** What one turn decided: the state to store, what to say, what to do. */
interface Decision {
  data: ConversationData;
  replies: Text[];
  effects: Effect[];
  language: Language;
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
  private readonly report: Flow;

  constructor(private readonly deps: TifliBotDeps) {
    this.conversationState = new ConversationState(deps.storage);
    this.accessor = this.conversationState.createProperty<unknown>('tifli');
    const report = deps.flows.get('report');
    if (!report) throw new Error('flows/report.yaml is missing');
    this.report = report;
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
          language: decision.language,
          channel: context.activity.channelId,
          address: context.activity.from.id,
          inbound,
        },
        this.deps,
      );
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
    data: ConversationData,
    inbound: Inbound,
    context: TurnContext,
    now: Date,
  ): Promise<Decision> {
    const text = inbound.input.kind === 'text' ? inbound.input.text : '';
    const interruption = inbound.input.kind === 'text' ? recognizeInterruption(text) : null;

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
          data: { ...data, awaitingLanguage: true },
          replies: [key('common:language.menu')],
          effects: [],
          language,
        };
      }
      const switched = { ...data, language: chosen, awaitingLanguage: false };
      if (data.flow) {
        return this.reply(switched, chosen, [
          lines(key('common:language.changed'), repeatQuestion(this.report, data.flow)),
        ]);
      }
      if (interruption === 'status') return this.status(switched, chosen, context);
      return this.begin(switched, chosen);
    }
    const language = data.language;

    // 2. Words that act at any moment.
    if (interruption !== null) {
      const flow = data.flow;
      const again = flow ? [repeatQuestion(this.report, flow)] : [];
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
          return this.reply({ ...data, flow: null }, language, [key('common:cancelled')]);
        case 'restart':
          return this.begin({ ...data, flow: null }, language);
        case 'back': {
          if (!flow) return this.reply(data, language, [key('common:back_unavailable')]);
          const back = goBack(this.report, flow);
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

    // 3. A family whose case an officer has taken talks to that officer.
    if (!data.flow) {
      const active = await this.deps.cases.activeCaseFor(
        context.activity.channelId,
        context.activity.from.id,
      );
      if (active) return this.relayToOfficer(data, language, active.id, inbound, context, now);
    }

    // 4. An answer to the current question, or the start of a report.
    if (data.flow)
      return this.step(data, language, answer(this.report, data.flow, inbound.input, { now }));
    if (data.lastCase) {
      return this.reply(data, language, [
        key('common:after_submit', { reference: raw(data.lastCase.reference) }),
      ]);
    }
    return this.begin(data, language);
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
    const draftId = this.deps.newDraftId?.() ?? randomUUID();
    return this.step(data, language, startFlow(this.report, draftId));
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
    const again = data.flow ? [repeatQuestion(this.report, data.flow)] : [];
    return this.reply(data, language, [lines(answerText, ...again)]);
  }
}

const INTERRUPTIONS: Array<[KeywordSet, Interruption]> = [
  ['help', 'help'],
  ['cancel', 'cancel'],
  ['restart', 'restart'],
  ['back', 'back'],
  ['language', 'language'],
  ['status', 'status'],
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
