/**
 * Stable error codes. HTTP handlers map them to status codes; the bot maps
 * them to localized sentences. Messages are for operators, never shown to
 * families as such.
 */
export type AppErrorCode =
  | 'bad_request'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'csrf'
  | 'too_many_attempts'
  | 'not_found'
  | 'conflict'
  | 'ferretdb_missing'
  | 'ferretdb_start'
  | 'storage_conflict'
  | 'turn_timeout'
  | 'flow_invalid'
  | 'internal';

/**
 * What a person may be told about an error beyond its code: a sentence of the
 * locales (`namespace:key`, with its parameters) and the fields at fault.
 */
export interface Explanation {
  key: string;
  params?: Record<string, string>;
  fields?: string[];
}

/** The one error type the application throws on purpose. */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
    readonly explanation?: Explanation,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * What may be logged of an error raised while talking to a channel: its name
 * and code. Its message may quote the number it was sending to.
 */
export function channelErrorSummary(error: unknown): { error: string; code?: string | number } {
  const name = error instanceof Error ? error.name : typeof error;
  if (typeof error !== 'object' || error === null || !('code' in error)) return { error: name };
  const { code } = error;
  return typeof code === 'string' || typeof code === 'number'
    ? { error: name, code }
    : { error: name };
}
