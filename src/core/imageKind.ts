/** The picture formats a report accepts. */
export type ImageMimeType = 'image/jpeg' | 'image/png' | 'image/webp';

/** The largest photo accepted, in bytes (5 MB). */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

/**
 * Tells a picture's format from its first bytes, never from the declared
 * type or file name, which a sender controls.
 */
export function sniffImage(bytes: Uint8Array): ImageMimeType | null {
  const starts = (...signature: number[]) => signature.every((byte, i) => bytes[i] === byte);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}
