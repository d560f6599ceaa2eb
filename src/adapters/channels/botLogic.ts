import { type Activity, ActivityTypes, type TurnContext } from 'botbuilder-core';
import type { InboundMessage } from '../../core/conversation/input.js';
import type { RenderedReply, Translator } from '../../core/i18n/translator.js';
import type { Language } from '../../core/nlu/language.js';
import { guessLanguage } from '../../core/nlu/languageChoice.js';
import type { Logger } from '../../logger.js';
import { inboundMessage } from './inbound.js';

/** What the channels need of the turn pipeline. */
export interface Turns {
  /** Handles one message and returns the replies of its turn, rendered with their choices. */
  handle(message: InboundMessage): Promise<RenderedReply[]>;
  /** The language a conversation speaks, if it chose one. */
  languageOf(channel: string, address: string): Promise<Language | undefined>;
  /** The conversation's id as logs may show it. */
  conversationHash(channel: string, address: string): string;
}

/**
 * One reply as a message activity: its choices as `imBack` suggested actions
 * (a channel with buttons shows them, the text lists them for the others) and
 * a location request in `channelData.requestLocation`.
 */
export function replyActivity(reply: RenderedReply): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    text: reply.text,
    ...(reply.choices
      ? {
          suggestedActions: {
            to: [],
            actions: reply.choices.map((choice) => ({
              type: 'imBack',
              title: choice.title,
              value: choice.value,
            })),
          },
        }
      : {}),
    ...(reply.requestLocation ? { channelData: { requestLocation: true } } : {}),
  };
}

/**
 * The botbuilder glue every channel runs: a message activity becomes the
 * pipeline's inbound message, its replies become message activities, and a
 * turn that failed is apologised for in the family's language.
 */
export class BotLogic {
  constructor(
    private readonly turns: Turns,
    private readonly translator: Translator,
    private readonly logger: Logger,
  ) {}

  /** The logic adapters run for every turn. */
  readonly onTurn = async (context: TurnContext): Promise<void> => {
    if (context.activity.type !== ActivityTypes.Message) return;
    const replies = await this.turns.handle(inboundMessage(context.activity));
    if (replies.length === 0) return;
    await context.sendActivities(replies.map(replyActivity));
  };

  /** Apologises in the family's language when a turn failed; their state was not changed. */
  readonly onTurnError = async (context: TurnContext, error: Error): Promise<void> => {
    const channel = context.activity.channelId ?? '';
    const address = context.activity.from?.id ?? '';
    this.logger.error(
      {
        err: {
          name: error.name,
          code: 'code' in error ? error.code : undefined,
          stack: error.stack,
        },
        conversation: this.turns.conversationHash(channel, address),
      },
      'turn failed',
    );
    let language: Language | undefined;
    try {
      language = await this.turns.languageOf(channel, address);
    } catch (readError) {
      this.logger.warn({ err: readError }, 'could not read state to apologise');
    }
    await context.sendActivity(
      this.translator.t(
        language ?? guessLanguage(context.activity.text ?? ''),
        'common:turn_error',
      ),
    );
  };
}
