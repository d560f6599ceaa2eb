import { matchesKeyword } from '../nlu/keywords.js';
import { normalizeDigits, stripInvisible } from '../nlu/normalize.js';
import type { Flow, FlowNode, InputNode } from './flowSchema.js';
import type { Effect, FlowOutcome, FlowState } from './flowState.js';
import type { TurnInput } from './input.js';
import { type AnswerValue, type CityLookup, parseAnswer, pickOptions } from './parseAnswer.js';
import { describeAnswer, describePickOption } from './summary.js';
import { type Choice, key, lines, num, question, raw, type Text } from './text.js';

/**
 * The result of one step of a flow: what to say, what the host must do, and
 * the new state (`null` once the flow has ended). The engine never sends or
 * saves anything itself (goflow's "actions record events, the host applies them").
 */
export interface StepResult {
  state: FlowState | null;
  replies: Text[];
  effects: Effect[];
  outcome?: FlowOutcome;
}

/**
 * What a step may consult besides the answers: the clock ("this morning"
 * depends on it) and the host's lookups, passed in so the engine stays pure.
 */
export interface StepContext {
  now: Date;
  /** The gazetteer's city lookup, for `area` questions. */
  findCity?: CityLookup;
}

/** The answers so far and what the host knew at the start, as conditions and prompts see them. */
type Known = Pick<FlowState, 'answers' | 'context'>;

/** Conditions read answers first, then the context the host gave when the flow began. */
const knownValues = (known: Known): Record<string, unknown> => ({
  ...known.context,
  ...known.answers,
});

const isInput = (node: FlowNode): node is InputNode => 'store' in node;

function nodeIndex(flow: Flow, id: string): number {
  const index = flow.nodes.findIndex((node) => node.id === id);
  if (index < 0) throw new Error(`flow ${flow.id} has no node ${id}`);
  return index;
}

/** Whether a node's `when` condition holds for the answers so far. */
export function isApplicable(node: FlowNode, answers: Record<string, unknown>): boolean {
  if (!node.when) return true;
  return readPath(answers, node.when.answer) === node.when.equals;
}

/** Reads `a.b.c` through the flat answer map, where a stored value may be an object. */
function readPath(answers: Record<string, unknown>, path: string): unknown {
  const parts = path.split('.');
  for (let split = parts.length; split > 0; split--) {
    const head = parts.slice(0, split).join('.');
    if (head in answers) {
      let value: unknown = answers[head];
      for (const part of parts.slice(split)) {
        if (typeof value !== 'object' || value === null) return undefined;
        value = Object.getOwnPropertyDescriptor(value, part)?.value;
      }
      return value;
    }
  }
  return undefined;
}

/** The answers of the nodes that still apply (a changed answer can make others moot). */
export function activeAnswers(flow: Flow, known: Known): Record<string, unknown> {
  const values = knownValues(known);
  const kept: Record<string, unknown> = {};
  for (const node of flow.nodes) {
    if (isInput(node) && node.store in known.answers && isApplicable(node, values)) {
      kept[node.store] = known.answers[node.store];
    }
  }
  return kept;
}

/** The numbered lines of the summary: every applicable question but consent. */
export function summaryNodes(flow: Flow, known: Known): InputNode[] {
  const values = knownValues(known);
  return flow.nodes.filter(
    (node): node is InputNode =>
      isInput(node) &&
      node.type !== 'consent' &&
      isApplicable(node, values) &&
      node.store in known.answers,
  );
}

/** The short label of a choice option, for a button (`choices` namespace). */
export const choiceLabelKey = (flowId: string, nodeId: string, value: string): string =>
  `choices:${flowId}.${nodeId}.${value}`;

/** Yes and no as buttons: their values are words every language's parser accepts. */
const yesNoChoices = (kind: 'consent' | 'yes_no'): Choice[] => [
  { value: 'yes', label: key(`choices:${kind}.yes`) },
  { value: 'no', label: key(`choices:${kind}.no`) },
];

/** The question itself, with its choices and the "you may skip" hint. */
export function prompt(flow: Flow, node: FlowNode, known: Known): Text {
  const ns = flow.id;
  const optionalHint = 'optional' in node && node.optional ? [key('common:optional_hint')] : [];
  switch (node.type) {
    case 'choice': {
      const suggested = node.suggested
        ? node.options.find((option) => option.value === known.context[node.suggested ?? ''])
        : undefined;
      const choices = node.options.map((option, index) => ({
        value: String(index + 1),
        label: key(choiceLabelKey(ns, node.id, option.value)),
      }));
      return question(
        lines(
          key(`${ns}:${node.id}.prompt`),
          ...node.options.map((option, index) =>
            key('common:choice_option', {
              number: num(index + 1),
              label: key(`${ns}:${node.id}.options.${option.value}`),
            }),
          ),
          ...(suggested
            ? [
                key('common:choice_suggested', {
                  label: key(`${ns}:${node.id}.options.${suggested.value}`),
                }),
              ]
            : []),
          ...optionalHint,
        ),
        choices,
      );
    }
    case 'pick': {
      const options = pickOptions(known.context[node.optionsFrom]);
      return question(
        lines(
          key(`${ns}:${node.id}.prompt`),
          ...options.map((option, index) =>
            key('common:choice_option', {
              number: num(index + 1),
              label: describePickOption(option),
            }),
          ),
          ...optionalHint,
        ),
        options.map((option, index) => ({
          value: String(index + 1),
          label: key('choices:alert_child', {
            name: raw(option.firstName),
            age: num(option.ageYears),
          }),
        })),
      );
    }
    case 'summary':
      return lines(
        key(`${ns}:${node.id}.header`),
        ...summaryNodes(flow, known).map((input, index) =>
          key('common:summary_line', {
            number: num(index + 1),
            label: key(`${ns}:${input.id}.label`),
            value: describeAnswer(flow, input, known.answers[input.store], known.context),
          }),
        ),
        key(`${ns}:${node.id}.footer`),
      );
    case 'message':
    case 'end':
      return key(`${ns}:${node.id}.text`);
    case 'submit':
      return key(`${ns}:${node.id}.done`, {
        reference: { kind: 'effectResult', name: 'reference' },
      });
    case 'consent':
    case 'yes_no':
      return question(
        optionalHint.length > 0
          ? lines(key(`${ns}:${node.id}.prompt`), ...optionalHint)
          : key(`${ns}:${node.id}.prompt`),
        yesNoChoices(node.type),
      );
    case 'location':
    case 'area':
      return question(
        optionalHint.length > 0
          ? lines(key(`${ns}:${node.id}.prompt`), ...optionalHint)
          : key(`${ns}:${node.id}.prompt`),
        [],
        { requestLocation: true },
      );
    case 'date_time':
    case 'photo':
    case 'phone':
    case 'text':
    case 'number':
      return optionalHint.length > 0
        ? lines(key(`${ns}:${node.id}.prompt`), ...optionalHint)
        : key(`${ns}:${node.id}.prompt`);
    default: {
      const unreachable: never = node;
      return unreachable;
    }
  }
}

/**
 * Runs the flow forward from `index`: says messages, skips questions whose
 * condition does not hold (and, while correcting, questions already
 * answered), and stops at the next question, the summary, or the end.
 */
function runFrom(
  flow: Flow,
  index: number,
  state: FlowState,
  replies: Text[],
  effects: Effect[],
): StepResult {
  for (let i = index; i < flow.nodes.length; i++) {
    const node = flow.nodes[i];
    if (!node || !isApplicable(node, knownValues(state))) continue;
    switch (node.type) {
      case 'message':
        replies.push(prompt(flow, node, state));
        continue;
      case 'end':
        // End nodes are reached only by an explicit jump, never by falling through.
        continue;
      case 'submit': {
        effects.push({
          type: node.effect,
          draftId: state.draftId,
          flowId: flow.id,
          flowVersion: flow.version,
          answers: activeAnswers(flow, state),
          context: state.context,
        });
        replies.push(prompt(flow, node, state));
        return { state: null, replies, effects, outcome: 'submitted' };
      }
      case 'summary':
        replies.push(prompt(flow, node, state));
        return { state: { ...state, nodeId: node.id, editing: false }, replies, effects };
      default:
        if (state.editing && node.store in state.answers) continue;
        replies.push(prompt(flow, node, state));
        return {
          state: { ...state, nodeId: node.id, history: [...state.history, node.id] },
          replies,
          effects,
        };
    }
  }
  return { state: null, replies, effects };
}

function endAt(flow: Flow, id: string, replies: Text[]): StepResult {
  const node = flow.nodes[nodeIndex(flow, id)];
  if (node?.type !== 'end') throw new Error(`flow ${flow.id}: ${id} is not an end node`);
  replies.push(prompt(flow, node, { answers: {}, context: {} }));
  return { state: null, replies, effects: [], outcome: node.outcome };
}

/**
 * Begins a flow: greets and asks the first question. `context` is what the
 * host knows that the questions depend on (JSON values, kept with the state).
 */
export function startFlow(
  flow: Flow,
  draftId: string,
  context: Record<string, unknown> = {},
): StepResult {
  const state: FlowState = {
    flowId: flow.id,
    flowVersion: flow.version,
    nodeId: flow.nodes[0]?.id ?? '',
    answers: {},
    history: [],
    editing: false,
    draftId,
    context,
  };
  return runFrom(flow, 0, state, [], []);
}

/** Asks the current question again (after help, a status answer, an unusable message…). */
export function repeatQuestion(flow: Flow, state: FlowState): Text {
  const node = flow.nodes[nodeIndex(flow, state.nodeId)];
  if (!node) throw new Error(`flow ${flow.id}: no node ${state.nodeId}`);
  return prompt(flow, node, state);
}

/** Takes the person's answer to the current question. */
export function answer(
  flow: Flow,
  state: FlowState,
  input: TurnInput,
  context: StepContext,
): StepResult {
  const index = nodeIndex(flow, state.nodeId);
  const node = flow.nodes[index];
  if (!node) throw new Error(`flow ${flow.id}: no node at ${index}`);
  const reask = (problem: Text): StepResult => ({
    state,
    replies: [lines(problem, prompt(flow, node, state))],
    effects: [],
  });

  if (input.kind === 'unsupported') {
    return reask(key(input.media === 'reaction' ? 'media:reaction' : 'common:unsupported_media'));
  }
  if (input.kind === 'text' && stripInvisible(input.text).trim() === '') {
    return reask(key('common:empty'));
  }

  if (node.type === 'summary') {
    if (input.kind === 'audio') return reask(key('media:voice.tap_or_type'));
    return answerSummary(flow, state, node, index, input);
  }
  if (!isInput(node)) return runFrom(flow, index, state, [], []);

  const parsed = parseAnswer(node, input, {
    now: context.now,
    namespace: flow.id,
    ...(context.findCity ? { findCity: context.findCity } : {}),
    suggested: 'suggested' in node && node.suggested ? state.context[node.suggested] : undefined,
    options: node.type === 'pick' ? pickOptions(state.context[node.optionsFrom]) : [],
  });
  if (!parsed.ok) return reask(parsed.problem);

  const answers: Record<string, AnswerValue | unknown> = {
    ...state.answers,
    [node.store]: parsed.value,
  };
  const effects: Effect[] = [];
  if (parsed.photo) {
    effects.push({ type: 'savePhoto', photoId: parsed.photo.photoId, draftId: state.draftId });
  }
  if (parsed.audio) {
    effects.push({ type: 'saveAudio', audioId: parsed.audio.audioId, draftId: state.draftId });
  }
  const next = { ...state, answers };

  if (node.type === 'consent' && parsed.value === false) return endAt(flow, node.onRefuse, []);
  if (node.type === 'choice') {
    const target = node.options.find((option) => option.value === parsed.value)?.next;
    if (target) return endAt(flow, target, []);
  }
  return runFrom(flow, index + 1, next, [], effects);
}

function answerSummary(
  flow: Flow,
  state: FlowState,
  node: Extract<FlowNode, { type: 'summary' }>,
  index: number,
  input: TurnInput,
): StepResult {
  const listed = summaryNodes(flow, state);
  const invalid = (): StepResult => ({
    state,
    replies: [key(`${flow.id}:${node.id}.invalid`, { max: num(listed.length) })],
    effects: [],
  });
  if (input.kind !== 'text') return invalid();
  const text = input.text;
  const choice = parseLineNumber(text);
  if (choice !== null) {
    const target = listed[choice - 1];
    if (!target) return invalid();
    return {
      state: { ...state, nodeId: target.id, editing: true, history: [...state.history, target.id] },
      replies: [prompt(flow, target, state)],
      effects: [],
    };
  }
  if (isConfirmation(text)) return runFrom(flow, index + 1, state, [], []);
  return invalid();
}

/**
 * Goes back to the previous question. Returns `null` when there is none, so
 * the host can say so in the person's language.
 */
export function goBack(flow: Flow, state: FlowState): StepResult | null {
  // At the summary the last question asked is still on top of the history.
  const history =
    state.history.at(-1) === state.nodeId ? state.history.slice(0, -1) : state.history;
  const previous = history.at(-1);
  if (!previous) return null;
  const node = flow.nodes[nodeIndex(flow, previous)];
  if (!node) return null;
  return {
    state: { ...state, nodeId: previous, history, editing: false },
    replies: [prompt(flow, node, state)],
    effects: [],
  };
}

function parseLineNumber(text: string): number | null {
  const digits = normalizeDigits(stripInvisible(text)).trim();
  return /^\d{1,2}$/.test(digits) ? Number(digits) : null;
}

function isConfirmation(text: string): boolean {
  return matchesKeyword('confirm', text) || matchesKeyword('yes', text);
}
