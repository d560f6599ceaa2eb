import type { BotAdapter } from 'botbuilder-core';
import { ActivityTypes } from 'botbuilder-core';
import type { Text } from '../../core/conversation/text.js';
import type { Translator } from '../../core/i18n/translator.js';
import { type Language, languageSchema } from '../../core/nlu/language.js';
import { conversationReferenceFor } from './messageActivity.js';

/**
 * Writes to a family outside a turn (an officer's message, "your case was
 * confirmed"…), in the family's language, on the channel they reported on.
 */
export class FamilyNotifier {
  constructor(
    private readonly adapters: ReadonlyMap<string, BotAdapter>,
    private readonly translator: Translator,
  ) {}

  async send(
    family: { channel: string; address: string; language: string },
    text: Text,
  ): Promise<void> {
    const adapter = this.adapters.get(family.channel);
    if (!adapter) throw new Error(`no adapter for channel ${family.channel}`);
    const language: Language = languageSchema.catch('ar').parse(family.language);
    const rendered = this.translator.render(language, text);
    await adapter.continueConversation(
      conversationReferenceFor(family.channel, family.address),
      async (context) => {
        await context.sendActivity({ type: ActivityTypes.Message, text: rendered });
      },
    );
  }
}
