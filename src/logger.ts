import { createHmac, randomBytes } from 'node:crypto';
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino removes from every log line. Logs never carry names, phone
 * numbers, message text or photos (Law 09-08); code logs hashed ids instead,
 * and these paths catch what slips through.
 */
export const REDACTED_PATHS = [
  'text',
  '*.text',
  'body',
  '*.body',
  'from',
  '*.from',
  'to',
  '*.to',
  'phone',
  '*.phone',
  'name',
  '*.name',
  'fullName',
  '*.fullName',
  'image',
  '*.image',
  'dataBase64',
  '*.dataBase64',
  'location',
  '*.location',
  'answers',
  '*.answers',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.body',
  'res.headers["set-cookie"]',
];

/** Builds the process logger. `destination` lets tests read what was logged. */
export function createLogger(
  options: { level: string; pretty?: boolean },
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest },
      base: { service: 'tifli' },
    },
    destination,
  );
}

/**
 * What a log line says about an HTTP request: method and path, never the
 * query string (`/dev/outbox?to=+2126…` carries a phone number) or headers.
 */
function serializeRequest(request: { method?: string; url?: string; id?: string }) {
  return { method: request.method, path: request.url?.split('?')[0], id: request.id };
}

/**
 * Returns a function that turns an identifier (a phone number, a WhatsApp id)
 * into a short keyed hash, so log lines about one family can be correlated
 * without revealing who they are.
 */
export function createIdHasher(secret?: string): (id: string) => string {
  const key = secret ?? randomBytes(32).toString('hex');
  return (id) => createHmac('sha256', key).update(id).digest('base64url').slice(0, 12);
}
