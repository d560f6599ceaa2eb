import { z } from 'zod';

/**
 * `:file` of the console's assets and `:lang` of its texts. Only the route
 * knows which exist, and an unknown one is a 404 like any missing file, so
 * these accept any name.
 */
export const consoleFileParams = z.strictObject({ file: z.string() });
export const consoleTextsParams = z.strictObject({ lang: z.string() });
