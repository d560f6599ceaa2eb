import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../support/testApp.js';

/**
 * The OpenAPI document is generated from the route schemas: it must list
 * every route the app answers (and no other), and be a well-formed
 * OpenAPI 3 document a client generator would accept.
 */

let h: TestApp;
beforeAll(async () => {
  h = await createTestApp();
});
afterAll(async () => {
  await h.close();
});

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The parts of OpenAPI 3.x this project's document must get right. */
const schemaObject = z.record(z.string(), z.unknown());
const parameter = z.object({
  name: z.string().min(1),
  in: z.enum(['path', 'query', 'header', 'cookie']),
  required: z.boolean().optional(),
  schema: schemaObject.optional(),
});
const media = z.record(
  z.string().regex(/^[a-z*]+\/[a-z0-9.+*-]+$/),
  z.object({ schema: schemaObject }),
);
const operation = z.object({
  summary: z.string().min(1),
  tags: z.array(z.string()).optional(),
  parameters: z.array(parameter).optional(),
  requestBody: z.object({ content: media, required: z.boolean().optional() }).optional(),
  responses: z
    .record(
      z.string().regex(/^([1-5]\d\d|[1-5]XX|default)$/),
      z.object({ description: z.string(), content: media.optional() }),
    )
    .refine((responses) => Object.keys(responses).length > 0, 'at least one response'),
  security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
});
const openApiDocument = z.object({
  openapi: z.string().regex(/^3\.\d+\.\d+$/),
  info: z.object({ title: z.string().min(1), version: z.string().min(1) }),
  paths: z.record(
    z.string().startsWith('/'),
    z.partialRecord(z.enum(METHODS), operation).and(z.record(z.string(), z.unknown())),
  ),
  components: z
    .object({
      schemas: z.record(z.string(), schemaObject).optional(),
      securitySchemes: z.record(z.string(), z.object({ type: z.string() })).optional(),
    })
    .optional(),
});

/**
 * Every `METHOD path` fastify routes, read from `printRoutes()`: each line
 * of the tree adds its segment to its parent's path.
 */
function registeredRoutes(tree: string): string[] {
  const routes: string[] = [];
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (prefixes[depth - 1] ?? '') + (match[2] ?? '');
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      routes.push(`${method} ${path}`);
    }
  }
  return routes;
}

/** An OpenAPI path template as fastify writes the route (`{id}` → `:id`). */
const asRoute = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

async function document() {
  const response = await h.app.http.inject({ method: 'GET', url: '/docs/json' });
  expect(response.statusCode).toBe(200);
  return openApiDocument.parse(response.json());
}

describe('the OpenAPI document', () => {
  it('lists every route the app registers, and nothing else', async () => {
    const routes = registeredRoutes(h.app.http.printRoutes({ commonPrefix: false }))
      // HEAD comes with every GET; the documentation's own pages are not the API.
      .filter((route) => !route.startsWith('HEAD '))
      .filter((route) => !/^[A-Z]+ \/docs(\/|$)/.test(route));
    expect(routes).toEqual(
      expect.arrayContaining(['GET /api/cases/:id', 'POST /dev/messages', 'GET /alerts/:id.cap']),
    );
    const doc = await document();
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((key) => METHODS.some((method) => method === key))
        .map((method) => `${method.toUpperCase()} ${asRoute(path)}`),
    );
    expect([...documented].sort()).toEqual([...new Set(routes)].sort());
  });

  it('is well-formed OpenAPI 3: path parameters declared, bodies and answers described', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, operations] of Object.entries(doc.paths)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((found) => found[1]);
      for (const method of METHODS) {
        const op = operations[method];
        if (!op) continue;
        const inPath = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(inPath.map((p) => p.name).sort(), `${method} ${path}`).toEqual(templated.sort());
        expect(inPath.every((p) => p.required === true)).toBe(true);
      }
    }
    // Refs point at schemas the document carries.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)];
    for (const [, name] of refs) expect(doc.components?.schemas).toHaveProperty(name ?? '');
    expect(doc.components?.securitySchemes).toHaveProperty('session');
  });

  it('describes bodies from the same schemas the routes validate with', async () => {
    const doc = await document();
    const confirm = doc.paths['/api/cases/{id}/confirm']?.post;
    const body = confirm?.requestBody?.content['application/json']?.schema;
    expect(body).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['checklist'],
    });
    expect(confirm?.security).toEqual([{ session: [] }]);
    expect(Object.keys(confirm?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '409']),
    );
    const login = doc.paths['/api/session']?.post?.requestBody?.content['application/json'];
    expect(login?.schema).toMatchObject({ required: ['username', 'password'] });
  });
});

describe('GET /docs', () => {
  it('is the Swagger UI for a browser, under a policy that loads nothing from elsewhere', async () => {
    const page = await h.app.http.inject({
      method: 'GET',
      url: '/docs',
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui-bundle.js');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https:|upgrade-insecure-requests/);
    const script = await h.app.http.inject({
      method: 'GET',
      url: '/docs/static/swagger-ui-bundle.js',
    });
    expect(script.statusCode).toBe(200);
    const initializer = await h.app.http.inject({
      method: 'GET',
      url: '/docs/static/swagger-initializer.js',
    });
    // The page reads the document relative to itself: /docs/json.
    expect(initializer.body).toContain("resolveUrl('./json')");
  });

  it('is the JSON document for any other client', async () => {
    const answer = await h.app.http.inject({ method: 'GET', url: '/docs' });
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json()).toEqual((await h.app.http.inject({ url: '/docs/json' })).json());
  });

  it('leaves the console its own policy', async () => {
    const consolePage = await h.app.http.inject({ method: 'GET', url: '/' });
    expect(consolePage.headers['content-security-policy']).toContain("style-src 'self';");
  });
});
