import { z } from 'zod';

/** `:id` of a published alert (a UUID). */
export const publicAlertParams = z.strictObject({ id: z.string().regex(/^[0-9a-f-]{36}$/i) });
