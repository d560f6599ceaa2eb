import type { ConversationData } from './conversationState.js';
import { repeatQuestion } from './engine.js';
import type { Flow } from './flowSchema.js';
import { key, raw, type Text } from './text.js';

/**
 * What a family is waiting to be asked, read from their stored conversation:
 * the current question of their flow, the language menu, or the reference of
 * the report they filed last. `null` when nothing is in progress (a first
 * message that failed left nothing behind; the family writes again).
 *
 * After a turn that failed, this is what the family is sent once the database
 * is back: if their answer was saved after all, it is the NEXT question; if
 * not, the same one again. Either way they are not left without a question.
 */
export function resumeQuestion(
  data: ConversationData,
  flows: { get(id: string): Flow | undefined },
): Text | null {
  if (data.awaitingLanguage) return key('common:language.menu');
  if (data.flow) {
    const flow = flows.get(data.flow.flowId);
    return flow ? repeatQuestion(flow, data.flow) : null;
  }
  if (data.lastCase) return key('common:after_submit', { reference: raw(data.lastCase.reference) });
  return null;
}
