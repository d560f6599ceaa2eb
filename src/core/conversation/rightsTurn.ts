import { matchesKeyword } from '../nlu/keywords.js';
import { hasMeaningfulContent, normalizeDigits, stripInvisible } from '../nlu/normalize.js';
import { type RightsAsk, recognizeRightsAsk } from '../nlu/rightsPhrases.js';
import type { RightsKind } from '../rights/rightsRequest.js';
import {
  describeSubjectRecord,
  isEmptyRecord,
  type SubjectRecord,
} from '../rights/subjectRecord.js';
import type { ConversationData, RightsStep } from './conversationState.js';
import type { TurnInput } from './input.js';
import { key, lines, raw, type Text } from './text.js';

/** A request about one's data for the host to file (and, for an erasure, to start). */
export interface FileRightsRequest {
  type: 'fileRightsRequest';
  kind: RightsKind;
  /** What the family says is wrong (a correction). */
  text: string | null;
  /** The channel's message id: the request's idempotency key. */
  messageId: string;
}

/** What the rights dialogue decided for this turn. */
export type RightsTurn =
  /** It needs what is stored about the number first. */
  | { kind: 'needsRecord' }
  | { kind: 'reply'; conversation: ConversationData; replies: Text[]; effects: FileRightsRequest[] }
  /** Not an answer to the rights dialogue: it is closed and the message is routed as usual. */
  | { kind: 'pass'; conversation: ConversationData };

/** What the rights dialogue reads of the turn. */
export interface RightsTurnInput {
  data: ConversationData;
  input: TurnInput;
  messageId: string;
  /** What is stored about the number, once loaded. */
  record: SubjectRecord | undefined;
  /** "Back to your question" and the question, when a flow is in progress. */
  again: Text[];
}

/** The question to come back to, said after the rights dialogue ends. */
export function backToQuestion(question: Text | null): Text[] {
  return question ? [key('rights:back_to_question'), question] : [];
}

const textOf = (input: TurnInput): string => (input.kind === 'text' ? input.text : '');

/** A menu's number answer (1 see, 2 correct, 3 erase, 0 back), in any digits. */
function menuNumber(text: string): RightsAsk | 'leave' | null {
  const digit = normalizeDigits(stripInvisible(text)).trim();
  if (digit === '1') return 'access';
  if (digit === '2') return 'rectify';
  if (digit === '3') return 'erase';
  if (digit === '0') return 'leave';
  return null;
}

/** Whether the message asks about one's data (a phrase of rightsPhrases.ts). */
export function rightsAskOf(input: TurnInput): RightsAsk | null {
  return input.kind === 'text' ? (recognizeRightsAsk(input.text)?.ask ?? null) : null;
}

/**
 * Starts what a rights phrase asked for: the menu, the summary of what is
 * stored, the question of what to correct, or the confirmation of an erasure.
 */
export function beginRights(ask: RightsAsk, turn: RightsTurnInput): RightsTurn {
  const { data, record, again } = turn;
  const reply = (
    rights: RightsStep | null,
    replies: Text[],
    effects: FileRightsRequest[] = [],
  ): RightsTurn => ({ kind: 'reply', conversation: { ...data, rights }, replies, effects });
  if (ask === 'menu') return reply('menu', [key('rights:menu')]);
  if (record === undefined) return { kind: 'needsRecord' };
  switch (ask) {
    case 'access':
      return reply(
        null,
        [lines(describeSubjectRecord(record), ...again)],
        [{ type: 'fileRightsRequest', kind: 'access', text: null, messageId: turn.messageId }],
      );
    case 'rectify': {
      const latest = record.cases[0];
      if (!latest) return reply(null, [lines(key('rights:rectify.no_case'), ...again)]);
      return reply('correction', [key('rights:rectify.ask', { reference: raw(latest.reference) })]);
    }
    case 'erase': {
      if (isEmptyRecord(record)) return reply(null, [lines(key('rights:erase.nothing'), ...again)]);
      return reply('confirmErase', [
        lines(...eraseConsequences(record), key('rights:erase.confirm')),
      ]);
    }
    default: {
      const unreachable: never = ask;
      return unreachable;
    }
  }
}

/** What an erasure request will do, said before the person confirms it. */
function eraseConsequences(record: SubjectRecord): Text[] {
  const said: Text[] = [];
  if (record.subscription) said.push(key('rights:erase.subscription_at_once'));
  const [latest] = record.cases;
  if (latest) said.push(key('rights:erase.case_reviewed', { reference: raw(latest.reference) }));
  else if (record.sightings.length > 0) said.push(key('rights:erase.sightings_reviewed'));
  return said;
}

/** What the erasure request did, once confirmed. */
function eraseFiled(record: SubjectRecord): Text[] {
  const said: Text[] = [];
  if (record.subscription) said.push(key('rights:erase.subscription_erased'));
  if (record.cases.length > 0 || record.sightings.length > 0) {
    said.push(key('rights:erase.filed'));
  }
  return said.length > 0 ? said : [key('rights:erase.nothing')];
}

/** The person's answer while the rights dialogue waits for one. */
export function continueRights(step: RightsStep, turn: RightsTurnInput): RightsTurn {
  const { data, input, again } = turn;
  const text = textOf(input);
  const closed = { ...data, rights: null };
  const leave = (said: Text): RightsTurn => ({
    kind: 'reply',
    conversation: closed,
    replies: [lines(said, ...again)],
    effects: [],
  });
  if (matchesKeyword('cancel', text) || matchesKeyword('back', text)) {
    return leave(key('rights:left'));
  }
  switch (step) {
    case 'menu': {
      const chosen = menuNumber(text) ?? rightsAskOf(input);
      if (chosen === 'leave') return leave(key('rights:left'));
      if (chosen === null || chosen === 'menu') return { kind: 'pass', conversation: closed };
      return beginRights(chosen, { ...turn, data: closed });
    }
    case 'correction': {
      if (input.kind !== 'text' || !hasMeaningfulContent(text)) {
        return {
          kind: 'reply',
          conversation: data,
          replies: [key('rights:rectify.text_only')],
          effects: [],
        };
      }
      const { record } = turn;
      if (record === undefined) return { kind: 'needsRecord' };
      const reference = record.cases[0]?.reference;
      if (!reference) return leave(key('rights:rectify.no_case'));
      return {
        kind: 'reply',
        conversation: closed,
        replies: [lines(key('rights:rectify.filed', { reference: raw(reference) }), ...again)],
        effects: [
          {
            type: 'fileRightsRequest',
            kind: 'rectify',
            text: text.trim().slice(0, 2000),
            messageId: turn.messageId,
          },
        ],
      };
    }
    case 'confirmErase': {
      if (matchesKeyword('no', text)) return leave(key('rights:erase.kept'));
      if (!matchesKeyword('yes', text) && !matchesKeyword('confirm', text)) {
        return {
          kind: 'reply',
          conversation: data,
          replies: [key('rights:erase.yes_no')],
          effects: [],
        };
      }
      const { record } = turn;
      if (record === undefined) return { kind: 'needsRecord' };
      return {
        kind: 'reply',
        conversation: closed,
        replies: [lines(...eraseFiled(record), ...again)],
        effects: [
          { type: 'fileRightsRequest', kind: 'erase', text: null, messageId: turn.messageId },
        ],
      };
    }
    default: {
      const unreachable: never = step;
      return unreachable;
    }
  }
}
