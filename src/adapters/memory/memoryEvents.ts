import { EventEmitter } from 'node:events';
import type { CaseEvent, Events } from '../../app/ports/events.js';

/**
 * The in-process event bus: each listener of this process hears every event
 * published in it. Enough for one embedded service (one instance) and for
 * tests; several instances need `MongoEvents`.
 */
export class MemoryEvents implements Events {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private closed = false;

  publish(event: CaseEvent): void {
    if (this.closed) return;
    this.emitter.emit('case', event);
  }

  subscribe(listener: (event: CaseEvent) => void): () => void {
    this.emitter.on('case', listener);
    return () => this.emitter.off('case', listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
  }
}
