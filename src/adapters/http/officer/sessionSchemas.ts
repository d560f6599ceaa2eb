import { z } from 'zod';
import { roleSchema, usernameSchema } from '../../../core/officer.js';

/** `POST /api/session`. */
export const loginBody = z.strictObject({
  username: usernameSchema,
  // Not the creation rule: a wrong password of any length is simply wrong.
  password: z.string().min(1).max(200),
});

/** An officer as the API shows them (never the password hash). */
export const officerView = z
  .object({ username: z.string(), role: roleSchema, region: z.string() })
  .meta({ id: 'Officer' });

/** The answers of the session routes. */
export const sessionAnswers = {
  signedIn: z.object({ officer: officerView, csrfToken: z.string() }),
  current: z.object({ officer: officerView, csrfToken: z.string().optional() }),
  signedOut: z.undefined().describe('Signed out'),
};
