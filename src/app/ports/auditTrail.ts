import type { AuditEntry, AuditHead, AuditVerification, NewAuditEntry } from '../../core/audit.js';

/** The append-only, tamper-evident audit trail; purge jobs never touch it. */
export interface AuditTrail {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  forCase(caseId: string): Promise<AuditEntry[]>;
  /**
   * Recomputes the whole chain and names the first entry that does not hold;
   * with heads kept outside the database (the checkpoint file, a value a
   * person wrote down), also says when the chain is shorter than one of them
   * or holds another entry at its position.
   */
  verify(options?: { heads?: readonly AuditHead[] }): Promise<AuditVerification>;
}

/**
 * Where the head of the chain is kept outside the database, updated as
 * entries are appended: deleting the last entries, or rewriting the chain,
 * then disagrees with it.
 */
export interface AuditCheckpoint {
  /** The head last written, if any. */
  read(): Promise<AuditHead | null>;
  /** Replaces the head, atomically (a reader sees the old one or the new one, never half). */
  write(head: AuditHead): Promise<void>;
}
