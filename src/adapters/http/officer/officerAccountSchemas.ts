import { z } from 'zod';
import { usernameSchema } from '../../../core/officer.js';
import { officerView } from './sessionSchemas.js';

/** `:username` of an officer. */
export const officerParams = z.strictObject({ username: usernameSchema });

/** An address whose lock-out is lifted: an IPv4 or IPv6 address as the service saw it. */
export const addressUnlockBody = z.strictObject({
  address: z.union([z.ipv4(), z.ipv6()]),
});

/** An officer with how their logins stand. */
export const officerAccountView = officerView
  .extend({
    login: z.object({
      failures: z.number().int().min(0).describe('Attempts counted in the current window'),
      lockedForMs: z
        .number()
        .int()
        .min(0)
        .describe('Always 0 for an account (only addresses lock)'),
      slowed: z.boolean().describe('Past the allowance: one attempt per period is checked'),
    }),
  })
  .meta({ id: 'OfficerAccount' });

/** The answers of the account routes. */
export const officerAccountAnswers = {
  list: z.object({ officers: z.array(officerAccountView) }),
  unlocked: z.object({
    unlocked: z.boolean().describe('false when nothing was held (the unlock is audited anyway)'),
  }),
};
