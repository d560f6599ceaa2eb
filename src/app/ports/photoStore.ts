/** Report and sighting photos, by content hash, served to officers only. */
export interface PhotoStore {
  save(photo: { photoId: string; mimeType: string; data: Buffer; draftId: string }): Promise<void>;
  load(photoId: string): Promise<{ mimeType: string; data: Buffer } | null>;
  /**
   * Removes photos received before `olderThan` whose report was never
   * submitted (the family cancelled or stopped answering).
   */
  purgeUnsubmitted(
    olderThan: Date,
    submitted: (draftId: string) => Promise<boolean>,
  ): Promise<number>;
}
