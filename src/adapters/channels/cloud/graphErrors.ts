import { z } from 'zod';
import { ChannelSendError, type SendDisposition } from '../../../core/channelSendError.js';

/**
 * What Graph's error codes mean for a sender. Keyed on `error.code`, not on
 * the HTTP status: Graph answers most faults with 400, whatever they mean.
 */
const DISPOSITION_BY_CODE = new Map<number, SendDisposition>([
  // Over the number's throughput or the app's rate: pause the whole queue.
  [130429, 'throttled'],
  [4, 'throttled'],
  [80007, 'throttled'],
  [133016, 'throttled'],
  // Too many messages to one person lately: back off that recipient.
  [131056, 'recipientBackoff'],
  // Passing faults.
  [131000, 'transient'],
  [131016, 'transient'],
  [1, 'transient'],
  [2, 'transient'],
  [133004, 'transient'],
  // This recipient cannot be reached: never retried.
  [131026, 'permanent'],
  [131050, 'permanent'],
  [131049, 'permanent'],
  // Free-form outside the 24 h window.
  [131047, 'outsideWindow'],
  // The account itself: token, restrictions, templates. Stop everything.
  [190, 'halt'],
  [368, 'halt'],
  [131031, 'halt'],
  [130497, 'halt'],
  [132000, 'halt'],
  [132001, 'halt'],
  [132005, 'halt'],
  [132007, 'halt'],
  [132012, 'halt'],
  [132015, 'halt'],
  [132016, 'halt'],
  [132018, 'halt'],
]);

/** Graph's error body: `{error: {code, error_subcode?, message, type, fbtrace_id}}`. */
export const graphErrorBodySchema = z.object({
  error: z.looseObject({
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    // Kept for the type only: a message may quote the recipient, it is never logged.
    message: z.string().optional(),
  }),
});

/** Where a response without a known code lands, by its HTTP status. */
function dispositionOfStatus(status: number): SendDisposition {
  if (status === 429) return 'throttled';
  if (status >= 500) return 'transient';
  if (status === 401) return 'halt';
  return 'permanent';
}

/**
 * The disposition of a Graph error: by its code when the body has one
 * (HTTP 429 is throttling whatever the code says), else by the HTTP status.
 * An unknown code on a 4xx is treated as permanent for that message:
 * retrying an unexplained refusal would only repeat it.
 */
export function classifyGraphError(status: number, body: unknown): ChannelSendError {
  const parsed = graphErrorBodySchema.safeParse(body);
  const code = parsed.success ? parsed.data.error.code : undefined;
  const byCode = code === undefined ? undefined : DISPOSITION_BY_CODE.get(code);
  const disposition =
    status === 429
      ? 'throttled'
      : (byCode ?? (status >= 500 ? 'transient' : dispositionOfStatus(status)));
  return new ChannelSendError(disposition, code === undefined ? `http_${status}` : String(code));
}

/** The disposition of a Graph code reported later (a `failed` status's `errors[0].code`). */
export function dispositionOfCode(code: number): SendDisposition | undefined {
  return DISPOSITION_BY_CODE.get(code);
}
