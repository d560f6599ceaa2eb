import { ConversationState, MemoryStorage, type TurnContext } from 'botbuilder';
import {
  ConfirmPrompt,
  DialogSet,
  DialogTurnStatus,
  NumberPrompt,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { referenceTurns } from './familyScript.js';

/** botbuilder's own way: a WaterfallDialog of the same number of prompts, MemoryStorage, en-us recognizers. */
export function waterfallLogic(): (context: TurnContext) => Promise<void> {
  const state = new ConversationState(new MemoryStorage());
  const dialogs = new DialogSet(state.createProperty('dialogState'));
  dialogs.add(new TextPrompt('text'));
  dialogs.add(new NumberPrompt('number', undefined, 'en-us'));
  dialogs.add(new ConfirmPrompt('confirm', undefined, 'en-us'));
  const turns = referenceTurns();
  dialogs.add(
    new WaterfallDialog('report', [
      ...turns.map((turn, index) => async (step: WaterfallStepContext) => {
        if (index > 0) (step.values as Record<string, unknown>)[`a${index - 1}`] = step.result;
        return step.prompt(turn.prompt, `question ${index}`);
      }),
      async (step) => {
        await step.context.sendActivity('done');
        return step.endDialog();
      },
    ]),
  );
  return async (context) => {
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog('report');
    await state.saveChanges(context);
  };
}
