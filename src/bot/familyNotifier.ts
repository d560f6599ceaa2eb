import type { BotAdapter } from 'botbuilder-core';
import { ActivityTypes } from 'botbuilder-core';
import { conversationReferenceFor } from '../channels/messageActivity.js';
import type { Text } from '../conversation/text.js';
import { type Language, languageSchema } from '../i18n/language.js';
import type { Translator } from '../i18n/translator.js';

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
