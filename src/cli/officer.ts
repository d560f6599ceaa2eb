import { parseArgs } from 'node:util';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { AuditHeadFile } from '../adapters/files/auditHeadFile.js';
import { AuditLog } from '../adapters/mongo/auditLog.js';
import { MongoOfficerRepository } from '../adapters/mongo/officerRepository.js';
import { type Config, loadConfig } from '../config.js';
import { NO_CASE } from '../core/audit.js';
import { AppError } from '../core/errors.js';
import type { LoginKey } from '../core/loginThrottle.js';
import { passwordSchema, roleSchema, usernameSchema } from '../core/officer.js';
import { regionIdSchema } from '../core/place/gazetteer.js';
import { openDatabase } from '../database.js';

/**
 * `npm run officer -- create --username U --role officer|supervisor|admin --region R`
 * with the password on standard input (never on the command line, where
 * `ps` and shell history would keep it);
 * `npm run officer -- unlock --username U` forgets an account's failed logins,
 * `npm run officer -- unlock --address 198.51.100.7` lifts an address's lock-out
 * (both audited).
 */
const argsSchema = z.object({
  command: z.literal('create'),
  username: usernameSchema,
  role: roleSchema,
  region: regionIdSchema,
});
const unlockSchema = z.union([
  z.strictObject({ command: z.literal('unlock'), username: usernameSchema }),
  z.strictObject({ command: z.literal('unlock'), address: z.union([z.ipv4(), z.ipv6()]) }),
]);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function fail(message: string): never {
  process.stderr.write(`officer: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      username: { type: 'string' },
      role: { type: 'string' },
      region: { type: 'string' },
      address: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals[0] === 'unlock') return unlock({ command: positionals[0], ...values });
  if (positionals[0] !== 'create') fail('the commands are "create" and "unlock"');
  const args = argsSchema.safeParse({ command: positionals[0], ...values });
  if (!args.success) {
    fail(
      args.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '),
    );
  }
  const config = loadConfig(process.env);
  if (!config.ok) fail(config.problems.join('; '));
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter, then Ctrl-D): ');
  const password = passwordSchema.safeParse(await readStdin());
  if (!password.success) fail(`password: ${password.error.issues[0]?.message}`);

  const database = await openDatabase({
    mongodbUri: config.config.mongodbUri,
    dataDir: config.config.dataDir,
  });
  try {
    const officer = await new MongoOfficerRepository(database.connection).create({
      ...args.data,
      password: password.data,
    });
    process.stdout.write(`created ${officer.role} ${officer.username} (${officer.region})\n`);
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict')
      fail(`${args.data.username} already exists`);
    throw error;
  } finally {
    await database.close();
  }
}

/** `unlock --username U` or `unlock --address A`: forgets the failed logins, audited. */
async function unlock(input: Record<string, unknown>): Promise<void> {
  const args = unlockSchema.safeParse(input);
  if (!args.success) fail('unlock: give --username U or --address A (an IPv4 or IPv6 address)');
  const loaded = loadConfig(process.env);
  if (!loaded.ok) fail(loaded.problems.join('; '));
  const key: LoginKey =
    'username' in args.data
      ? { kind: 'account', username: args.data.username }
      : { kind: 'address', address: args.data.address };
  const database = await openDatabase({
    mongodbUri: loaded.config.mongodbUri,
    dataDir: loaded.config.dataDir,
  });
  try {
    const unlocked = await new MongoOfficerRepository(database.connection).clearLoginFailures(key);
    await auditOf(loaded.config, database.connection).append({
      at: new Date(),
      actor: 'cli',
      action: key.kind === 'account' ? 'login.account_unlocked' : 'login.address_unlocked',
      caseId: NO_CASE,
      details:
        key.kind === 'account'
          ? { username: key.username, held: unlocked }
          : { address: key.address, held: unlocked },
    });
    const what = key.kind === 'account' ? key.username : key.address;
    process.stdout.write(
      unlocked ? `unlocked ${what}\n` : `${what} had no failed logins to forget\n`,
    );
  } finally {
    await database.close();
  }
}

/** The audit trail as the service keeps it: the configured key, the checkpoint in DATA_DIR. */
function auditOf(config: Config, connection: Connection): AuditLog {
  return new AuditLog(connection, {
    secret: config.auditHmacSecret,
    checkpoint: AuditHeadFile.inDataDir(config.dataDir, connection.name),
  });
}

await main();
