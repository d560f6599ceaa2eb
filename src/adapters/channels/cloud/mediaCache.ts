/** Uploaded media ids live 30 days at Meta; one is reused for a day less, to be safe. */
const MEDIA_ID_LIFETIME_MS = 29 * 24 * 3600_000;
/** How many photos' ids are remembered (an alert has one). */
const MAX_ENTRIES = 500;

/**
 * Uploads each photo once and reuses its media id for every recipient: the
 * first caller uploads, those who ask meanwhile wait for the same upload. A
 * failed upload is not remembered, so the next message tries again.
 */
export class MediaCache {
  private readonly entries = new Map<string, { at: number; id: Promise<string> }>();

  constructor(
    private readonly upload: (data: Buffer, mimeType: string) => Promise<string>,
    private readonly now: () => Date,
  ) {}

  /** The media id of a photo, by a key naming its content (its photo id or hash). */
  idFor(key: string, data: Buffer, mimeType: string): Promise<string> {
    const now = this.now().getTime();
    const known = this.entries.get(key);
    if (known && now - known.at < MEDIA_ID_LIFETIME_MS) return known.id;
    const id = this.upload(data, mimeType);
    this.entries.set(key, { at: now, id });
    id.catch(() => {
      if (this.entries.get(key)?.id === id) this.entries.delete(key);
    });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return id;
  }
}
