import { z } from 'zod';
import type { submitEffects } from './flowSchema.js';

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
  /**
   * What the host knew when the flow began (the active alerts to choose from,
   * the suggested language, the opening message). Conditions read it like answers.
   */
  context: z.record(z.string(), z.unknown()).default({}),
});

export type FlowState = z.infer<typeof flowStateSchema>;

/** What the host must do for the flow; the engine never does I/O itself. */
export type Effect =
  | { type: 'savePhoto'; photoId: string; draftId: string }
  /** Keeps this turn's voice note with the draft (it is an answer). */
  | { type: 'saveAudio'; audioId: string; draftId: string }
  | SubmitEffect
  /** STOP: the number receives no more alerts. */
  | { type: 'unsubscribe' };

export type SubmitEffectType = (typeof submitEffects)[number];

/** A flow's submission: its answers (and the context it began with) for the host to store. */
export type SubmitEffect = {
  [T in SubmitEffectType]: {
    type: T;
    draftId: string;
    flowId: string;
    flowVersion: number;
    answers: Record<string, unknown>;
    context: Record<string, unknown>;
  };
}[SubmitEffectType];

/** How a flow ended, when it did. */
export type FlowOutcome =
  | 'submitted'
  | 'consent_refused'
  | 'not_guardian'
  /** Not about the alert: the person wants to report a missing child. */
  | 'report_instead'
  /** Not about the alert, and nothing else to do. */
  | 'declined';
