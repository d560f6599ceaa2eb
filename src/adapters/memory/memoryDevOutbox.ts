import type { DevOutbox, DevOutboxMessage } from '../../app/ports/devOutbox.js';

/**
 * What the dev channel sent outside a turn, in process memory, for unit tests
 * and benchmarks. Not for production: nothing survives a restart.
 */
export class MemoryDevOutbox implements DevOutbox {
  private readonly messages: DevOutboxMessage[] = [];
  /** Idempotency keys already seen: a channel with keys delivers a message once. */
  private readonly keys = new Set<string>();

  async add(message: DevOutboxMessage & { id?: string | undefined }): Promise<void> {
    const { id, ...fields } = message;
    if (id !== undefined) {
      if (this.keys.has(id)) return;
      this.keys.add(id);
    }
    this.messages.push(structuredClone(fields));
  }

  /** Every message sent to one address, oldest first (ties keep the order they were added in). */
  async list(to: string): Promise<Array<Omit<DevOutboxMessage, 'to'>>> {
    return this.messages
      .filter((message) => message.to === to)
      .map((message, order) => ({ message, order }))
      .sort((a, b) => a.message.at.getTime() - b.message.at.getTime() || a.order - b.order)
      .map(({ message }) => {
        const { to: _to, ...rest } = structuredClone(message);
        return rest;
      });
  }
}
