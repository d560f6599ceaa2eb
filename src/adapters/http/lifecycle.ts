/**
 * Whether the service takes new messages, and the turns still running, so a
 * SIGTERM can stop intake and wait for turns in flight before closing the
 * database.
 */
export class Lifecycle {
  private running = new Set<Promise<unknown>>();
  accepting = true;
  ready = false;

  track<T>(work: () => Promise<T>): Promise<T> {
    const promise = work();
    this.running.add(promise);
    const forget = () => this.running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Stops intake and resolves when every tracked piece of work has settled. */
  async drain(): Promise<void> {
    this.accepting = false;
    this.ready = false;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
