import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/errors.js';

/** How a FerretDB process ended. */
export interface FerretDbExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running embedded FerretDB (SQLite backend) and how to stop it. */
export interface EmbeddedFerretDb {
  readonly uri: string;
  /** Its process id (operators and fault tests look for it). */
  readonly pid: number | undefined;
  /** Settles when the process ends, whoever ended it. */
  readonly exited: Promise<FerretDbExit>;
  stop(): Promise<void>;
}

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
 * Starts FerretDB on a free loopback port with its SQLite files in `dataDir`,
 * and resolves once it accepts connections. The data directory is kept, so a
 * restart finds the same cases and conversations.
 */
export async function startEmbeddedFerretDb(options: {
  dataDir: string;
  binary?: string;
  port?: number;
}): Promise<EmbeddedFerretDb> {
  const binary = options.binary ?? ferretDbBinaryPath();
  if (!existsSync(binary)) {
    throw new AppError(
      'ferretdb_missing',
      `the embedded database is not built (${binary}); run "node scripts/prepare.mjs"`,
    );
  }
  await mkdir(options.dataDir, { recursive: true });
  const child = spawn(
    binary,
    ['-data', resolve(options.dataDir), '-listen', `127.0.0.1:${options.port ?? 0}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep only the tail, to explain a failed start without growing forever.
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });

  const uri = await new Promise<string>((resolveUri, reject) => {
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
  return { uri, pid: child.pid, exited, stop: () => stopChild(child) };
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
