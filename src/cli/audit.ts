import { parseArgs } from 'node:util';
import { AuditHeadFile } from '../adapters/files/auditHeadFile.js';
import { AuditLog } from '../adapters/mongo/auditLog.js';
import { loadConfig } from '../config.js';
import { type AuditHead, type AuditProblem, formatHead, parseHead } from '../core/audit.js';
import { openDatabase } from '../database.js';

const USAGE = 'usage: npm run audit -- verify [--head ENTRIES:HASH] | npm run audit -- head';

/** What each problem means, for the person reading the verdict. */
const PROBLEM: Record<AuditProblem, string> = {
  hash: 'an entry was changed (its keyed hash does not match)',
  link: 'an entry does not point to the one before it',
  gap: 'entries were deleted',
  version: 'an unkeyed entry follows keyed ones',
  truncated: 'the last entries were deleted (the chain is shorter than a known head)',
  head: 'the entry at a known head is not the one that was there',
};

function fail(message: string, code = 2): never {
  process.stderr.write(`audit: ${message}\n`);
  process.exit(code);
}

/**
 * `npm run audit -- verify`: recomputes the keyed audit chain and compares it
 * with the checkpoint in DATA_DIR and with `--head` values a person kept;
 * exit 1 if anything was altered. `npm run audit -- head`: prints the head
 * (entries and hash) to write down and give back to `verify --head` later.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { head: { type: 'string', multiple: true } },
    allowPositionals: true,
  });
  const command = positionals[0];
  if (command !== 'verify' && command !== 'head') fail(USAGE);
  const heads: AuditHead[] = [];
  for (const text of values.head ?? []) {
    const head = parseHead(text);
    if (!head) fail(`--head must look like 12:<64 hex digits> (as "head" prints it), not ${text}`);
    heads.push(head);
  }
  const config = loadConfig(process.env);
  if (!config.ok) fail(config.problems.join('; '));
  const database = await openDatabase({
    mongodbUri: config.config.mongodbUri,
    dataDir: config.config.dataDir,
  });
  try {
    const checkpoint = AuditHeadFile.inDataDir(config.config.dataDir, database.connection.name);
    const audit = new AuditLog(database.connection, {
      secret: config.config.auditHmacSecret,
      checkpoint,
    });
    const kept = await checkpoint.read();
    const result = await audit.verify({ heads });
    if (!result.ok) {
      process.stdout.write(
        `audit chain BROKEN at entry ${result.brokenAt} (${result.problem}: ${PROBLEM[result.problem]}) after ${Math.max(0, result.brokenAt - 1)} good entries\n`,
      );
      process.exitCode = 1;
      return;
    }
    if (command === 'head') {
      process.stdout.write(`${result.head ? formatHead(result.head) : '0:'}\n`);
      return;
    }
    const against = [
      kept ? `the checkpoint (${kept.entries} entries)` : 'no checkpoint file',
      ...heads.map((head) => `head ${head.entries}`),
    ].join(', ');
    process.stdout.write(
      `audit chain intact: ${result.entries} entries (checked against ${against})\n`,
    );
    if (config.config.auditHmacSecretIsDevelopment)
      process.stderr.write(
        'audit: AUDIT_HMAC_SECRET is not set: checked with the development key\n',
      );
  } finally {
    await database.close();
  }
}

await main();
