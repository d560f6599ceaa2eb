import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { AuditCheckpoint } from '../../app/ports/auditTrail.js';
import type { AuditHead } from '../../core/audit.js';

/** The file's name in `DATA_DIR`. */
export const AUDIT_HEAD_FILE = 'audit-head.json';

const headFileSchema = z.object({
  /** The database the chain is in: a head of another database says nothing about this one. */
  database: z.string(),
  entries: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string(),
});

/**
 * The audit chain's head in a file outside the database (`DATA_DIR/audit-head.json`),
 * rewritten after each append by writing a temporary file beside it and
 * renaming it over the old one, so a crash leaves the old head or the new
 * one, never half a file. Someone who can write to the database but not to
 * this file cannot delete the last entries unnoticed.
 */
export class AuditHeadFile implements AuditCheckpoint {
  constructor(
    private readonly path: string,
    private readonly database: string,
  ) {}

  /** The checkpoint of `database` in `dataDir`. */
  static inDataDir(dataDir: string, database: string): AuditHeadFile {
    return new AuditHeadFile(join(dataDir, AUDIT_HEAD_FILE), database);
  }

  async read(): Promise<AuditHead | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
      throw error;
    }
    const parsed = headFileSchema.parse(JSON.parse(text));
    return parsed.database === this.database
      ? { entries: parsed.entries, hash: parsed.hash }
      : null;
  }

  async write(head: AuditHead): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const body = { database: this.database, ...head, at: new Date().toISOString() };
    try {
      await writeFile(temporary, `${JSON.stringify(body)}\n`, { mode: 0o600 });
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
