import type { SendAttempt, SendJournal } from '../../app/ports/sendJournal.js';

/** The send journal in memory (unit tests, benchmarks). */
export class MemorySendJournal implements SendJournal {
  private readonly attempts = new Map<string, SendAttempt>();
  private readonly byMessage = new Map<string, string>();

  async begin(
    key: string,
    address: string,
    now: Date,
    resend: string | null,
  ): Promise<SendAttempt | null> {
    const known = this.attempts.get(key);
    if (known) return known;
    this.attempts.set(key, { state: 'unconfirmed', since: now, address, resend });
    return null;
  }

  async accepted(key: string, channelMessageId: string): Promise<void> {
    const known = this.attempts.get(key);
    if (!known) return;
    this.attempts.set(key, {
      state: 'accepted',
      channelMessageId,
      address: known.address,
      resend: known.resend,
    });
    this.byMessage.set(channelMessageId, key);
  }

  async confirm(key: string, channelMessageId: string): Promise<boolean> {
    if (this.attempts.get(key)?.state !== 'unconfirmed') return false;
    await this.accepted(key, channelMessageId);
    return true;
  }

  async claimResend(key: string, channelMessageId: string, now: Date): Promise<boolean> {
    const known = this.attempts.get(key);
    if (known?.state !== 'accepted' || known.channelMessageId !== channelMessageId) return false;
    this.attempts.set(key, {
      state: 'unconfirmed',
      since: now,
      address: known.address,
      resend: known.resend,
    });
    return true;
  }

  async release(key: string): Promise<void> {
    if (this.attempts.get(key)?.state === 'unconfirmed') this.attempts.delete(key);
  }

  async retake(key: string, since: Date, now: Date): Promise<boolean> {
    const known = this.attempts.get(key);
    if (known?.state !== 'unconfirmed' || known.since.getTime() !== since.getTime()) return false;
    this.attempts.set(key, { ...known, since: now });
    return true;
  }

  async byChannelMessageId(channelMessageId: string) {
    const key = this.byMessage.get(channelMessageId);
    const attempt = key === undefined ? undefined : this.attempts.get(key);
    return key !== undefined &&
      attempt?.state === 'accepted' &&
      attempt.channelMessageId === channelMessageId
      ? { key, attempt }
      : null;
  }
}
