import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditHeadFile } from '../../src/adapters/files/auditHeadFile.js';
import { AuditLog } from '../../src/adapters/mongo/auditLog.js';
import { MongoOfficerRepository } from '../../src/adapters/mongo/officerRepository.js';
import type { LoginKey } from '../../src/core/loginThrottle.js';
import { connectTestDatabase } from '../support/database.js';

const root = join(import.meta.dirname, '..', '..');
let connection: Connection;
let uri: string;
/** The commands' DATA_DIR: where the audit checkpoint is kept. */
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tifli-cli-'));
  const db = await connectTestDatabase();
  connection = db.connection;
  const url = new URL(inject('mongodbUri'));
  url.pathname = `/${db.dbName}`;
  uri = url.toString();
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
  await rm(dataDir, { recursive: true, force: true });
});

function run(
  script: string,
  args: string[],
  stdin = '',
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join('src', 'cli', script), ...args],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          MONGODB_URI: uri,
          DATABASE_ADAPTERS: inject('appDatabase'),
          DATA_DIR: dataDir,
        },
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}

describe('npm run officer', () => {
  it('creates an officer with the password read from stdin, hashed with argon2id', async () => {
    const result = await run(
      'officer.ts',
      ['create', '--username', 'N.Tazi', '--role', 'supervisor', '--region', 'fes-meknes'],
      'a long invented passphrase\n',
    );
    expect(result.out).toContain('created supervisor n.tazi (fes-meknes)');
    expect(result.code).toBe(0);
    const stored = await connection
      .collection<{ _id: string; passwordHash: string }>('officers')
      .findOne({ _id: 'n.tazi' });
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(
      await new MongoOfficerRepository(connection).verifyPassword(
        'n.tazi',
        'a long invented passphrase',
      ),
    ).toMatchObject({ role: 'supervisor' });
  });

  it.each([
    [['create', '--username', 'x.y', '--role', 'chief', '--region', 'fes-meknes'], 'role'],
    [['create', '--username', 'x.y', '--role', 'officer', '--region', 'atlantis'], 'region'],
    [['delete', '--username', 'x.y', '--role', 'officer', '--region', 'fes-meknes'], 'create'],
  ])('refuses %j naming the problem', async (args, problem) => {
    const result = await run('officer.ts', args, 'a long invented passphrase');
    expect(result.code).toBe(2);
    expect(result.out).toContain(problem);
  });

  it('refuses a short password and an existing username', async () => {
    expect(
      (
        await run(
          'officer.ts',
          ['create', '--username', 'short.pw', '--role', 'officer', '--region', 'oriental'],
          'abc',
        )
      ).out,
    ).toContain('at least 12');
    const again = await run(
      'officer.ts',
      ['create', '--username', 'n.tazi', '--role', 'officer', '--region', 'oriental'],
      'another long passphrase',
    );
    expect(again.code).toBe(2);
    expect(again.out).toContain('already exists');
  });
});

describe('npm run officer -- unlock', () => {
  it("forgets an account's failed logins and lifts an address's lock-out, audited", async () => {
    const officers = new MongoOfficerRepository(connection);
    const account: LoginKey = { kind: 'account', username: 'k.idrissi' };
    const address: LoginKey = { kind: 'address', address: '198.51.100.23' };
    for (let i = 0; i < 12; i++) await officers.reserveLoginAttempt(account);
    await officers.reserveLoginAttempt(address);
    expect((await officers.loginStanding(account)).slowed).toBe(true);
    const byName = await run('officer.ts', ['unlock', '--username', 'K.Idrissi']);
    expect(byName.code).toBe(0);
    expect(byName.out).toContain('unlocked k.idrissi');
    expect((await officers.loginStanding(account)).failures).toBe(0);
    const byAddress = await run('officer.ts', ['unlock', '--address', '198.51.100.23']);
    expect(byAddress.out).toContain('unlocked 198.51.100.23');
    expect((await run('officer.ts', ['unlock', '--address', 'not-an-ip'])).code).toBe(2);
    const entries = await connection
      .collection<{ action: string; actor: string }>('audit')
      .find({ actor: 'cli' })
      .toArray();
    expect(entries.map((e) => e.action)).toEqual([
      'login.account_unlocked',
      'login.address_unlocked',
    ]);
    expect((await run('audit.ts', ['verify'])).out).toContain('audit chain intact: 2 entries');
    // The verify test below starts from an empty chain.
    await connection.collection('audit').deleteMany({});
  });
});

describe('npm run audit -- verify', () => {
  it('says the chain is intact, and names the first altered entry after tampering', async () => {
    const audit = new AuditLog(connection, {
      checkpoint: AuditHeadFile.inDataDir(dataDir, connection.name),
    });
    for (let i = 0; i < 5; i++) {
      await audit.append({
        at: new Date(),
        actor: `officer.${i}`,
        action: 'case.viewed',
        caseId: 'case-1',
        details: {},
      });
    }
    const intact = await run('audit.ts', ['verify']);
    expect(intact.code).toBe(0);
    expect(intact.out).toContain('audit chain intact: 5 entries');
    expect(intact.out).toContain('the checkpoint (5 entries)');
    const head = await run('audit.ts', ['head']);
    expect(head.code).toBe(0);
    expect(head.out).toMatch(/^5:[0-9a-f]{64}\n/);
    const kept = head.out.trim();
    expect((await run('audit.ts', ['verify', '--head', kept])).code).toBe(0);
    expect((await run('audit.ts', ['verify', '--head', `6:${kept.slice(2)}`])).out).toContain(
      'BROKEN at entry 6 (truncated',
    );
    expect((await run('audit.ts', ['verify', '--head', 'five'])).code).toBe(2);

    await connection
      .collection<{ _id: number; actor: string }>('audit')
      .updateOne({ _id: 3 }, { $set: { actor: 'someone.else' } });
    const broken = await run('audit.ts', ['verify']);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('BROKEN at entry 3');
  });
});
