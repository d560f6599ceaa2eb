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
