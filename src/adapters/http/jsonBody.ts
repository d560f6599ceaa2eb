import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../core/errors.js';

/** No body of this API nests deeper than a few levels; 32 leaves room and refuses floods. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a JSON text nests objects and arrays deeper than `maxDepth`, read
 * in one pass over the characters (brackets inside strings do not count).
 * It stops at the first level too deep, so a megabyte of `[` costs as
 * little as a short body, where `JSON.parse` would recurse through all of it.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === BACKSLASH) i++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) inString = true;
    else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) depth--;
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * The JSON body parser of every route: the size limit is fastify's (the
 * service's `bodyLimit`, or the route's own), then the depth is checked on
 * the raw text before anything is parsed, then fastify's own parser (which
 * refuses `__proto__` and `constructor` keys) reads it. A body nested too
 * deep is a localized 400, like any other bad body.
 */
export const jsonBody = fp(
  async (app: FastifyInstance, options: { maxDepth?: number }) => {
    const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
    const parse = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (nestsDeeperThan(text, maxDepth)) {
        done(
          new AppError('bad_request', `JSON body nested deeper than ${maxDepth}`, undefined, {
            key: 'http:too_deep',
            params: { max: String(maxDepth) },
          }),
          undefined,
        );
        return;
      }
      parse(request, text, done);
    });
  },
  { name: 'tifli-json-body', dependencies: ['tifli-error-handler'] },
);
