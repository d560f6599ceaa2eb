import { createHash } from 'node:crypto';

/**
 * The live-event streams open on this instance, by the session that opened
 * them, so signing out ends them at once. (A stream on another instance
 * notices at its next session check.)
 */
export class SessionStreams {
  private readonly bySession = new Map<string, Set<() => void>>();

  /** Remembers a stream's `close`; returns what forgets it (call it when the stream ends). */
  add(token: string, close: () => void): () => void {
    const key = keyOf(token);
    const streams = this.bySession.get(key) ?? new Set();
    streams.add(close);
    this.bySession.set(key, streams);
    return () => {
      streams.delete(close);
      if (streams.size === 0 && this.bySession.get(key) === streams) this.bySession.delete(key);
    };
  }

  /** Ends every stream of a session (it signed out). */
  closeAll(token: string): void {
    for (const close of [...(this.bySession.get(keyOf(token)) ?? [])]) close();
  }

  /** How many streams are open (for tests and shutdown). */
  get size(): number {
    let count = 0;
    for (const streams of this.bySession.values()) count += streams.size;
    return count;
  }
}

// Only a hash of the cookie is held, like the session store does.
const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');
