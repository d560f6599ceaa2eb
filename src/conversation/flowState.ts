import { z } from 'zod';

/**
 * Where one person is in one flow. Answers are a flat map from the node's
 * `store` path to a JSON value (`null` when the question was skipped).
 */
export const flowStateSchema = z.object({
  flowId: z.string(),
  flowVersion: z.number().int(),
  nodeId: z.string(),
  answers: z.record(z.string(), z.unknown()),
  /** Input nodes asked so far, for "back". */
  history: z.array(z.string()),
  /** True while correcting one answer from the summary. */
  editing: z.boolean(),
  /** Names this report; makes its submission idempotent. */
  draftId: z.string(),
});

export type FlowState = z.infer<typeof flowStateSchema>;

/** What the host must do for the flow; the engine never does I/O itself. */
export type Effect =
  | { type: 'savePhoto'; photoId: string; draftId: string }
  | {
      type: 'submitReport';
      draftId: string;
      flowId: string;
      flowVersion: number;
      answers: Record<string, unknown>;
    };

/** How a flow ended, when it did. */
export type FlowOutcome = 'submitted' | 'consent_refused' | 'not_guardian';
