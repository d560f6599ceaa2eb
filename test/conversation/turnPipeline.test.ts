import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../../src/adapters/files/loadFlows.js';
import { loadTranslator } from '../../src/adapters/files/loadTranslator.js';
import { SharpPhotoSanitizer } from '../../src/adapters/images/sharpPhotoSanitizer.js';
import {
  MemoryCaseStore,
  MemoryPhotoStore,
} from '../../src/adapters/memory/memoryCaseRepository.js';
import { MemoryConversationStore } from '../../src/adapters/memory/memoryConversationStore.js';
import type {
  ConversationStore,
  ConversationWrite,
  StoredConversation,
} from '../../src/app/ports/conversationStore.js';
import { conversationKey, TurnPipeline } from '../../src/app/turnPipeline.js';
import { emptyConversation } from '../../src/core/conversation/conversationState.js';
import { routeTurn } from '../../src/core/conversation/turnRouter.js';

const root = join(import.meta.dirname, '..', '..');
const translator = loadTranslator(join(root, 'locales'));
const flows = loadFlows(join(root, 'flows'), translator);
const now = new Date('2026-11-28T16:00:00Z');
const from = '+212600000901';

/** A memory store where another instance moves the conversation on just before some writes. */
class RacedStore implements ConversationStore {
  readonly inner = new MemoryConversationStore(() => now);
  racesLeft = 0;
  writes = 0;
  read(key: string): Promise<StoredConversation | null> {
    return this.inner.read(key);
  }
  async write(
    key: string,
    state: unknown,
    expectedETag: string | null,
  ): Promise<ConversationWrite> {
    this.writes++;
    if (this.racesLeft > 0 && expectedETag !== null) {
      this.racesLeft--;
      const current = await this.inner.read(key);
      if (current) await this.inner.write(key, current.state, current.eTag);
    }
    return this.inner.write(key, state, expectedETag);
  }
  purgeIdle(olderThan: Date): Promise<number> {
    return this.inner.purgeIdle(olderThan);
  }
}

function pipeline(store: ConversationStore, cases = new MemoryCaseStore()): TurnPipeline {
  return new TurnPipeline({
    conversations: store,
    flows,
    translator,
    cases,
    photos: new MemoryPhotoStore(),
    photoSanitizer: new SharpPhotoSanitizer(),
    clock: { now: () => now },
    logger: pino({ level: 'silent' }),
    hashId: (id) => id,
    referencePrefix: 'TF',
    regionOf: () => null,
  });
}

const text = (value: string, messageId: string) => ({
  channel: 'dev',
  address: from,
  messageId,
  input: { kind: 'text' as const, text: value },
});

describe('the turn pipeline', () => {
  it('re-reads and re-routes a turn that lost the compare-and-set, and replies once', async () => {
    const store = new RacedStore();
    const turns = pipeline(store);
    await turns.handle(text('Bonjour, mon fils a disparu', 'm-1'));
    store.racesLeft = 2;
    const writesBefore = store.writes;
    const replies = await turns.handle(text('oui', 'm-2'));
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain(translator.t('fr', 'report:relationship.prompt'));
    expect(store.writes - writesBefore).toBe(3);
    const stored = await store.read(conversationKey('dev', from));
    expect(stored?.state).toMatchObject({ flow: { nodeId: 'relationship' } });
  });

  it('gives up after four lost races, storing nothing of the turn', async () => {
    const store = new RacedStore();
    const turns = pipeline(store);
    await turns.handle(text('Bonjour, mon fils a disparu', 'm-1'));
    const before = await store.read(conversationKey('dev', from));
    store.racesLeft = 4;
    await expect(turns.handle(text('oui', 'm-2'))).rejects.toMatchObject({
      code: 'storage_conflict',
    });
    const after = await store.read(conversationKey('dev', from));
    expect(after?.state).toEqual(before?.state);
  });

  it('drops a redelivered message id without replying', async () => {
    const turns = pipeline(new MemoryConversationStore());
    await turns.handle(text('Bonjour, mon fils a disparu', 'm-1'));
    expect(await turns.handle(text('oui', 'm-2'))).toHaveLength(1);
    expect(await turns.handle(text('oui', 'm-2'))).toEqual([]);
  });
});

describe('the turn router', () => {
  const snapshot = { now, newDraftId: 'draft-1' };
  const context = { flows };

  it('answers inside a flow without asking the stores anything', () => {
    const started = routeTurn(
      { ...snapshot, conversation: emptyConversation(), alerts: [] },
      { input: { kind: 'text', text: 'Bonjour, mon fils a disparu' }, messageId: 'm-1' },
      context,
    );
    if (started.kind !== 'decided') throw new Error('no report started');
    const next = routeTurn(
      { ...snapshot, conversation: started.decision.conversation },
      { input: { kind: 'text', text: 'oui' }, messageId: 'm-2' },
      context,
    );
    expect(next.kind).toBe('decided');
  });

  it('outside a flow asks whether an officer talks with the family, and relays to them', () => {
    const conversation = { ...emptyConversation(), language: 'fr' as const };
    const message = {
      input: { kind: 'text' as const, text: 'Il est rentré à la maison ce soir' },
      messageId: 'm-3',
    };
    expect(routeTurn({ ...snapshot, conversation }, message, context)).toEqual({
      kind: 'needs',
      part: 'activeCase',
    });
    const relayed = routeTurn(
      { ...snapshot, conversation, activeCase: { id: 'case-1', reference: 'TF-2026-000001' } },
      message,
      context,
    );
    expect(relayed).toMatchObject({
      kind: 'decided',
      decision: {
        effects: [
          {
            type: 'relayToOfficer',
            caseId: 'case-1',
            text: 'Il est rentré à la maison ce soir',
            messageId: 'm-3',
          },
        ],
        replies: [{ kind: 'key', key: 'common:relayed' }],
      },
    });
  });
});
