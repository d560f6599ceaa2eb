import { createHash } from 'node:crypto';

/** One audit entry: who did what to which case, chained to the entry before it. */
export interface AuditEntry {
  _id: number;
  at: Date;
  actor: string;
  action: string;
  caseId: string;
  details: Record<string, string | number | boolean | null>;
  prevHash: string;
  hash: string;
}

/** What a caller says happened; the chain fields are added here. */
export type NewAuditEntry = Pick<AuditEntry, 'at' | 'actor' | 'action' | 'caseId' | 'details'>;

/** The hash the first entry points back to. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hash of an entry: every field but the hash itself, in a fixed order. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const details = Object.keys(entry.details)
    .sort()
    .map((k) => [k, entry.details[k]]);
  return createHash('sha256')
    .update(
      JSON.stringify([
        entry._id,
        entry.at.toISOString(),
        entry.actor,
        entry.action,
        entry.caseId,
        details,
        entry.prevHash,
      ]),
    )
    .digest('hex');
}

/** The result of checking the whole chain. */
export type AuditVerification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; problem: 'hash' | 'link' | 'gap' };
