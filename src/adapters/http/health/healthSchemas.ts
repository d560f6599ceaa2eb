import { z } from 'zod';

/** The answers of the operations routes. */
export const healthAnswers = {
  alive: z.object({ status: z.literal('ok') }),
  unhealthy: z
    .object({ status: z.literal('database_unreachable') })
    .describe('The database does not answer'),
  ready: z.object({ status: z.literal('ready') }),
  notReady: z
    .object({ status: z.enum(['not_ready', 'database_unreachable']) })
    .describe('Starting, stopping, or the database does not answer'),
};
