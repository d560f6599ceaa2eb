import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../core/errors.js';
import { LANGUAGES, type Language, languageSchema } from '../../../core/nlu/language.js';
import { consoleFileParams, consoleTextsParams } from './consoleSchemas.js';

/**
 * The page may only load what the app itself serves: no inline script or
 * style, no third party, no framing. Family-typed text is never markup, and
 * this is the second line of defence if it ever were.
 */
export const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' blob: data:; media-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** The only files of `console/` that are served, with their content types. */
const CONSOLE_FILES: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const consoleTexts = z.record(z.string(), z.unknown());
/** A namespace that also holds sentences of the console, under `console`. */
const consoleSection = z.looseObject({ console: z.record(z.string(), z.unknown()).optional() });

/**
 * The console's texts in one language: `console.json`, and beside it any
 * `console-<part>.json` (one per part of the console, so each part keeps its
 * own file), merged by their top-level keys, which must not collide.
 */
function consoleTextsOf(dir: string): Record<string, unknown> {
  const files = [
    'console.json',
    ...readdirSync(dir)
      .filter((name) => /^console-[a-z0-9-]+\.json$/.test(name))
      .sort(),
  ];
  const merged: Record<string, unknown> = {};
  for (const file of files) {
    const parsed = consoleTexts.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    if (!parsed.success) throw new Error(`${join(dir, file)} is not an object`);
    for (const [key, value] of Object.entries(parsed.data)) {
      if (Object.hasOwn(merged, key)) throw new Error(`${join(dir, file)} repeats the key ${key}`);
      merged[key] = value;
    }
  }
  return merged;
}

export interface ConsoleRoutesOptions {
  /** The project root, holding `console/` and `locales/`. */
  rootDir: string;
}

function noCache(reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
}

/**
 * The officers' web console: `GET /` (the page), `GET /console/app.js|app.css`
 * and `GET /console/i18n/:lang.json` (the `console` namespace of the locales).
 * Files are read on each request so a changed console needs no restart; the
 * texts are read once, at start, like the bot's.
 */
export const consoleRoutes = fp(
  async (fastify: FastifyInstance, options: ConsoleRoutesOptions) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['console'];
    const consoleDir = join(options.rootDir, 'console');
    const texts = new Map<Language, string>();
    /** The `console` section of the other namespaces (`rights.json`), each under its name. */
    const consoleSections = (language: Language): Record<string, unknown> => {
      const dir = join(options.rootDir, 'locales', language);
      const sections: Record<string, unknown> = {};
      for (const file of readdirSync(dir)) {
        if (!file.endsWith('.json') || file.startsWith('console')) continue;
        const section = consoleSection.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
        if (section.success && section.data.console)
          sections[file.slice(0, -5)] = section.data.console;
      }
      return sections;
    };
    for (const language of LANGUAGES) {
      const dir = join(options.rootDir, 'locales', language);
      // The broadcast's sentences (reach, halt) live in their own file, under `broadcast.`.
      const broadcastPath = join(dir, 'consoleBroadcast.json');
      const broadcast = consoleTexts.safeParse(JSON.parse(readFileSync(broadcastPath, 'utf8')));
      if (!broadcast.success)
        throw new Error(`locales/${language}/consoleBroadcast.json is not an object`);
      texts.set(
        language,
        JSON.stringify({
          ...consoleSections(language),
          ...consoleTextsOf(dir),
          broadcast: broadcast.data,
        }),
      );
    }

    app.get(
      '/',
      { schema: { summary: "The officers' console (HTML)", tags } },
      async (_request, reply) => {
        const html = await readFile(join(consoleDir, 'index.html'));
        return noCache(reply)
          .header('content-type', 'text/html; charset=utf-8')
          .header('content-security-policy', CONSOLE_CSP)
          .header('x-frame-options', 'DENY')
          .send(html);
      },
    );

    app.get(
      '/console/:file',
      { schema: { summary: "The console's script and style", tags, params: consoleFileParams } },
      async (request, reply) => {
        const { file } = request.params;
        const contentType = Object.hasOwn(CONSOLE_FILES, file) ? CONSOLE_FILES[file] : undefined;
        if (contentType === undefined) throw new AppError('not_found', 'no such console file');
        const body = await readFile(join(consoleDir, file));
        return noCache(reply).header('content-type', contentType).send(body);
      },
    );

    app.get(
      '/console/i18n/:lang.json',
      {
        schema: {
          summary: "The console's texts in one language",
          tags,
          params: consoleTextsParams,
        },
      },
      async (request, reply) => {
        const parsed = languageSchema.safeParse(request.params.lang);
        const body = parsed.success ? texts.get(parsed.data) : undefined;
        if (body === undefined) throw new AppError('not_found', 'no such console language');
        return noCache(reply).header('content-type', 'application/json; charset=utf-8').send(body);
      },
    );
  },
  { name: 'tifli-console', dependencies: ['tifli-error-handler'] },
);
