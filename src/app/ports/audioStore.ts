/**
 * Voice notes and audio families send (an answer, a message to the officer),
 * by content hash, served to officers only. An audio reaches 16 MB, so a
 * store may keep it in pieces; it is readable only once whole.
 */
export interface AudioStore {
  /** Keeps an audio with the draft (or case) it belongs to; saving it again stores nothing new. */
  save(audio: { audioId: string; mimeType: string; data: Buffer; draftId: string }): Promise<void>;
  load(audioId: string): Promise<{ mimeType: string; data: Buffer } | null>;
  /**
   * Removes audio received before `olderThan` whose report was never
   * submitted (the family cancelled or stopped answering); the audio of a
   * case stays with the case.
   */
  purgeUnsubmitted(
    olderThan: Date,
    submitted: (draftId: string) => Promise<boolean>,
  ): Promise<number>;
}
