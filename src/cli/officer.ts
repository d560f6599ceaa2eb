import { parseArgs } from 'node:util';
import { z } from 'zod';
import { MongoOfficerRepository } from '../adapters/mongo/officerRepository.js';
import { loadConfig } from '../config.js';
import { AppError } from '../core/errors.js';
import { passwordSchema, roleSchema, usernameSchema } from '../core/officer.js';
import { regionIdSchema } from '../core/place/gazetteer.js';
import { openDatabase } from '../database.js';

/**
 * `npm run officer -- create --username U --role officer|supervisor|admin --region R`
 * with the password on standard input (never on the command line, where
 * `ps` and shell history would keep it).
 */
const argsSchema = z.object({
  command: z.literal('create', { error: 'the only command is "create"' }),
  username: usernameSchema,
  role: roleSchema,
  region: regionIdSchema,
});

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
    options: { username: { type: 'string' }, role: { type: 'string' }, region: { type: 'string' } },
    allowPositionals: true,
  });
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

await main();
