import type { AuditCheckpoint, AuditTrail } from '../../app/ports/auditTrail.js';
import {
  type AuditEntry,
  type AuditHead,
  type AuditVerification,
  chainedEntry,
  DEVELOPMENT_AUDIT_SECRET,
  type NewAuditEntry,
  verifyChain,
} from '../../core/audit.js';

/**
 * The audit trail in process memory, chained and keyed like the stored one,
 * for unit tests and benchmarks. Not for production: nothing survives a restart.
 */
export class MemoryAuditTrail implements AuditTrail {
  private readonly entries: AuditEntry[] = [];
  private readonly secret: string;
  private readonly checkpoint: AuditCheckpoint | null;

  constructor(options: { secret?: string; checkpoint?: AuditCheckpoint } = {}) {
    this.secret = options.secret ?? DEVELOPMENT_AUDIT_SECRET;
    this.checkpoint = options.checkpoint ?? null;
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const complete = chainedEntry(structuredClone(entry), this.entries.at(-1) ?? null, this.secret);
    this.entries.push(complete);
    await this.checkpoint?.write({ entries: complete._id, hash: complete.hash });
    return structuredClone(complete);
  }

  async forCase(caseId: string): Promise<AuditEntry[]> {
    return structuredClone(this.entries.filter((entry) => entry.caseId === caseId));
  }

  async verify(options: { heads?: readonly AuditHead[] } = {}): Promise<AuditVerification> {
    const checkpoint = await this.checkpoint?.read();
    const heads = [...(options.heads ?? []), ...(checkpoint ? [checkpoint] : [])];
    return verifyChain(structuredClone(this.entries), this.secret, heads);
  }
}
