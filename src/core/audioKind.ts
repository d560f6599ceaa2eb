/** The audio formats a voice note or an audio message may come in (WhatsApp's audio types). */
export type AudioMimeType = 'audio/ogg' | 'audio/mpeg' | 'audio/aac' | 'audio/amr' | 'audio/mp4';

/** The largest audio accepted, in bytes (16 MB, WhatsApp's own limit for audio). */
export const MAX_AUDIO_BYTES = 16 * 1024 * 1024;

/**
 * Tells an audio's format from its first bytes, never from the declared type,
 * which a sender controls: Ogg (WhatsApp's voice notes, Opus inside), MP3
 * (an ID3 tag or an MPEG audio frame), AAC in ADTS frames, AMR, and MPEG-4
 * audio (M4A, an ISO `ftyp` box). The type given back is the one a browser
 * plays it under.
 */
export function sniffAudio(bytes: Uint8Array): AudioMimeType | null {
  const ascii = (from: number, to: number) =>
    bytes.length >= to ? String.fromCharCode(...bytes.subarray(from, to)) : '';
  if (ascii(0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(0, 5) === '#!AMR') return 'audio/amr';
  if (ascii(4, 8) === 'ftyp') return 'audio/mp4';
  if (ascii(0, 3) === 'ID3') return 'audio/mpeg';
  const [first = 0, second = 0] = bytes;
  if (bytes.length >= 4 && first === 0xff && (second & 0xe0) === 0xe0) {
    // The layer bits: 00 in an ADTS (AAC) header, anything else in an MPEG audio frame.
    return (second & 0x06) === 0 ? 'audio/aac' : 'audio/mpeg';
  }
  return null;
}
