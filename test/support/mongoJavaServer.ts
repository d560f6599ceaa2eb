import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';

/** A running mongo-java-server (in-memory backend) and how to stop it. */
export interface MongoJavaServer {
  /** `mongodb://127.0.0.1:<port>/`, as the server printed it. */
  readonly uri: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the JVM has exited. */
  stop(): Promise<void>;
}

const projectRoot = join(import.meta.dirname, '..', '..');

/** How long a JVM may take to print its ready line on a busy 2-core machine. */
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

/**
 * JVM flags for a short-lived test server on two cores. Measured here (12
 * starts each, spawn to ready line, on a machine shared with other work):
 * median 330 ms with the defaults, 190 ms with the serial collector and C1
 * only, 175 ms with no perf-data file on top, and no slower on a 10 000-document
 * workload. The serial collector and C1 start no GC or C2 compiler threads to
 * compete with the tests; the smaller stacks and the heap cap keep the JVM from
 * claiming a quarter of the machine's memory.
 */
const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:-UsePerfData',
  '-Xss512k',
  '-Xmx1g',
];

const optionsSchema = z
  .object({ port: z.number().int().min(0).max(65_535).optional() })
  .strict()
  .optional();

/**
 * Where `scripts/prepare.mjs` puts the runnable jar. The version is read from
 * the launcher's pom.xml so the two can never disagree.
 */
export function mongoJavaServerJarPath(root = projectRoot): string {
  const pom = readFileSync(join(root, 'tools', 'mongo-java-server', 'pom.xml'), 'utf8');
  const version = /<mongo-java-server\.version>([\w.-]+)<\/mongo-java-server\.version>/.exec(
    pom,
  )?.[1];
  if (!version) throw new Error('cannot read mongo-java-server.version from its pom.xml');
  return join(root, '.cache', 'mongo-java-server', `mongo-java-server-${version}.jar`);
}

/**
 * Starts mongo-java-server with its in-memory backend on 127.0.0.1 (a free
 * port unless `port` is given) through `java -jar`, and resolves once it
 * prints `ready mongodb://…`. Rejects with the tail of its stderr when it
 * exits first, or when it is not ready within 60 s. Nothing is kept on disk:
 * each server starts empty.
 */
export async function startMongoJavaServer(options?: { port?: number }): Promise<MongoJavaServer> {
  const { port = 0 } = optionsSchema.parse(options) ?? {};
  const jar = mongoJavaServerJarPath();
  if (!existsSync(jar)) {
    throw new Error(`mongo-java-server is not built (${jar}); run "node scripts/prepare.mjs"`);
  }
  const child = spawn('java', [...JVM_FLAGS, '-jar', jar, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test worker that exits without calling stop() must not leave a JVM behind
  // holding a port and a gigabyte of heap.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));

  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep only the tail, to explain a failed start without growing forever.
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });

  const uri = await new Promise<string>((resolveUri, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server ${why}: ${stderr.slice(-2_000)}`));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`was not ready within ${START_TIMEOUT_MS / 1000} s`);
    }, START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const match = /^ready (mongodb:\/\/\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUri(match[1]);
      }
    });
    // ENOENT when there is no `java` on PATH: prepare.mjs says what to install.
    child.once('error', (error) => fail(`could not start java (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited before it was ready (${code ?? signal})`));
  });

  return { uri, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
