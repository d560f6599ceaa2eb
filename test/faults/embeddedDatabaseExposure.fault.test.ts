import { mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/database.js';

/**
 * The service starts its own embedded FerretDB the way `src/main.ts` does
 * (`openDatabase` without MONGODB_URI). No other local process may reach it:
 * it listens on no TCP port at all, only on a Unix socket in a directory
 * only the service's user may enter. `TIFLI_TEST_FERRETDB_BINARY` names
 * another launcher build to try (the prepare step's one by default).
 */
let dataDir: string;
let database: Database;

/** The TCP ports a process listens on, read from /proc (Linux). */
async function tcpListenPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.add(match[1]);
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8')).split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [, local, , state] = fields;
      const inode = fields[9];
      // State 0A is LISTEN.
      if (state === '0A' && inode && inodes.has(inode) && local) {
        ports.push(Number.parseInt(local.split(':')[1] ?? '0', 16));
      }
    }
  }
  return ports;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tifli-exposure-'));
  const binary = process.env.TIFLI_TEST_FERRETDB_BINARY;
  database = await openDatabase({
    dataDir,
    dbName: 'tifli_exposure',
    ...(binary ? { ferretDbBinary: binary } : {}),
  });
});
afterAll(async () => {
  await database.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded database the service starts', () => {
  it('is reached through a private Unix socket, with no TCP port open', async () => {
    expect(database.embedded?.exposure, database.description).toBe('socket');
    const pid = database.embedded?.pid;
    if (pid === undefined) throw new Error('the embedded FerretDB has no process id');
    expect(await tcpListenPorts(pid)).toEqual([]);
    // And it works through the socket.
    await database.connection
      .collection<{ _id: number; ok: boolean }>('probe')
      .insertOne({ _id: 1, ok: true });
    expect(
      await database.connection
        .collection<{ _id: number; ok: boolean }>('probe')
        .findOne({ _id: 1 }),
    ).toEqual({
      _id: 1,
      ok: true,
    });
  });

  it("keeps the socket in a directory only the service's user may enter", async () => {
    const uri = (await readFile(join(dataDir, 'db', 'running.uri'), 'utf8')).trim();
    expect(uri).toMatch(/^mongodb:\/\/%2F/);
    const socketPath = decodeURIComponent(uri.slice('mongodb://'.length, -1));
    const socketDir = join(socketPath, '..');
    expect((await stat(socketDir)).mode & 0o777).toBe(0o700);
    expect((await stat(socketPath)).isSocket()).toBe(true);
    expect((await stat(join(dataDir, 'db'))).mode & 0o077).toBe(0);
  });

  it('lets a command next to the service (npm run officer, audit) share it through the socket', async () => {
    const shared = await openDatabase({ dataDir, dbName: 'tifli_exposure' });
    try {
      expect(shared.description).toContain('shared');
      expect(await shared.connection.collection('probe').countDocuments()).toBe(1);
    } finally {
      await shared.close();
    }
  });
});
