import type { AudioStore } from '../../app/ports/audioStore.js';

/** Voice notes in process memory, for unit tests, transcripts and benchmarks. */
export class MemoryAudioStore implements AudioStore {
  private readonly audio = new Map<
    string,
    { mimeType: string; data: Buffer; draftId: string; at: number }
  >();

  /** The clock dates each audio on arrival, so the purge can tell the old ones. */
  constructor(private readonly clock: () => Date = () => new Date()) {}

  async save(audio: {
    audioId: string;
    mimeType: string;
    data: Buffer;
    draftId: string;
  }): Promise<void> {
    if (this.audio.has(audio.audioId)) return;
    this.audio.set(audio.audioId, {
      mimeType: audio.mimeType,
      data: Buffer.from(audio.data),
      draftId: audio.draftId,
      at: this.clock().getTime(),
    });
  }

  async load(audioId: string): Promise<{ mimeType: string; data: Buffer } | null> {
    const found = this.audio.get(audioId);
    return found ? { mimeType: found.mimeType, data: Buffer.from(found.data) } : null;
  }

  async purgeUnsubmitted(
    olderThan: Date,
    submitted: (draftId: string) => Promise<boolean>,
  ): Promise<number> {
    let removed = 0;
    for (const [id, audio] of this.audio) {
      if (audio.at >= olderThan.getTime() || (await submitted(audio.draftId))) continue;
      this.audio.delete(id);
      removed++;
    }
    return removed;
  }
}
