import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/errors.js';

/** How a FerretDB process ended. */
export interface FerretDbExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * How the embedded FerretDB can be reached: `socket`, a Unix socket in a
 * directory only the service's user may enter (no TCP port at all); or
 * `loopback-tcp`, a port on 127.0.0.1 that any local process can connect to
 * (the tests' shared server, or a launcher built before the socket existed).
 */
export type EmbeddedExposure = 'socket' | 'loopback-tcp';

/** A running embedded FerretDB (SQLite backend) and how to stop it. */
export interface EmbeddedFerretDb {
  readonly uri: string;
  readonly exposure: EmbeddedExposure;
  /** The launcher's process id (tests look at what it listens on). */
  readonly pid: number | undefined;
  /** Settles when the process ends, whoever ended it. */
  readonly exited: Promise<FerretDbExit>;
  stop(): Promise<void>;
}

/**
 * The longest socket path Linux takes is 107 bytes; a deep DATA_DIR gets
 * its socket in a private temporary directory instead.
 */
const MAX_SOCKET_PATH = 100;

/** Whether this launcher build offers `-listen-unix` (builds before it did not). */
export function launcherSupportsSocket(binary: string): boolean {
  const help = spawnSync(binary, ['-help'], { encoding: 'utf8', timeout: 10_000 });
  return `${help.stdout ?? ''}${help.stderr ?? ''}`.includes('-listen-unix');
}

/**
 * A directory for the socket that only this user may enter (0700): beside
 * the data when the path is short enough, else a private temporary one.
 */
async function privateSocketDir(dataDir: string): Promise<{ dir: string; temporary: boolean }> {
  const beside = join(resolve(dataDir), 'run');
  if (join(beside, SOCKET_NAME).length + '.ferretdb'.length <= MAX_SOCKET_PATH) {
    await mkdir(beside, { recursive: true, mode: 0o700 });
    // It may exist from an earlier run with looser rights.
    await chmod(beside, 0o700);
    return { dir: beside, temporary: false };
  }
  return { dir: await mkdtemp(join(tmpdir(), 'tifli-db-')), temporary: true };
}

const SOCKET_NAME = 'ferretdb.sock';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Where `scripts/prepare.mjs` builds the FerretDB binary. The version is read
 * from the launcher's go.mod so the two can never disagree.
 */
export function ferretDbBinaryPath(root = projectRoot): string {
  const goMod = readFileSync(join(root, 'tools', 'ferretdb', 'go.mod'), 'utf8');
  const version = /FerretDB\/FerretDB (v[\w.-]+)/.exec(goMod)?.[1];
  if (!version) throw new AppError('ferretdb_missing', 'cannot read the FerretDB version');
  return join(root, '.cache', 'ferretdb', `ferretdb-${version}`);
}

/**
 * Starts FerretDB with its SQLite files in `dataDir` (mode 0700), and
 * resolves once it accepts connections. By default it listens on a Unix
 * socket in a private directory, with no TCP port, so no other local user's
 * process can reach the data; `listen: 'tcp'` (the tests' shared server)
 * takes a free loopback port instead, and so does a launcher built before
 * sockets were offered (`exposure` says which it got). The data directory is
 * kept, so a restart finds the same cases and conversations.
 */
export async function startEmbeddedFerretDb(options: {
  dataDir: string;
  binary?: string;
  port?: number;
  listen?: 'socket' | 'tcp';
}): Promise<EmbeddedFerretDb> {
  const binary = options.binary ?? ferretDbBinaryPath();
  if (!existsSync(binary)) {
    throw new AppError(
      'ferretdb_missing',
      `the embedded database is not built (${binary}); run "node scripts/prepare.mjs"`,
    );
  }
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const socket =
    (options.listen ?? 'socket') === 'socket' && launcherSupportsSocket(binary)
      ? await privateSocketDir(options.dataDir)
      : null;
  const listen = socket
    ? ['-listen-unix', join(socket.dir, SOCKET_NAME)]
    : ['-listen', `127.0.0.1:${options.port ?? 0}`];
  const child = spawn(binary, ['-data', resolve(options.dataDir), ...listen], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const removeSocketDir = async () => {
    if (socket?.temporary) await rm(socket.dir, { recursive: true, force: true });
  };
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep only the tail, to explain a failed start without growing forever.
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });

  const ready = new Promise<string>((resolveUri, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new AppError('ferretdb_start', 'FerretDB did not start within 30 s'));
    }, 30_000);
    lines.on('line', (line) => {
      const match = /^ready (mongodb:\/\/\S+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUri(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new AppError(
          'ferretdb_start',
          `FerretDB exited before it was ready (${code ?? signal}): ${stderr.join('').slice(-2000)}`,
        ),
      );
    });
  });

  const exited = new Promise<FerretDbExit>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit({ code: child.exitCode, signal: child.signalCode });
    } else {
      child.once('exit', (code, signal) => resolveExit({ code, signal }));
    }
  });
  let uri: string;
  try {
    uri = await ready;
  } catch (error) {
    await removeSocketDir();
    throw error;
  }

  return {
    uri,
    exposure: socket ? 'socket' : 'loopback-tcp',
    pid: child.pid,
    exited,
    stop: async () => {
      await stopChild(child);
      await removeSocketDir();
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
