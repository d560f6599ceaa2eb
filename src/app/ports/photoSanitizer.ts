/** Why a received picture is not kept: it does not decode, or it is larger than any photo. */
export type PhotoRefusal = 'unreadable' | 'too_many_pixels';

/** A picture decoded and encoded again: only pixels, no metadata of any kind. */
export interface SanitizedPhoto {
  mimeType: 'image/jpeg';
  data: Buffer;
  width: number;
  height: number;
}

/**
 * Decodes a received picture under a pixel limit, turns it upright, and
 * encodes it again without any metadata (EXIF, XMP, IPTC, ICC profiles,
 * comments): the name, phone number or GPS position a camera or an editing
 * app wrote into the file never goes further than this. Only its answer is
 * stored, published and sent.
 */
export interface PhotoSanitizer {
  sanitize(
    received: Buffer,
  ): Promise<{ ok: true; photo: SanitizedPhoto } | { ok: false; reason: PhotoRefusal }>;
}
