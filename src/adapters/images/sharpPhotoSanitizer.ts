import sharp from 'sharp';
import type {
  PhotoRefusal,
  PhotoSanitizer,
  SanitizedPhoto,
} from '../../app/ports/photoSanitizer.js';

/** The most pixels a received photo may declare (40 megapixels: more than any phone camera). */
export const MAX_PHOTO_PIXELS = 40_000_000;

/** The longest side of a kept photo: enough for a poster, small enough for WhatsApp and the database. */
const MAX_SIDE = 2048;

/** The formats a photo may arrive in (what the channels already accept by their bytes). */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

export interface SharpPhotoSanitizerOptions {
  maxPixels?: number;
  /** How long one photo may take to decode and encode before it is refused. */
  timeoutSeconds?: number;
}

/**
 * The {@link PhotoSanitizer} on sharp (libvips). The header is read first so
 * a declared 30,000 × 30,000 picture is refused before any pixel is
 * decoded; then the picture is decoded under the same limit (refusing
 * truncated data), turned upright from its EXIF orientation, flattened
 * onto white (JPEG has no transparency), reduced to {@link MAX_SIDE} and
 * encoded as JPEG. sharp writes no metadata unless asked to, and converts
 * to sRGB, so EXIF, XMP, IPTC and any ICC profile are all gone.
 */
export class SharpPhotoSanitizer implements PhotoSanitizer {
  private readonly maxPixels: number;
  private readonly timeoutSeconds: number;

  constructor(options: SharpPhotoSanitizerOptions = {}) {
    this.maxPixels = options.maxPixels ?? MAX_PHOTO_PIXELS;
    this.timeoutSeconds = options.timeoutSeconds ?? 20;
  }

  async sanitize(
    received: Buffer,
  ): Promise<{ ok: true; photo: SanitizedPhoto } | { ok: false; reason: PhotoRefusal }> {
    const header = await this.header(received);
    if (!header.ok) return header;
    try {
      const { data, info } = await sharp(received, {
        limitInputPixels: this.maxPixels,
        failOn: 'truncated',
        pages: 1,
      })
        .timeout({ seconds: this.timeoutSeconds })
        .rotate()
        .flatten({ background: '#ffffff' })
        .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 85, mozjpeg: true })
        .toBuffer({ resolveWithObject: true });
      return {
        ok: true,
        photo: { mimeType: 'image/jpeg', data, width: info.width, height: info.height },
      };
    } catch (error) {
      // sharp reports a bad or oversized picture as an Error; that is the answer, not a failure.
      return { ok: false, reason: refusalOf(error) };
    }
  }

  private async header(
    received: Buffer,
  ): Promise<{ ok: true } | { ok: false; reason: PhotoRefusal }> {
    try {
      const metadata = await sharp(received, { limitInputPixels: false }).metadata();
      if (!ACCEPTED_FORMATS.has(metadata.format)) return { ok: false, reason: 'unreadable' };
      const pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
      if (pixels === 0) return { ok: false, reason: 'unreadable' };
      if (pixels > this.maxPixels) return { ok: false, reason: 'too_many_pixels' };
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: refusalOf(error) };
    }
  }
}

function refusalOf(error: unknown): PhotoRefusal {
  const message = error instanceof Error ? error.message : String(error);
  return /pixel limit/i.test(message) ? 'too_many_pixels' : 'unreadable';
}
