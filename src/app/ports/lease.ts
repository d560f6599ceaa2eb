/**
 * A lease one instance of the deployment holds at a time (the broadcast
 * sender). It runs out by itself, so a dead holder is replaced.
 */
export interface Lease {
  /** Takes or renews the lease until `now + ttlMs`; false when another owner holds it. */
  acquire(owner: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Gives it back at a clean stop, so another instance need not wait for it to run out. */
  release(owner: string): Promise<void>;
}
