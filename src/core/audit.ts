import { createHash, createHmac } from 'node:crypto';

/**
 * One audit entry: who did what to which case, chained to the entry before it.
 *
 * Chain versions: entries written before the keyed chain have no `v` (version
 * 1) and are hashed with plain SHA-256; every entry since carries `v: 2` and
 * is keyed with an HMAC-SHA256 whose secret is in the configuration, never in
 * the database. Old entries are verified as they were written; once a keyed
 * entry exists no unkeyed one may follow it, and the first keyed entry's
 * `prevHash` (under the HMAC) pins every older one.
 */
export interface AuditEntry {
  _id: number;
  /** 2 for keyed entries; absent on the entries of the first, unkeyed chain. */
  v?: 2;
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

/** The subject of entries about no case (an account unlocked, an address lifted). */
export const NO_CASE = '-';

/** The hash the first entry points back to. */
export const GENESIS_HASH = '0'.repeat(64);

/** The version new entries are written with. */
export const AUDIT_CHAIN_VERSION = 2;

/**
 * The development secret, used when `AUDIT_HMAC_SECRET` is not set outside
 * production. Anyone reading this file knows it: a chain keyed with it proves
 * nothing against someone who can write to the database.
 */
export const DEVELOPMENT_AUDIT_SECRET = 'tifli-DEVELOPMENT-ONLY-audit-secret-do-not-use';

/** Every field but the hash itself, in a fixed order. */
function canonical(entry: Omit<AuditEntry, 'hash'>): string {
  const details = Object.keys(entry.details)
    .sort()
    .map((k) => [k, entry.details[k]]);
  const fields = [
    entry._id,
    entry.at.toISOString(),
    entry.actor,
    entry.action,
    entry.caseId,
    details,
    entry.prevHash,
  ];
  return JSON.stringify(entry.v === undefined ? fields : [entry.v, ...fields]);
}

/**
 * The hash of an entry: plain SHA-256 for the unkeyed entries of the first
 * chain, HMAC-SHA256 with the secret for keyed ones.
 */
export function entryHash(entry: Omit<AuditEntry, 'hash'>, secret: string): string {
  const text = canonical(entry);
  return entry.v === undefined
    ? createHash('sha256').update(text).digest('hex')
    : createHmac('sha256', secret).update(text).digest('hex');
}

/** The next entry of a chain whose end is `last`: numbered, linked, keyed. */
export function chainedEntry(
  entry: NewAuditEntry,
  last: Pick<AuditEntry, '_id' | 'hash'> | null,
  secret: string,
): AuditEntry {
  const draft: Omit<AuditEntry, 'hash'> = {
    ...entry,
    _id: (last?._id ?? 0) + 1,
    v: AUDIT_CHAIN_VERSION,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  return { ...draft, hash: entryHash(draft, secret) };
}

/**
 * The end of a chain, as a person or a file outside the database keeps it:
 * a later chain must still hold entry `entries` with this hash.
 */
export interface AuditHead {
  entries: number;
  hash: string;
}

/** `12:ab34…` — how a head is printed and given back on the command line. */
export const formatHead = (head: AuditHead): string => `${head.entries}:${head.hash}`;

/** A head typed back in (`entries:hash`), or null when it does not look like one. */
export function parseHead(text: string): AuditHead | null {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  return match?.[1] && match[2] ? { entries: Number(match[1]), hash: match[2] } : null;
}

/** Why a chain does not hold. */
export type AuditProblem =
  /** An entry's hash is not the hash of its fields (rewritten, or recomputed without the secret). */
  | 'hash'
  /** An entry does not point to the one before it. */
  | 'link'
  /** A number is missing: entries were deleted. */
  | 'gap'
  /** An unkeyed entry after a keyed one: someone wrote an entry without the secret. */
  | 'version'
  /** Fewer entries than a known head: the last ones were deleted. */
  | 'truncated'
  /** The entry at a known head's position is not the one that was there. */
  | 'head';

/** The result of checking the whole chain. */
export type AuditVerification =
  | { ok: true; entries: number; head: AuditHead | null }
  | { ok: false; entries: number; brokenAt: number; problem: AuditProblem };

/**
 * Walks a chain in order and says whether it holds: each entry numbered after
 * the one before, linked to its hash, hashed (or keyed) as its version says;
 * and, given heads kept outside the database, still as long as each of them
 * and holding the same entry at its position.
 */
export async function verifyChain(
  entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>,
  secret: string,
  knownHeads: readonly AuditHead[] = [],
): Promise<AuditVerification> {
  let previous = GENESIS_HASH;
  let expected = 1;
  let count = 0;
  let keyed = false;
  const heads = new Map<number, string>();
  for (const head of knownHeads) heads.set(head.entries, head.hash);
  for await (const entry of entries) {
    count++;
    if (entry._id !== expected)
      return { ok: false, entries: count, brokenAt: expected, problem: 'gap' };
    if (entry.prevHash !== previous)
      return { ok: false, entries: count, brokenAt: entry._id, problem: 'link' };
    if (keyed && entry.v === undefined)
      return { ok: false, entries: count, brokenAt: entry._id, problem: 'version' };
    const { hash, ...rest } = entry;
    if (entryHash(rest, secret) !== hash)
      return { ok: false, entries: count, brokenAt: entry._id, problem: 'hash' };
    const known = heads.get(entry._id);
    if (known !== undefined && known !== hash)
      return { ok: false, entries: count, brokenAt: entry._id, problem: 'head' };
    keyed ||= entry.v !== undefined;
    previous = hash;
    expected++;
  }
  const longest = Math.max(0, ...knownHeads.map((head) => head.entries));
  if (longest > count)
    return { ok: false, entries: count, brokenAt: count + 1, problem: 'truncated' };
  return {
    ok: true,
    entries: count,
    head: count === 0 ? null : { entries: count, hash: previous },
  };
}
