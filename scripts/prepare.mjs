#!/usr/bin/env node
// Makes a fresh clone runnable with no manual step: installs the npm
// dependencies when they are missing and builds the embedded FerretDB binary
// (see tools/ferretdb) when it is missing. A second run does nothing.
//
// Plain Node with no dependencies, because it runs before they exist.
// `--no-ferretdb` skips the binary (when MONGODB_URI points elsewhere).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));

function run(cmd, cmdArgs, cwd, extraEnv = {}) {
  const result = spawnSync(cmd, cmdArgs, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ...extraEnv },
  });
  if (result.status !== 0) {
    console.error(
      `prepare: "${cmd} ${cmdArgs.join(' ')}" failed (exit ${result.status ?? result.signal})`,
    );
    process.exit(1);
  }
}

function newer(a, b) {
  return statSync(a).mtimeMs > statSync(b).mtimeMs;
}

// 1. npm dependencies, exactly as locked.
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || newer(lock, installed)) {
  console.error('prepare: installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund'], root);
}

// 2. The embedded FerretDB binary, built from the Go module proxy.
if (!args.has('--no-ferretdb')) {
  const launcher = join(root, 'tools', 'ferretdb');
  const version = readFileSync(join(launcher, 'go.mod'), 'utf8').match(
    /FerretDB\/FerretDB (v[\w.-]+)/,
  )?.[1];
  if (!version) {
    console.error('prepare: cannot read the FerretDB version from tools/ferretdb/go.mod');
    process.exit(1);
  }
  const binary = join(root, '.cache', 'ferretdb', `ferretdb-${version}`);
  // Rebuild when the launcher's sources change, not only when the binary is missing.
  const sources = createHash('sha256');
  for (const file of readdirSync(launcher)
    .filter((f) => /\.go$|^go\.(mod|sum)$/.test(f))
    .sort()) {
    sources.update(file).update(readFileSync(join(launcher, file)));
  }
  const digest = sources.digest('hex');
  const stamp = `${binary}.sources`;
  if (!existsSync(binary) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== digest) {
    console.error(`prepare: building FerretDB ${version} (first run only, about a minute)…`);
    mkdirSync(dirname(binary), { recursive: true });
    const tmp = `${binary}.tmp-${process.pid}`;
    run('go', ['build', '-trimpath', '-o', tmp, '.'], launcher, { CGO_ENABLED: '0' });
    renameSync(tmp, binary);
    writeFileSync(stamp, digest);
  }
}
