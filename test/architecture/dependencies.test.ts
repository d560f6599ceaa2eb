import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rule of the layout: `core/` is pure, `app/` owns the ports
 * and depends on nothing but `core/`, adapters do not know each other, only
 * the channels know WhatsApp, and only the composition root (and the
 * commands) picks adapters. Imports are read with the TypeScript parser, so
 * dynamic imports and `export … from` count too.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcDir = join(root, 'src');

interface Import {
  /** The importing file, relative to the project (`src/core/…`). */
  file: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported file relative to the project when it is ours, else null. */
  target: string | null;
  /** The package name when it is not ours (`node:crypto`, `zod`, `@fastify/cookie`). */
  packageName: string | null;
  /** Only types are imported (erased at build time). */
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const posix = (path: string) => path.split(sep).join('/');

function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
  // A bare builtin (`crypto`) is the same module as `node:crypto`.
  return isBuiltin(name) ? `node:${name}` : name;
}

const BUILTINS = new Set([
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
]);
const isBuiltin = (name: string) => BUILTINS.has(name);

function importsOf(path: string): Import[] {
  return importsIn(path, readFileSync(path, 'utf8'));
}

function importsIn(path: string, text: string): Import[] {
  const file = posix(relative(root, path));
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (node: ts.Expression, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(node)) return;
    const specifier = node.text;
    const ours = specifier.startsWith('.') || specifier.startsWith('/');
    found.push({
      file,
      specifier,
      target: ours
        ? posix(relative(root, resolve(dirname(path), specifier))).replace(/\.js$/, '.ts')
        : null,
      packageName: ours ? null : packageOf(specifier),
      typeOnly,
    });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedAreTypes =
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((element) => element.isTypeOnly) &&
        clause?.name === undefined;
      add(node.moduleSpecifier, Boolean(clause?.isTypeOnly) || allNamedAreTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument) add(argument, false);
    } else if (ts.isImportTypeNode(node)) {
      // `typeof import('…')` in a type position.
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every comment of a file with the line it starts on; from the parser, so strings are not comments. */
function commentsOf(path: string): Array<{ line: number; text: string }> {
  const text = readFileSync(path, 'utf8');
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const seen = new Map<number, { line: number; text: string }>();
  const collect = (ranges: readonly ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue;
      const line = source.getLineAndCharacterOfPosition(range.pos).line + 1;
      seen.set(range.pos, { line, text: text.slice(range.pos, range.end) });
    }
  };
  const visit = (node: ts.Node) => {
    collect(ts.getLeadingCommentRanges(text, node.getFullStart()));
    collect(ts.getTrailingCommentRanges(text, node.getEnd()));
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return [...seen.values()].sort((a, b) => a.line - b.line);
}

const PURE_PACKAGES = new Set(['zod', 'i18next', 'yaml', 'node:crypto']);
const WHATSAPP_PACKAGES = /^(whatsapp-web\.js|botbuilder(-[a-z]+)?)$/;
const COMPOSITION = (file: string) =>
  file === 'src/compose.ts' ||
  file === 'src/main.ts' ||
  file === 'src/database.ts' ||
  file.startsWith('src/cli/');

const under = (path: string | null, folder: string) => path?.startsWith(`${folder}/`) ?? false;
const adapterOf = (path: string) => /^src\/adapters\/([^/]+)\//.exec(path)?.[1] ?? null;

/** The rules one import breaks, by name. */
function violations(entry: Import): string[] {
  const broken: string[] = [];
  const { file, target, packageName } = entry;
  if (under(file, 'src/core')) {
    if (target !== null && !under(target, 'src/core')) broken.push('core imports only core');
    if (packageName !== null && !PURE_PACKAGES.has(packageName))
      broken.push('core imports only pure packages');
  }
  if (under(file, 'src/app')) {
    const ownLayer = under(target, 'src/core') || under(target, 'src/app');
    const logger = target === 'src/logger.ts' && entry.typeOnly;
    if (target !== null && !ownLayer && !logger)
      broken.push('app imports only core, app and the logger type');
    if (packageName !== null && !PURE_PACKAGES.has(packageName))
      broken.push('app imports only pure packages');
  }
  const from = adapterOf(file);
  const to = target === null ? null : adapterOf(target);
  if (from !== null && to !== null && from !== to)
    broken.push(`adapters/${from} does not import adapters/${to}`);
  if (
    packageName !== null &&
    WHATSAPP_PACKAGES.test(packageName) &&
    !under(file, 'src/adapters/channels') &&
    !COMPOSITION(file)
  )
    broken.push('only adapters/channels imports WhatsApp and botbuilder');
  // core/ and app/ have their own, stricter rules above.
  const layered = under(file, 'src/core') || under(file, 'src/app');
  if (to !== null && from === null && !layered && !COMPOSITION(file))
    broken.push('only the composition root imports adapters');
  return broken;
}

const files = sourceFiles(srcDir);

describe('the dependency rule', () => {
  it('reads the imports of every source file, static, dynamic and re-exported', () => {
    const all = files.flatMap(importsOf);
    expect(files.length).toBeGreaterThan(50);
    expect(all.some((entry) => entry.packageName === 'zod')).toBe(true);
    const probe = importsIn(
      join(srcDir, 'core', 'probe.ts'),
      [
        "export { a } from './a.js';",
        "const b = await import('../adapters/b.js');",
        "import type { C } from 'mongoose';",
        "import { type D, e } from 'node:fs';",
        'type F = typeof import("./f.js");',
        "const g = '// not a comment';",
      ].join('\n'),
    );
    expect(probe.map(({ specifier, typeOnly }) => ({ specifier, typeOnly }))).toEqual([
      { specifier: './a.js', typeOnly: false },
      { specifier: '../adapters/b.js', typeOnly: false },
      { specifier: 'mongoose', typeOnly: true },
      { specifier: 'node:fs', typeOnly: false },
      { specifier: './f.js', typeOnly: true },
    ]);
    expect(probe[1]?.target).toBe('src/adapters/b.ts');
  });

  it('holds for every import in src/', () => {
    const broken = files
      .flatMap(importsOf)
      .flatMap((entry) =>
        violations(entry).map((rule) => `${entry.file} → ${entry.specifier} (${rule})`),
      );
    expect(broken, `\n${broken.join('\n')}\n`).toEqual([]);
  });

  it('judges the rules on the shapes it is meant to catch', () => {
    const entry = (file: string, specifier: string, typeOnly = false): Import => {
      const ours = specifier.startsWith('.');
      return {
        file,
        specifier,
        target: ours ? posix(join(dirname(file), specifier)).replace(/\.js$/, '.ts') : null,
        packageName: ours ? null : packageOf(specifier),
        typeOnly,
      };
    };
    expect(violations(entry('src/core/case/x.ts', 'node:fs'))).toEqual([
      'core imports only pure packages',
    ]);
    expect(violations(entry('src/core/case/x.ts', 'fs'))).toHaveLength(1);
    expect(violations(entry('src/core/case/x.ts', 'zod'))).toEqual([]);
    expect(violations(entry('src/core/case/x.ts', '../../app/ports/clock.js'))).toEqual([
      'core imports only core',
    ]);
    expect(violations(entry('src/app/x.ts', '../logger.js', true))).toEqual([]);
    expect(violations(entry('src/app/x.ts', '../logger.js'))).toHaveLength(1);
    expect(violations(entry('src/app/x.ts', 'mongoose'))).toEqual([
      'app imports only pure packages',
    ]);
    expect(violations(entry('src/adapters/http/x.ts', '../mongo/y.js'))).toEqual([
      'adapters/http does not import adapters/mongo',
    ]);
    expect(violations(entry('src/adapters/http/x.ts', './y.js'))).toEqual([]);
    expect(violations(entry('src/adapters/http/x.ts', 'botbuilder-core'))).toEqual([
      'only adapters/channels imports WhatsApp and botbuilder',
    ]);
    expect(violations(entry('src/adapters/channels/x.ts', 'whatsapp-web.js'))).toEqual([]);
    expect(violations(entry('src/config.ts', './adapters/mongo/y.js'))).toEqual([
      'only the composition root imports adapters',
    ]);
    expect(violations(entry('src/compose.ts', './adapters/mongo/y.js'))).toEqual([]);
  });
});

describe('comments', () => {
  it('never point to a design file outside the repository', () => {
    const outside = /DESIGN\.md|STYLE\.md|\.\.\/shared|\/work\/shared/;
    const probe = join(srcDir, 'app', 'retention.ts');
    expect(commentsOf(probe).length).toBeGreaterThan(0);
    const found = files.flatMap((path) =>
      commentsOf(path).flatMap((comment) => {
        const match = outside.exec(comment.text);
        if (!match) return [];
        const line = comment.line + comment.text.slice(0, match.index).split('\n').length - 1;
        return [
          `${posix(relative(root, path))}:${line} → ${match[0]} (comments stay inside the repository)`,
        ];
      }),
    );
    expect(found, `\n${found.join('\n')}\n`).toEqual([]);
  });
});
