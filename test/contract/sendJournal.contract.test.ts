import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { EmbeddedSendJournal } from '../../src/adapters/embedded/embeddedSendJournal.js';
import { MemorySendJournal } from '../../src/adapters/memory/memorySendJournal.js';
import { MongoSendJournal } from '../../src/adapters/mongo/mongoSendJournal.js';
import type { SendJournal } from '../../src/app/ports/sendJournal.js';
import { type Backend, describeContract } from './backends.js';

async function journalFor(backend: Backend): Promise<SendJournal> {
  switch (backend.kind) {
    case 'memory':
      return new MemorySendJournal();
    case 'embedded':
      return new EmbeddedSendJournal(backend.connection);
    case 'mongo': {
      const journal = new MongoSendJournal(backend.connection);
      await journal.init();
      return journal;
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const NOW = new Date('2026-11-28T16:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const to = '+212600000777';

describeContract('SendJournal', (backend) => {
  let journal: SendJournal;
  beforeAll(async () => {
    journal = await journalFor(backend());
  });
  const key = () => `alert-${randomUUID()}:alert:whatsapp:${to}`;

  it('lets one attempt claim a key; the others see it unconfirmed', async () => {
    const k = key();
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => journal.begin(k, to, NOW, null)),
    );
    expect(claims.filter((claim) => claim === null)).toHaveLength(1);
    for (const claim of claims.filter((c) => c !== null)) {
      expect(claim).toMatchObject({ state: 'unconfirmed', address: to });
    }
  });

  it('remembers what was accepted, and finds it by message id', async () => {
    const k = key();
    expect(await journal.begin(k, to, NOW, '{"type":"template"}')).toBeNull();
    await journal.accepted(k, 'wamid.A1');
    expect(await journal.begin(k, to, later(1000), null)).toMatchObject({
      state: 'accepted',
      channelMessageId: 'wamid.A1',
    });
    expect(await journal.byChannelMessageId('wamid.A1')).toMatchObject({
      key: k,
      attempt: { resend: '{"type":"template"}', address: to },
    });
    expect(await journal.byChannelMessageId('wamid.unknown')).toBeNull();
  });

  it('lets a refused attempt go, so the key may be sent again', async () => {
    const k = key();
    await journal.begin(k, to, NOW, null);
    await journal.release(k);
    expect(await journal.begin(k, to, later(1), null)).toBeNull();
  });

  it('never releases an accepted key', async () => {
    const k = key();
    await journal.begin(k, to, NOW, null);
    await journal.accepted(k, 'wamid.B1');
    await journal.release(k);
    expect(await journal.begin(k, to, later(1), null)).toMatchObject({ state: 'accepted' });
  });

  it('hands an unconfirmed claim over once, to whoever names its time', async () => {
    const k = key();
    await journal.begin(k, to, NOW, null);
    const [first, second] = await Promise.all([
      journal.retake(k, NOW, later(60_000)),
      journal.retake(k, NOW, later(60_001)),
    ]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect(await journal.retake(k, NOW, later(70_000))).toBe(false);
  });

  it('confirms an unconfirmed send from a status, never an accepted one', async () => {
    const k = key();
    await journal.begin(k, to, NOW, null);
    expect(await journal.confirm(k, 'wamid.C1')).toBe(true);
    expect(await journal.confirm(k, 'wamid.C2')).toBe(false);
    expect(await journal.byChannelMessageId('wamid.C1')).toMatchObject({ key: k });
  });

  it('takes an accepted message back once to send it in another form', async () => {
    const k = key();
    await journal.begin(k, to, NOW, '{"type":"template"}');
    await journal.accepted(k, 'wamid.D1');
    const [first, second] = await Promise.all([
      journal.claimResend(k, 'wamid.D1', later(1)),
      journal.claimResend(k, 'wamid.D1', later(2)),
    ]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    await journal.accepted(k, 'wamid.D2');
    expect(await journal.byChannelMessageId('wamid.D1')).toBeNull();
    expect(await journal.byChannelMessageId('wamid.D2')).toMatchObject({ key: k });
  });
});
