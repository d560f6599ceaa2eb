import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type ZodType, z } from 'zod';
import { devMessageBody } from '../dev/devRoutes.js';
import { alertBodies } from '../officer/alertRoutes.js';
import { caseBodies } from '../officer/caseRoutes.js';
import { loginBody } from '../officer/sessionRoutes.js';

type Operation = {
  summary: string;
  body?: ZodType;
  responses: Record<string, string>;
  officer?: boolean;
};

const errors = {
  '400': 'Bad body (fields at fault listed)',
  '401': 'No session',
  '403': 'Missing or wrong CSRF token',
  '404': 'Not found, or not yours',
};

/** Every route of the API, described once; the OpenAPI document is derived from it. */
const routes: Record<string, Record<string, Operation>> = {
  '/api/session': {
    post: {
      summary: 'Sign in (sets the session cookie, returns the CSRF token)',
      body: loginBody,
      responses: {
        '200': 'Signed in',
        '401': 'Wrong username or password',
        '429': 'Too many attempts',
      },
    },
    get: {
      summary: 'The signed-in officer and CSRF token',
      responses: { '200': 'Signed in', '401': 'No session' },
      officer: true,
    },
    delete: { summary: 'Sign out', responses: { '204': 'Signed out' }, officer: true },
  },
  '/api/cases': {
    get: {
      summary: 'The queue (?status=pending|in_review|…), by priority then waiting time',
      responses: { '200': 'Cases' },
      officer: true,
    },
  },
  '/api/cases/{id}': {
    get: {
      summary: 'A whole case (audited)',
      responses: { '200': 'The case', ...errors },
      officer: true,
    },
    patch: {
      summary: 'Complete fields (official report number)',
      body: caseBodies.patch,
      responses: { '200': 'The case', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/photo': {
    get: {
      summary: 'The child photo (officers only, audited)',
      responses: { '200': 'Image', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/claim': {
    post: {
      summary: 'Take the case (atomic)',
      responses: { '200': 'Claimed', '409': 'Someone else claimed it', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/release': {
    post: {
      summary: 'Put the case back in the queue',
      responses: { '200': 'Released', '409': 'Not in review', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/reassign': {
    post: {
      summary: 'Give the case to another officer (supervisor)',
      body: caseBodies.reassign,
      responses: { '200': 'Reassigned', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/messages': {
    post: {
      summary: 'Write to the family through the bot',
      body: caseBodies.message,
      responses: { '201': 'Sent', '409': 'Case not taken', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/notes': {
    post: {
      summary: 'Add an internal note',
      body: caseBodies.note,
      responses: { '201': 'Added', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/confirm': {
    post: {
      summary: 'Confirm with the activation checklist',
      body: caseBodies.confirm,
      responses: { '200': 'Confirmed', '409': 'Not in review', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/reject': {
    post: {
      summary: 'Reject with a reason',
      body: caseBodies.reject,
      responses: { '200': 'Rejected', '409': 'Wrong state', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/resolve': {
    post: {
      summary: 'Close: the child is found',
      body: caseBodies.resolve,
      responses: { '200': 'Resolved', '409': 'Wrong state', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/audit': {
    get: {
      summary: 'The case audit trail (supervisor)',
      responses: { '200': 'Entries', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/alerts/preview': {
    post: {
      summary:
        'The alert texts (ar, fr, ary) from the public projection, the default centre and stages; nothing stored',
      body: alertBodies.empty,
      responses: { '200': 'Preview', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/alerts': {
    post: {
      summary:
        'Propose an alert for a confirmed case (texts edited by the officer, centre, stages, window)',
      body: alertBodies.propose,
      responses: {
        '201': 'Proposed',
        '409': 'Case not confirmed, or an alert is already open',
        ...errors,
      },
      officer: true,
    },
    get: {
      summary: "The case's alerts, newest first",
      responses: { '200': 'Alerts', ...errors },
      officer: true,
    },
  },
  '/api/alerts/{id}': {
    get: {
      summary: 'An alert with its broadcast progress',
      responses: { '200': 'Alert', ...errors },
      officer: true,
    },
  },
  '/api/alerts/{id}/approve': {
    post: {
      summary: 'Approve and broadcast (a supervisor other than the proposer)',
      body: alertBodies.empty,
      responses: { '200': 'Active', '409': 'Not proposed, or own proposal', ...errors },
      officer: true,
    },
  },
  '/api/alerts/{id}/cancel': {
    post: {
      summary: 'Cancel a proposed or active alert (recipients get the closing message)',
      body: alertBodies.empty,
      responses: { '200': 'Ended', '409': 'Already ended', ...errors },
      officer: true,
    },
  },
  '/api/alerts/{id}/extend': {
    post: {
      summary: 'Extend an active alert (supervisor), up to the maximum',
      body: alertBodies.extend,
      responses: { '200': 'Extended', '409': 'Not active', ...errors },
      officer: true,
    },
  },
  '/api/alerts/{id}/poster.png': {
    get: {
      summary: 'The poster (PNG, ar + fr)',
      responses: { '200': 'image/png', ...errors },
      officer: true,
    },
  },
  '/api/cases/{id}/sightings': {
    get: {
      summary: "The case's sightings, newest first, with distance from the place last seen",
      responses: { '200': 'Sightings', ...errors },
      officer: true,
    },
  },
  '/alerts/{id}.cap': {
    get: {
      summary: "Public: the alert's latest CAP 1.2 message (Alert, Update, Cancel)",
      responses: { '200': 'application/cap+xml', '404': 'No published alert' },
    },
  },
  '/alerts/feed.xml': {
    get: {
      summary: 'Public: Atom feed of active alerts',
      responses: { '200': 'application/atom+xml' },
    },
  },
  '/alerts/{id}/photo': {
    get: {
      summary: "Public: the child's photo, only while the alert is active",
      responses: { '200': 'The image', '404': 'No public photo' },
    },
  },
  '/api/events': {
    get: {
      summary: 'Server-sent events: which case changed',
      responses: { '200': 'text/event-stream' },
      officer: true,
    },
  },
  '/dev/messages': {
    post: {
      summary: 'Dev channel: one inbound message, returns the turn replies',
      body: devMessageBody,
      responses: { '200': 'Replies', '400': 'Bad body' },
    },
  },
  '/dev/outbox': {
    get: {
      summary: 'Dev channel: messages sent outside a turn (?to=+212…)',
      responses: { '200': 'Messages' },
    },
  },
  '/healthz': { get: { summary: 'The process is alive', responses: { '200': 'ok' } } },
  '/readyz': {
    get: { summary: 'Ready to take messages', responses: { '200': 'ready', '503': 'not ready' } },
  },
};

/** The OpenAPI 3.1 description of the HTTP API. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, operations] of Object.entries(routes)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(operations)) {
      paths[path][method] = {
        summary: op.summary,
        ...(path.includes('{id}')
          ? { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }
          : {}),
        ...(op.body
          ? {
              requestBody: {
                required: true,
                content: {
                  'application/json': {
                    schema: z.toJSONSchema(op.body, { io: 'input', unrepresentable: 'any' }),
                  },
                },
              },
            }
          : {}),
        ...(op.officer ? { security: [{ session: [] }] } : {}),
        responses: Object.fromEntries(
          Object.entries(op.responses).map(([code, description]) => [code, { description }]),
        ),
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tifli API',
      version: '0.1.0',
      description:
        'Officer API, dev channel and operations. State-changing officer calls need the x-csrf-token header.',
    },
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'tifli_session' } },
    },
    paths,
  };
}

/** `GET /docs`: the OpenAPI document. */
export const docsRoutes = fp(
  async (app: FastifyInstance) => {
    const document = openApiDocument();
    app.get('/docs', async () => document);
  },
  { name: 'tifli-docs' },
);
