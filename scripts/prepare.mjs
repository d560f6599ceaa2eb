#!/usr/bin/env node
// Makes a fresh clone runnable with no manual step: installs the npm
// dependencies when they are missing, builds the embedded FerretDB binary
// (see tools/ferretdb) and the mongo-java-server jar that the tests start as
// a second database server (see tools/mongo-java-server) when they are
// missing. A second run does nothing.
//
// Plain Node with no dependencies, because it runs before they exist.
// `--no-ferretdb` skips the binary (when MONGODB_URI points elsewhere) and the
// jar too: it is what `npm run chat` passes, and the chat needs no database.
// `--no-mongo-java-server` skips only the jar.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
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

// Whether a command can be run at all (`java -version`, `mvn -v`), without
// printing anything: a missing toolchain gets one clear message instead.
function available(cmd, cmdArgs) {
  return spawnSync(cmd, cmdArgs, { stdio: 'ignore' }).status === 0;
}

// Whether a Debian package is installed: a package removed but not purged
// ("deinstall ok config-files") still answers `dpkg -s`, yet its files are gone.
function debianPackageInstalled(name) {
  // dpkg-query's own format field, not a JavaScript template.
  const format = ['-f=$', '{Status}'].join('');
  const query = spawnSync('dpkg-query', ['-W', format, name], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.trim().endsWith('install ok installed');
}

// Every file under `dir`, as paths relative to it, skipping the names in `skip`.
function filesUnder(dir, skip, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .filter((entry) => !skip.has(entry.name))
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? filesUnder(dir, skip, path) : [path];
    });
}

function newer(a, b) {
  return statSync(a).mtimeMs > statSync(b).mtimeMs;
}

// 0. Debian packages the service and the tests need beyond Node and Go:
// Chromium draws alert posters (and drives the console's browser tests),
// the Noto and DejaVu fonts give the posters Arabic and Latin letters, and
// Java 17 with Maven builds mongo-java-server for the tests. Installed when
// missing and this runs as root (a fresh machine, CI); otherwise the exact
// command to run is printed and prepare stops.
if (!args.has('--no-ferretdb')) {
  const wanted = [];
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) wanted.push('chromium');
  for (const font of ['fonts-noto-core', 'fonts-dejavu-core']) {
    if (!debianPackageInstalled(font)) wanted.push(font);
  }
  if (!args.has('--no-mongo-java-server')) {
    if (!available('javac', ['-version'])) wanted.push('openjdk-17-jdk-headless');
    if (!available('mvn', ['-v'])) wanted.push('maven');
  }
  if (wanted.length > 0) {
    const command = `apt-get install -y --no-install-recommends ${wanted.join(' ')}`;
    if (process.getuid?.() === 0 && available('apt-get', ['--version'])) {
      console.error(`prepare: installing Debian packages: ${wanted.join(' ')}…`);
      run('apt-get', ['update', '-qq'], root);
      run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...wanted], root, {
        DEBIAN_FRONTEND: 'noninteractive',
      });
    } else {
      console.error(`prepare: missing system packages; as root, run: apt-get update && ${command}`);
      process.exit(1);
    }
  }
}

// 1. npm dependencies, exactly as locked.
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || newer(lock, installed)) {
  console.error('prepare: installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund'], root);
}

// 2. The embedded FerretDB binary, built from the Go module proxy with our
// patches to FerretDB (tools/ferretdb/patches/*.patch) applied.
if (!args.has('--no-ferretdb')) {
  const launcher = join(root, 'tools', 'ferretdb');
  const version = readFileSync(join(launcher, 'go.mod'), 'utf8').match(
    /FerretDB\/FerretDB (v[\w.-]+)/,
  )?.[1];
  if (!version) {
    console.error('prepare: cannot read the FerretDB version from tools/ferretdb/go.mod');
    process.exit(1);
  }
  const cache = join(root, '.cache', 'ferretdb');
  const binary = join(cache, `ferretdb-${version}`);
  const launcherFiles = readdirSync(launcher)
    .filter((f) => /\.go$|^go\.(mod|sum)$/.test(f))
    .sort();
  const patchDir = join(launcher, 'patches');
  const patches = existsSync(patchDir)
    ? readdirSync(patchDir)
        .filter((f) => f.endsWith('.patch'))
        .sort()
    : [];
  // Rebuild when the launcher's sources or the patches change, not only when
  // the binary is missing.
  const patchDigest = digestOf(patchDir, patches);
  const digest = digestOf(launcher, launcherFiles, patchDigest);
  const stamp = `${binary}.sources`;
  if (!existsSync(binary) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== digest) {
    console.error(`prepare: building FerretDB ${version} (first run only, about a minute)…`);
    mkdirSync(cache, { recursive: true });
    const source = patchedFerretDb(cache, launcher, version, patchDir, patches, patchDigest);

    // The launcher is built from a copy whose go.mod points FerretDB at the
    // patched source, so tools/ferretdb itself stays a plain module.
    const work = temporary(join(cache, `launcher-${process.pid}`));
    mkdirSync(work);
    for (const file of launcherFiles) cpSync(join(launcher, file), join(work, file));
    run('go', ['mod', 'edit', `-replace=github.com/FerretDB/FerretDB=${source}`], work);
    const tmp = temporary(`${binary}.tmp-${process.pid}`);
    run('go', ['build', '-trimpath', '-o', tmp, '.'], work, { CGO_ENABLED: '0' });
    renameSync(tmp, binary);
    writeFileSync(stamp, digest);
    // Sources patched for an earlier set of patches are not needed any more.
    for (const old of readdirSync(cache)) {
      if (old.startsWith('src-') && !old.includes('.tmp-') && join(cache, old) !== source) {
        rmSync(join(cache, old), { recursive: true, force: true });
      }
    }
  }
}

// A digest of a launcher's sources, so that a change to them rebuilds what was
// built from them, not only a missing output.
function digestOf(dir, files, seed = '') {
  const hash = createHash('sha256').update(seed);
  for (const file of [...files].sort()) hash.update(file).update(readFileSync(join(dir, file)));
  return hash.digest('hex');
}

/** Returns path, removed (if still there) when this process exits, even on a failure. */
function temporary(path) {
  rmSync(path, { recursive: true, force: true });
  process.on('exit', () => {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // left for the next run, which removes it first
    }
  });
  return path;
}

/**
 * FerretDB's module source with the patches applied, in
 * .cache/ferretdb/src-<version>-<patch digest>, made once per set of patches.
 * Exits when a patch does not apply.
 */
function patchedFerretDb(cache, launcher, version, patchDir, patches, patchDigest) {
  const dir = join(cache, `src-${version}-${patchDigest.slice(0, 16)}`);
  if (existsSync(dir)) return dir;

  const download = spawnSync(
    'go',
    ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${version}`],
    { cwd: launcher, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let module;
  try {
    module = JSON.parse(download.stdout);
  } catch {
    // reported below
  }
  if (download.status !== 0 || !module?.Dir) {
    console.error(
      `prepare: cannot download FerretDB ${version}: ${module?.Error ?? download.error ?? download.stdout}`,
    );
    process.exit(1);
  }

  // The module cache is read-only: copy it, make the copy writable, patch it,
  // and only then give it its final name.
  const tmp = temporary(`${dir}.tmp-${process.pid}`);
  cpSync(module.Dir, tmp, { recursive: true });
  makeWritable(tmp);
  for (const file of patches) {
    console.error(`prepare: applying ${file}`);
    const patch = join(patchDir, file);
    const names = [...readFileSync(patch, 'utf8').matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]);
    const read = (name) => (existsSync(join(tmp, name)) ? readFileSync(join(tmp, name)) : null);
    const before = names.map(read);
    // git must not see the project's repository around the copy: inside one,
    // git apply skips the files that are not under the repository's top
    // directory, without a word and with exit 0.
    run('git', ['apply', '--verbose', patch], tmp, { GIT_CEILING_DIRECTORIES: cache });
    // And check that it took, without git: every file it names has changed.
    const unchanged = names.filter((name, i) => {
      const after = read(name);
      return after === null || before[i]?.equals(after);
    });
    if (names.length === 0 || unchanged.length > 0) {
      console.error(`prepare: ${file} did not change ${unchanged.join(', ') || 'any file'}`);
      process.exit(1);
    }
  }
  try {
    renameSync(tmp, dir);
  } catch (error) {
    // Another prepare made it meanwhile.
    if (!existsSync(dir)) throw error;
  }
  return dir;
}

function makeWritable(path) {
  const stat = statSync(path);
  chmodSync(path, stat.mode | 0o200);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) makeWritable(join(path, entry));
  }
}

// 3. The mongo-java-server jar (in-memory backend), built from Maven Central.
// The tests start it as a second MongoDB-wire server beside FerretDB
// (test/support/mongoJavaServer.ts); nothing outside the tests uses it.
if (!args.has('--no-ferretdb') && !args.has('--no-mongo-java-server')) {
  const launcher = join(root, 'tools', 'mongo-java-server');
  const version = readFileSync(join(launcher, 'pom.xml'), 'utf8').match(
    /<mongo-java-server\.version>([\w.-]+)<\/mongo-java-server\.version>/,
  )?.[1];
  if (!version) {
    console.error(
      'prepare: cannot read mongo-java-server.version from tools/mongo-java-server/pom.xml',
    );
    process.exit(1);
  }
  const name = `mongo-java-server-${version}.jar`;
  const jar = join(root, '.cache', 'mongo-java-server', name);
  // Everything Maven reads (pom.xml, src/): a change rebuilds the jar.
  const digest = digestOf(launcher, filesUnder(launcher, new Set(['target'])));
  const stamp = `${jar}.sources`;
  if (!existsSync(jar) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== digest) {
    // Checked only when there is something to build, so a machine that has the
    // jar runs the tests with a JRE alone.
    // javac too: Debian's maven package brings a JRE, which cannot compile the launcher.
    if (
      !['java', 'javac'].every((cmd) => available(cmd, ['-version'])) ||
      !available('mvn', ['-v'])
    ) {
      console.error(
        'prepare: the tests need Java 17 and Maven for mongo-java-server: ' +
          'apt-get install openjdk-17-jdk-headless maven ' +
          '(or run with --no-mongo-java-server to skip it)',
      );
      process.exit(1);
    }
    console.error(
      `prepare: building mongo-java-server ${version} (first run only, under a minute)…`,
    );
    run('mvn', ['-q', '-B', 'package'], launcher);
    mkdirSync(dirname(jar), { recursive: true });
    // Through a temporary name, so an interrupted copy never passes for a jar.
    const tmp = `${jar}.tmp-${process.pid}`;
    copyFileSync(join(launcher, 'target', name), tmp);
    renameSync(tmp, jar);
    writeFileSync(stamp, digest);
  }
}
