import { AuditLog } from '../adapters/mongo/auditLog.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../database.js';

/** `npm run audit -- verify`: recomputes the audit chain; exit 1 if anything was altered. */
async function main(): Promise<void> {
  if (process.argv[2] !== 'verify') {
    process.stderr.write('audit: usage: npm run audit -- verify\n');
    process.exit(2);
  }
  const config = loadConfig(process.env);
  if (!config.ok) {
    process.stderr.write(`audit: ${config.problems.join('; ')}\n`);
    process.exit(2);
  }
  const database = await openDatabase({
    mongodbUri: config.config.mongodbUri,
    dataDir: config.config.dataDir,
  });
  try {
    const result = await new AuditLog(database.connection).verify();
    if (result.ok) {
      process.stdout.write(`audit chain intact: ${result.entries} entries\n`);
    } else {
      process.stdout.write(
        `audit chain BROKEN at entry ${result.brokenAt} (${result.problem}) after ${result.entries - 1} good entries\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    await database.close();
  }
}

await main();
