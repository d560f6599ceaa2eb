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

/** The one error type the application throws on purpose. */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
