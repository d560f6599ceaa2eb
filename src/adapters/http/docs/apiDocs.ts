import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  createJsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { SESSION_COOKIE } from '../officer/officerAuth.js';

/** Where the documentation lives: the UI, `/docs/json` and `/docs/yaml`. */
export const DOCS_PREFIX = '/docs';

/**
 * The documentation page loads only what the service serves, like the
 * console (no third party, no inline script, no framing). Swagger UI sets
 * element styles from its script, hence the inline styles.
 */
export const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/**
 * The route schemas are zod: this plugin makes fastify validate requests and
 * serialize answers with them, and derives the OpenAPI document from the same
 * schemas. Registered before the routes, so it sees every one of them.
 * `GET /docs` is the Swagger UI for a browser and the JSON document for any
 * other client (the document was served there before the UI existed).
 */
export const apiDocs = fp(
  async (app: FastifyInstance) => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Tifli API',
          version: '0.1.0',
          description:
            'Officer API, public alerts, dev channel and operations. State-changing officer calls need the x-csrf-token header returned by POST /api/session.',
        },
        components: {
          securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
        },
      },
      transform: createJsonSchemaTransform({ skipList: [] }),
      transformObject: jsonSchemaTransformObject,
    });
    const documentForNonBrowsers = async (request: FastifyRequest, reply: FastifyReply) => {
      const wantsPage = String(request.headers.accept ?? '').includes('text/html');
      if (request.routeOptions.url === DOCS_PREFIX && !wantsPage) {
        return reply.header('cache-control', 'no-cache').send(app.swagger());
      }
    };
    await app.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      // No call to the public validator: the page talks to this service only.
      uiConfig: { validatorUrl: null },
      staticCSP: DOCS_CSP,
      uiHooks: { onRequest: documentForNonBrowsers },
    });
  },
  { name: 'tifli-api-docs', dependencies: ['tifli-error-handler'] },
);
