import type { AuditEntry, AuditVerification, NewAuditEntry } from '../../core/audit.js';

/** The append-only, tamper-evident audit trail; purge jobs never touch it. */
export interface AuditTrail {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  forCase(caseId: string): Promise<AuditEntry[]>;
  /** Recomputes the whole chain and names the first entry that does not hold. */
  verify(): Promise<AuditVerification>;
}
