/** A lease one instance of the deployment holds at a time (the broadcast sender). */
export interface Lease {
  /** Takes or renews the lease for `ttlMs`; false when another owner holds it. */
  acquire(owner: string, now: Date, ttlMs: number): Promise<boolean>;
  release(owner: string): Promise<void>;
}
