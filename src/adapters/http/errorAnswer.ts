import { z } from 'zod';

/** Every refusal of the API: a stable code, a sentence in the caller's language, the fields at fault. */
export const errorAnswer = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string().describe('Localized by Accept-Language: ar, fr (default) or ary'),
      fields: z.array(z.object({ path: z.string(), problem: z.string() })).optional(),
    }),
  })
  .meta({ id: 'ErrorAnswer' });

const STATUS_MEANING = {
  400: 'Bad request (the fields at fault are listed)',
  401: 'No session',
  403: 'Missing or wrong CSRF token',
  404: 'Not found, or not yours to see',
  409: 'The object is not in a state that allows it',
  413: 'Body too large',
  429: 'Too many attempts',
  503: 'Not taking messages (stopping)',
} as const;

type ErrorStatus = keyof typeof STATUS_MEANING;

/** The error answers a route can give, for its `schema.response`. */
export function errorResponses<const S extends ErrorStatus>(
  ...statuses: S[]
): Record<S, typeof errorAnswer> {
  const entries = statuses.map((status) => [status, errorAnswer.describe(STATUS_MEANING[status])]);
  return Object.fromEntries(entries);
}

/** What every officer route can answer besides success. */
export const OFFICER_ERRORS = [400, 401, 403, 404] as const;
