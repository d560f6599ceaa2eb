import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditLog } from '../../src/adapters/mongo/auditLog.js';
import { MongoOfficerRepository } from '../../src/adapters/mongo/officerRepository.js';
import { connectTestDatabase } from '../support/database.js';

const root = join(import.meta.dirname, '..', '..');
let connection: Connection;
let uri: string;

beforeAll(async () => {
  const db = await connectTestDatabase();
  connection = db.connection;
  const url = new URL(inject('mongodbUri'));
  url.pathname = `/${db.dbName}`;
  uri = url.toString();
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
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

describe('npm run audit -- verify', () => {
  it('says the chain is intact, and names the first altered entry after tampering', async () => {
    const audit = new AuditLog(connection);
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

    await connection
      .collection<{ _id: number; actor: string }>('audit')
      .updateOne({ _id: 3 }, { $set: { actor: 'someone.else' } });
    const broken = await run('audit.ts', ['verify']);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('BROKEN at entry 3');
  });
});
