import type { CaseStatus } from '../case/caseStatus.js';
import { beginsWithKeyword, type KeywordSet, matchesKeyword } from '../nlu/keywords.js';
import { LANGUAGES, type Language } from '../nlu/language.js';
import {
  confidentLanguage,
  guessLanguage,
  menuChoice,
  stopLanguage,
} from '../nlu/languageChoice.js';
import { hasMeaningfulContent, stripInvisible } from '../nlu/normalize.js';
import { recognizeRightsAsk } from '../nlu/rightsPhrases.js';
import type { SubjectRecord } from '../rights/subjectRecord.js';
import type { ConversationData, Intent } from './conversationState.js';
import { answer, goBack, repeatQuestion, type StepResult, startFlow } from './engine.js';
import type { Flow } from './flowSchema.js';
import type { Effect, FlowState } from './flowState.js';
import type { TurnInput } from './input.js';
import { type CityLookup, type PickOption, pickOptions } from './parseAnswer.js';
import {
  backToQuestion,
  beginRights,
  continueRights,
  type FileRightsRequest,
  type RightsTurn,
} from './rightsTurn.js';
import { describePickOption } from './summary.js';
import { key, lines, question, raw, type Text } from './text.js';

/** A number that sent this many sightings within the hour is asked to call 19 instead. */
export const SIGHTINGS_PER_HOUR_LIMIT = 6;

/** An active alert a citizen may be writing about ("which child?"). */
export interface AlertCandidate {
  alertId: string;
  firstName: string;
  ageYears: number;
  city: string | null;
  /** The alert reached this number (otherwise it is simply active). */
  received: boolean;
}

/**
 * What the router decides over: the conversation as stored, and what the
 * databases know about this number. The parts after `newDraftId` cost a query
 * each, so they are loaded only when the router asks for them (see
 * {@link Routing}): most turns are answers inside a flow and need none.
 */
export interface TurnSnapshot {
  conversation: ConversationData;
  now: Date;
  /** The id a flow started in this turn gets. */
  newDraftId: string;
  /** This number's latest case, for "where is my report?" (`null`: none). */
  latestCase?: { id: string; reference: string; status: CaseStatus } | null;
  /** The case an officer is talking about with this family, if any. */
  activeCase?: { id: string; reference: string } | null;
  /** The active alerts, those this number received first. */
  alerts?: readonly AlertCandidate[];
  /** How many sightings this number sent in the last hour. */
  recentSightings?: number;
  /** What is stored about this number, for a request about one's data. */
  subjectRecord?: SubjectRecord;
  /** The alert whose message this one replies to (`null`: not an alert's message). */
  repliedAlert?: string | null;
}

/** A part of the snapshot loaded on demand. */
export type SnapshotPart =
  | 'latestCase'
  | 'activeCase'
  | 'alerts'
  | 'recentSightings'
  | 'subjectRecord'
  | 'repliedAlert';

/** One inbound message as the router sees it. */
export interface RoutedMessage {
  input: TurnInput;
  /** The channel's id for the message, which keeps a relayed message stored once. */
  messageId: string;
  /** The channel's id of the message this one replies to, if it is a reply. */
  replyTo?: string;
}

/** What the router may consult that never changes between turns. */
export interface RouterContext {
  flows: { get(id: string): Flow | undefined };
  /** The gazetteer's city lookup, for the area of a subscription. */
  findCity?: CityLookup;
}

/** A family's message for the officer handling their case. */
export interface RelayToOfficer {
  type: 'relayToOfficer';
  caseId: string;
  /** What they wrote (empty for a voice note alone). */
  text: string;
  messageId: string;
  /** A voice note they sent, attached to the case with the message. */
  audio?: { audioId: string; mimeType: string };
}

/** What the host must do for the turn: the flow's effects and the router's own. */
export type TurnEffect = Effect | RelayToOfficer | FileRightsRequest;

/** What the effects found that the replies depend on. */
export interface EffectOutcome {
  /** STOP: whether the number was subscribed until now. */
  unsubscribed?: boolean;
  /** The sighting was refused because the number sends too many. */
  sightingThrottled?: boolean;
}

/** Replies known only once the effects ran. */
export type RepliesAfter =
  /** STOP: the lines about what was cancelled, then whether the number was subscribed. */
  | { kind: 'unsubscribed'; cancelled: Text[] }
  /** A sighting: thanks, or "too many, call 19" when the store refused it. */
  | { kind: 'sighting'; replies: Text[] };

/** Something the host should log: the router has no logger. */
export type RouterNotice = { type: 'unknownFlowReset'; flowId: string };

/** What one turn decided: the state to store, what to say, what to do. */
export interface TurnDecision {
  conversation: ConversationData;
  replies: Text[];
  effects: TurnEffect[];
  /** The language the replies are rendered in. */
  language: Language;
  /** When set, the replies come from the effects' outcome instead of `replies`. */
  after?: RepliesAfter;
  notices: RouterNotice[];
}

/** The router's answer: a decision, or the part of the snapshot it needs first. */
export type Routing =
  | { kind: 'decided'; decision: TurnDecision }
  | { kind: 'needs'; part: SnapshotPart };

/** Words that act at any moment, whatever question is asked. */
export type Interruption =
  | 'help'
  | 'cancel'
  | 'restart'
  | 'back'
  | 'language'
  | 'status'
  | 'stop'
  | { switchTo: Language };

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

/** The language menu, its answers (1 ar, 2 fr, 3 ary) offered as buttons named in their own language. */
export function languageMenu(): Text {
  return question(
    key('common:language.menu'),
    LANGUAGES.map((language, index) => ({
      value: String(index + 1),
      label: key(`choices:language.${language}`),
    })),
  );
}

/** The anytime word a whole message is, if it is one. */
export function recognizeInterruption(text: string): Interruption | null {
  for (const [set, interruption] of INTERRUPTIONS) {
    if (matchesKeyword(set, text)) return interruption;
  }
  return null;
}

/** What a message outside a flow asks for, when it is one of the citizen commands. */
export function intentOf(text: string): Intent | null {
  if (matchesKeyword('subscribe', text)) return 'subscribe';
  if (matchesKeyword('sighting', text)) return 'sighting';
  return null;
}

/**
 * The first message of a sighting, kept as the start of its description when
 * it says more than "I saw" or "hello": some words beyond the command.
 */
export function openingDescription(text: string): string | null {
  const cleaned = stripInvisible(text).normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!hasMeaningfulContent(cleaned) || matchesKeyword('sighting', cleaned)) return null;
  const words = cleaned.split(' ').filter((word) => /[\p{L}\p{N}]/u.test(word));
  return words.length >= 4 ? cleaned.slice(0, 1000) : null;
}

/** The replies of a decision once its effects ran. */
export function finalReplies(decision: TurnDecision, outcome: EffectOutcome): Text[] {
  const after = decision.after;
  if (!after) return decision.replies;
  switch (after.kind) {
    case 'unsubscribed':
      return [
        lines(
          ...after.cancelled,
          key(outcome.unsubscribed ? 'common:stop.unsubscribed' : 'common:stop.not_subscribed'),
        ),
      ];
    case 'sighting':
      return outcome.sightingThrottled ? [key('sighting:too_many')] : after.replies;
    default: {
      const unreachable: never = after;
      return unreachable;
    }
  }
}

/**
 * Decides one turn: recognises the anytime words, the language, lets the
 * flow engine take the answer, and says what to store, reply and do. Pure:
 * it reads only its arguments, and when the decision depends on a part of the
 * snapshot not loaded yet, it asks for that part instead; the host loads it
 * and routes again.
 */
export function routeTurn(
  snapshot: TurnSnapshot,
  message: RoutedMessage,
  context: RouterContext,
): Routing {
  return new TurnRouter(snapshot, message, context).route();
}

const decided = (decision: TurnDecision): Routing => ({ kind: 'decided', decision });
const needs = (part: SnapshotPart): Routing => ({ kind: 'needs', part });

/** One turn's routing; an object only so the helpers share the turn's arguments. */
class TurnRouter {
  private readonly notices: RouterNotice[] = [];
  private readonly text: string;

  constructor(
    private readonly snapshot: TurnSnapshot,
    private readonly message: RoutedMessage,
    private readonly context: RouterContext,
  ) {
    this.text = message.input.kind === 'text' ? message.input.text : '';
  }

  route(): Routing {
    const { input } = this.message;
    const text = this.text;
    const interruption = input.kind === 'text' ? recognizeInterruption(text) : null;
    let data = this.snapshot.conversation;
    if (data.flow && !this.context.flows.get(data.flow.flowId)) {
      // A flow file removed since: start again politely rather than fail every turn.
      this.notices.push({ type: 'unknownFlowReset', flowId: data.flow.flowId });
      data = { ...data, flow: null };
    }

    // 0. STOP acts before anything else, even before a language is chosen.
    if (interruption === 'stop') return this.stop(data, data.language ?? stopLanguage(text));

    // 1. The language: the menu's answer, a detected first message, or the menu.
    if (data.awaitingLanguage || !data.language) {
      // "mes données" as a first message: answered in the language of the phrase.
      const rightsAsk = input.kind === 'text' ? recognizeRightsAsk(text) : null;
      if (rightsAsk) {
        const spoken = rightsAsk.language ?? data.language ?? guessLanguage(text);
        const chosen = { ...data, language: spoken, awaitingLanguage: false };
        return this.rights(beginRights(rightsAsk.ask, this.rightsInput(chosen)), spoken);
      }
      const chosen =
        (typeof interruption === 'object' && interruption !== null
          ? interruption.switchTo
          : undefined) ??
        (data.awaitingLanguage ? menuChoice(text) : undefined) ??
        confidentLanguage(text);
      if (!chosen) {
        const language = data.language ?? guessLanguage(text);
        return this.reply(
          { ...data, awaitingLanguage: true, pendingIntent: intentOf(text) },
          language,
          [languageMenu()],
        );
      }
      const switched = { ...data, language: chosen, awaitingLanguage: false, pendingIntent: null };
      if (data.flow) {
        return this.reply(switched, chosen, [
          lines(key('common:language.changed'), repeatQuestion(this.flowOf(data.flow), data.flow)),
        ]);
      }
      if (interruption === 'status') return this.status(switched, chosen);
      const intent = intentOf(text) ?? data.pendingIntent;
      return this.open(switched, chosen, intent, { remind: false });
    }
    const language = data.language;

    // 2. A request about one's data waiting for its answer; any other anytime word closes it.
    if (data.rights) {
      const cancels = interruption === 'cancel' || interruption === 'back';
      if (interruption === null || cancels) {
        return this.rights(continueRights(data.rights, this.rightsInput(data)), language);
      }
      data = { ...data, rights: null };
    }

    // 3. Words that act at any moment, then a request about one's data, at any point.
    if (interruption !== null) return this.interrupt(data, language, interruption);
    const rightsAsk = input.kind === 'text' ? recognizeRightsAsk(text) : null;
    if (rightsAsk) {
      // Asked in another language ("أريد الاطلاع على معطياتي" in a French conversation): answered in it.
      const spoken = rightsAsk.language ?? language;
      const asked = { ...data, language: spoken };
      return this.rights(beginRights(rightsAsk.ask, this.rightsInput(asked)), spoken);
    }

    // 4. An answer to the current question.
    if (data.flow) return this.answer(data, data.flow, language);

    // An emoji on one of our messages asks for nothing.
    if (input.kind === 'unsupported' && input.media === 'reaction') {
      return this.reply(data, language, [key('media:reaction')]);
    }

    // 5. Subscribing is a command, even for a family talking to an officer.
    if (matchesKeyword('subscribe', text)) return this.beginSubscribe(data, language);

    // 6. A family whose case an officer has taken talks to that officer.
    const active = this.snapshot.activeCase;
    if (active === undefined) return needs('activeCase');
    if (active) return this.relayToOfficer(data, language, active.id);

    // 7. A sighting, a reminder of the report filed, or the start of a report.
    return this.open(data, language, intentOf(text), { remind: true });
  }

  /** What the rights dialogue reads: the turn, the stored record once loaded, the question to return to. */
  private rightsInput(data: ConversationData) {
    const flowState = data.flow;
    return {
      data,
      input: this.message.input,
      messageId: this.message.messageId,
      record: this.snapshot.subjectRecord,
      again: backToQuestion(flowState ? repeatQuestion(this.flowOf(flowState), flowState) : null),
    };
  }

  /** The rights dialogue's decision as the turn's; a message it does not take is routed as usual. */
  private rights(turn: RightsTurn, language: Language): Routing {
    switch (turn.kind) {
      case 'needsRecord':
        return needs('subjectRecord');
      case 'reply':
        return decided({
          conversation: turn.conversation,
          replies: turn.replies,
          effects: turn.effects,
          language,
          notices: this.notices,
        });
      case 'pass':
        return new TurnRouter(
          { ...this.snapshot, conversation: turn.conversation },
          this.message,
          this.context,
        ).route();
      default: {
        const unreachable: never = turn;
        return unreachable;
      }
    }
  }

  private interrupt(
    data: ConversationData,
    language: Language,
    interruption: Exclude<Interruption, 'stop'>,
  ): Routing {
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
        return this.reply({ ...data, awaitingLanguage: true }, language, [languageMenu()]);
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
            startFlow(this.flowOf(flowState), this.snapshot.newDraftId, flowState.context),
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
        return this.status(data, language);
      default: {
        const unreachable: never = interruption;
        return unreachable;
      }
    }
  }

  private answer(data: ConversationData, flowState: FlowState, language: Language): Routing {
    const flow = this.flowOf(flowState);
    let input = this.message.input;
    const node = flow.nodes.find((candidate) => candidate.id === flowState.nodeId);
    if (this.message.replyTo && node?.type === 'pick') {
      // "Which child?" answered by replying to that child's alert.
      const replied = this.snapshot.repliedAlert;
      if (replied === undefined) return needs('repliedAlert');
      const index = pickOptions(flowState.context[node.optionsFrom]).findIndex(
        (option) => option.value === replied,
      );
      if (index >= 0) input = { kind: 'text', text: String(index + 1) };
    }
    const result = answer(flow, flowState, input, {
      now: this.snapshot.now,
      ...(this.context.findCity ? { findCity: this.context.findCity } : {}),
    });
    if (result.outcome === 'report_instead') {
      // Someone an alert reached wants to report their own child: the report starts now.
      const report = this.report({ ...data, flow: null }, language);
      return decided({ ...report, replies: [...result.replies, ...report.replies] });
    }
    const decision = this.stepped(data, subscribedLanguage(result) ?? language, result);
    if (result.effects.some((effect) => effect.type === 'addSighting')) {
      // A number that sent too many within the hour is thanked and sent to 19 instead.
      return decided({ ...decision, after: { kind: 'sighting', replies: result.replies } });
    }
    return decided(decision);
  }

  /**
   * What a message outside any flow begins: a subscription, a sighting (asked
   * for, or from a number an active alert reached), else a report.
   */
  private open(
    data: ConversationData,
    language: Language,
    intent: Intent | null,
    options: { remind: boolean },
  ): Routing {
    if (intent === 'subscribe') return this.beginSubscribe(data, language);
    const alerts = this.snapshot.alerts;
    if (alerts === undefined) return needs('alerts');
    if (this.message.replyTo && alerts.length > 0) {
      // A reply to an alert's message is about that child: no "which child?".
      const replied = this.snapshot.repliedAlert;
      if (replied === undefined) return needs('repliedAlert');
      const named = alerts.find((alert) => alert.alertId === replied);
      if (named) {
        const implicit = intent !== 'sighting' && !beginsWithKeyword('sighting', this.text);
        return this.beginSighting(data, language, [named], implicit);
      }
    }
    // "J'ai vu…" opens a sighting only while an alert is active: a parent may
    // begin a report with "j'ai vu mon fils pour la dernière fois hier".
    const tells = alerts.length > 0 && beginsWithKeyword('sighting', this.text);
    if (intent === 'sighting' || tells || alerts.some((alert) => alert.received)) {
      if (alerts.length === 0) return this.reply(data, language, [key('sighting:no_alert')]);
      // Not said to be a sighting: the flow first asks what the message is about.
      const implicit = intent !== 'sighting' && !tells;
      return this.beginSighting(data, language, alerts, implicit);
    }
    const lastCase = data.lastCase;
    if (options.remind && lastCase) {
      return this.reply(data, language, [
        key('common:after_submit', { reference: raw(lastCase.reference) }),
      ]);
    }
    return this.begin(data, language);
  }

  private beginSubscribe(data: ConversationData, language: Language): Routing {
    return this.step(
      data,
      language,
      startFlow(this.flow('subscribe'), this.snapshot.newDraftId, { suggestedLanguage: language }),
    );
  }

  private beginSighting(
    data: ConversationData,
    language: Language,
    alerts: readonly AlertCandidate[],
    implicit: boolean,
  ): Routing {
    const recent = this.snapshot.recentSightings;
    if (recent === undefined) return needs('recentSightings');
    if (recent >= SIGHTINGS_PER_HOUR_LIMIT) {
      return this.reply(data, language, [key('sighting:too_many')]);
    }
    const candidates: PickOption[] = alerts.map((alert) => ({
      value: alert.alertId,
      firstName: alert.firstName,
      ageYears: alert.ageYears,
      city: alert.city,
    }));
    const opening =
      this.message.input.kind === 'text' ? openingDescription(this.message.input.text) : null;
    const [only] = candidates;
    const single = candidates.length === 1 && only ? only : null;
    const result = startFlow(this.flow('sighting'), this.snapshot.newDraftId, {
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
  private stop(data: ConversationData, language: Language): Routing {
    const inFlow = data.flow?.flowId ?? null;
    const cancelled =
      inFlow === null
        ? []
        : [
            key(
              inFlow === 'report' ? 'common:stop.report_cancelled' : 'common:stop.flow_cancelled',
            ),
          ];
    return decided({
      conversation: { ...data, flow: null, awaitingLanguage: false, pendingIntent: null },
      replies: [],
      effects: [{ type: 'unsubscribe' }],
      language,
      after: { kind: 'unsubscribed', cancelled },
      notices: this.notices,
    });
  }

  private relayToOfficer(data: ConversationData, language: Language, caseId: string): Routing {
    const { input } = this.message;
    if (input.kind === 'audio') {
      if (input.problem) {
        const problem = input.problem === 'too_large' ? 'too_large' : 'bad_type';
        return this.reply(data, language, [key(`media:voice.${problem}`)]);
      }
      return decided({
        conversation: data,
        replies: [key('common:relayed')],
        effects: [
          {
            type: 'relayToOfficer',
            caseId,
            text: '',
            messageId: this.message.messageId,
            audio: { audioId: input.audioId, mimeType: input.mimeType },
          },
        ],
        language,
        notices: this.notices,
      });
    }
    if (input.kind !== 'text' || !hasMeaningfulContent(input.text)) {
      return this.reply(data, language, [key('common:relay_text_only')]);
    }
    return decided({
      conversation: data,
      replies: [key('common:relayed')],
      effects: [
        {
          type: 'relayToOfficer',
          caseId,
          text: input.text.trim(),
          messageId: this.message.messageId,
        },
      ],
      language,
      notices: this.notices,
    });
  }

  private status(data: ConversationData, language: Language): Routing {
    const found = this.snapshot.latestCase;
    if (found === undefined) return needs('latestCase');
    const answerText = found
      ? key(`common:status.${found.status}`, { reference: raw(found.reference) })
      : key('common:status.none');
    const again = data.flow ? [repeatQuestion(this.flowOf(data.flow), data.flow)] : [];
    return this.reply(data, language, [lines(answerText, ...again)]);
  }

  private begin(data: ConversationData, language: Language): Routing {
    return decided(this.report(data, language));
  }

  /** A new report, from its first question. */
  private report(data: ConversationData, language: Language): TurnDecision {
    return this.stepped(data, language, startFlow(this.flow('report'), this.snapshot.newDraftId));
  }

  private step(data: ConversationData, language: Language, result: StepResult): Routing {
    return decided(this.stepped(data, language, result));
  }

  private stepped(data: ConversationData, language: Language, result: StepResult): TurnDecision {
    return {
      conversation: { ...data, flow: result.state },
      replies: result.replies,
      effects: result.effects,
      language,
      notices: this.notices,
    };
  }

  private reply(data: ConversationData, language: Language, replies: Text[]): Routing {
    return decided({ conversation: data, replies, effects: [], language, notices: this.notices });
  }

  /** A flow of the catalog; the host checks at start-up that the three it starts exist. */
  private flow(id: string): Flow {
    const flow = this.context.flows.get(id);
    if (!flow) throw new Error(`flows/${id}.yaml is missing`);
    return flow;
  }

  private flowOf(state: FlowState): Flow {
    return this.flow(state.flowId);
  }
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
