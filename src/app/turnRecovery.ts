import type { Logger } from '../logger.js';
import { BoundedLru } from './boundedLru.js';

/** A conversation whose last turn failed: the family was apologised to, not answered. */
export interface UnansweredConversation {
  key: string;
  channel: string;
  address: string;
}

/**
 * When a resume is tried again after a failure: soon at first (a restart of
 * the embedded database takes a second or two), then every 10 s, for about
 * half an hour in all. A database away for longer than that is an outage
 * operators handle; the family was told to write again.
 */
export const RESUME_DELAYS_MS: readonly number[] = [2_000, 3_000, 5_000, 10_000];
export const MAX_RESUME_ATTEMPTS = 180;
/** How many unanswered conversations are remembered at most (a bounded memory). */
const MAX_UNANSWERED = 10_000;

/**
 * Remembers the conversations whose turn failed and, once the database
 * answers again, has the pipeline re-read each one and send the family what
 * they are waiting for: the next question if their answer was saved after
 * all, the same one otherwise. A turn that succeeds for the conversation in
 * the meantime clears the mark, so nothing is sent on top of a real answer.
 */
export class TurnRecovery {
  private readonly unanswered = new BoundedLru<string, UnansweredConversation>(MAX_UNANSWERED);
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: {
      /** Re-reads the conversation and sends its question; throws while the database is away. */
      resume: (conversation: UnansweredConversation) => Promise<void>;
      logger: Logger;
      hashId: (id: string) => string;
      delaysMs?: readonly number[];
    },
  ) {}

  /** The conversation's turn failed: the family must get their question once the database is back. */
  failed(conversation: UnansweredConversation): void {
    this.unanswered.set(conversation.key, conversation);
    if (!this.timers.has(conversation.key)) this.schedule(conversation.key, 0);
  }

  /** Whether the conversation's last turn failed and nothing answered the family since. */
  isUnanswered(key: string): boolean {
    return this.unanswered.has(key);
  }

  /** The family got an answer: forget the mark (returns whether there was one). */
  answered(key: string): boolean {
    return this.unanswered.delete(key);
  }

  /** Stops every pending resume (shutdown). */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(key: string, attempt: number): void {
    const delays = this.deps.delaysMs ?? RESUME_DELAYS_MS;
    if (attempt >= MAX_RESUME_ATTEMPTS) {
      this.unanswered.delete(key);
      this.deps.logger.error(
        { conversation: this.deps.hashId(key), attempts: attempt },
        'gave up resuming a conversation after a failed turn',
      );
      return;
    }
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 10_000;
    const timer = setTimeout(() => void this.attempt(key, attempt), delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  private async attempt(key: string, attempt: number): Promise<void> {
    this.timers.delete(key);
    const conversation = this.unanswered.get(key);
    if (!conversation) return;
    try {
      await this.deps.resume(conversation);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, conversation: this.deps.hashId(key), attempt: attempt + 1 },
        'could not resume a conversation yet',
      );
      if (this.unanswered.has(key) && !this.timers.has(key)) this.schedule(key, attempt + 1);
    }
  }
}
