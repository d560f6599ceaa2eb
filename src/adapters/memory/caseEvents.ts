import { EventEmitter } from 'node:events';

/** Something that happened to a case, for the console's live view. */
export type CaseEvent =
  | { type: 'created' | 'updated' | 'message'; caseId: string; region: string | null }
  /** An alert changed state or its broadcast progressed. */
  | { type: 'alert'; caseId: string; region: string | null; alertId: string }
  /** A citizen sent a sighting. */
  | { type: 'sighting'; caseId: string; region: string | null; sightingId: string };

/**
 * The in-process event bus (DESIGN.md: no change streams). Each instance
 * tells its own console connections; with several instances, a console still
 * sees everything after its next refresh.
 */
export class CaseEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: CaseEvent): void {
    this.emitter.emit('case', event);
  }

  subscribe(listener: (event: CaseEvent) => void): () => void {
    this.emitter.on('case', listener);
    return () => this.emitter.off('case', listener);
  }
}
