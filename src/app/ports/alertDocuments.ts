import type { Alert, CapRecord, PublicProjection } from '../../core/alert/alert.js';

/** The photo as stored, when the alert has one; CAP's `resource` needs its type and size. */
export interface CapPhoto {
  mimeType: string;
  /** Bytes. */
  size: number;
  /** SHA-1 of the bytes, hex (CAP `digest`), when known. */
  digest?: string;
}

/** What a poster is drawn from: the approved public content only. */
export interface PosterInput {
  content: PublicProjection;
  caseReference: string;
  abductionSuspected: boolean;
  /** The child's photo; its bytes decide the type (the stored type is not trusted). */
  photo?: { mimeType: string; data: Buffer } | null;
}

/**
 * The public documents of an alert: its CAP 1.2 messages, the Atom feed of
 * active alerts, the poster, and where they are published. Everything in
 * them comes from the alert's approved content.
 */
export interface AlertDocuments {
  readonly capMediaType: string;
  readonly feedMediaType: string;
  /** One step of the alert (Alert, Update, Cancel) as CAP 1.2 XML. */
  cap(alert: Alert, record: CapRecord, photo?: CapPhoto): string;
  /** The Atom feed of the alerts active at `updated`. */
  feed(alerts: readonly Alert[], updated: Date): string;
  /** The poster as a PNG. */
  poster(input: PosterInput): Promise<Buffer>;
  /** The public address of an alert's latest CAP message. */
  capUrl(alertId: string): string;
  /** The public address of an active alert's photo. */
  photoUrl(alertId: string): string;
}
