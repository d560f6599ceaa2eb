import type { AuditTrail } from '../../app/ports/auditTrail.js';
import {
  type AuditEntry,
  type AuditVerification,
  entryHash,
  GENESIS_HASH,
  type NewAuditEntry,
} from '../../core/audit.js';

/**
 * The audit trail in process memory, chained and hashed like the stored one,
 * for unit tests and benchmarks. Not for production: nothing survives a restart.
 */
export class MemoryAuditTrail implements AuditTrail {
  private readonly entries: AuditEntry[] = [];

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const last = this.entries.at(-1);
    const draft = {
      ...structuredClone(entry),
      _id: (last?._id ?? 0) + 1,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const complete: AuditEntry = { ...draft, hash: entryHash(draft) };
    this.entries.push(complete);
    return structuredClone(complete);
  }

  async forCase(caseId: string): Promise<AuditEntry[]> {
    return structuredClone(this.entries.filter((entry) => entry.caseId === caseId));
  }

  async verify(): Promise<AuditVerification> {
    let previous = GENESIS_HASH;
    for (const [index, entry] of this.entries.entries()) {
      if (entry._id !== index + 1)
        return { ok: false, entries: index + 1, brokenAt: index + 1, problem: 'gap' };
      if (entry.prevHash !== previous)
        return { ok: false, entries: index + 1, brokenAt: entry._id, problem: 'link' };
      const { hash, ...rest } = entry;
      if (entryHash(rest) !== hash)
        return { ok: false, entries: index + 1, brokenAt: entry._id, problem: 'hash' };
      previous = hash;
    }
    return { ok: true, entries: this.entries.length };
  }
}
