import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { MediaType } from './webhookEnvelope.js';

const MIB = 1024 * 1024;

/**
 * The most Tifli downloads of one inbound medium, by type: the Cloud API's
 * own limits (JPEG/PNG 5 MB, audio 16 MB, stickers 500 KB). Larger ones are
 * refused from their announced size, or as soon as the download passes it.
 */
export const MEDIA_LIMITS = {
  image: 5 * MIB,
  audio: 16 * MIB,
  sticker: 500 * 1024,
} as const satisfies Partial<Record<MediaType, number>>;

/** How to reach the Graph API's media endpoints. */
export interface MediaDownloaderOptions {
  /** `https://graph.facebook.com`, or the fake's address. */
  graphUrl: string;
  /** `v25.0`. */
  graphVersion: string;
  /** The system user's token; never logged. */
  accessToken: string;
  /** How long one request may take (resolving, or downloading), 30 s by default. */
  timeoutMs?: number;
}

/** A download that ended as expected: the bytes, or why there are none. */
export type MediaDownload =
  | { ok: true; data: Buffer; mimeType: string }
  | {
      ok: false;
      /**
       * `too_large`: over the limit, not downloaded whole; `not_found`: the
       * media id is unknown or expired (inbound ids live 7 days);
       * `checksum`: the bytes do not match the announced sha256.
       */
      reason: 'too_large' | 'not_found' | 'checksum';
    };

/**
 * A failure worth trying again later: the network, a 5xx, an expired URL
 * resolved again and expired again, or a refused token (Graph code 190,
 * which the operators must fix). Carries the HTTP status and Graph's error
 * code, never the token or the URL.
 */
export class MediaDownloadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'MediaDownloadError';
  }
}

const mediaInfoSchema = z.object({
  url: z.string().url(),
  mime_type: z.string().min(1),
  sha256: z.string().optional(),
  file_size: z.coerce.number().int().min(0).optional(),
});
type MediaInfo = z.infer<typeof mediaInfoSchema>;

const graphErrorSchema = z.object({ error: z.object({ code: z.number().int().optional() }) });

/**
 * Downloads an inbound medium the way the Cloud API serves it: `GET
 * /{media-id}` with the token gives a URL (it lives about 5 minutes and
 * needs the same token) with the type, size and sha256; then the URL is
 * fetched. A URL that answers 404 has expired: it is resolved again, once.
 */
export class MediaDownloader {
  private readonly timeoutMs: number;

  constructor(private readonly options: MediaDownloaderOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Downloads one medium of at most `maxBytes`. Throws {@link MediaDownloadError} when worth retrying. */
  async download(mediaId: string, maxBytes: number): Promise<MediaDownload> {
    let info = await this.resolve(mediaId);
    if (info === null) return { ok: false, reason: 'not_found' };
    for (let attempt = 0; ; attempt += 1) {
      if (info.file_size !== undefined && info.file_size > maxBytes) {
        return { ok: false, reason: 'too_large' };
      }
      const response = await this.request(info.url);
      if (response.status === 404 && attempt === 0) {
        await response.body?.cancel();
        info = await this.resolve(mediaId);
        if (info === null) return { ok: false, reason: 'not_found' };
        continue;
      }
      if (!response.ok) throw await failure(response, 'download');
      const data = await readAtMost(response, maxBytes);
      if (data === null) return { ok: false, reason: 'too_large' };
      if (info.sha256 && !matchesSha256(data, info.sha256))
        return { ok: false, reason: 'checksum' };
      return { ok: true, data, mimeType: info.mime_type };
    }
  }

  /** The medium's URL and facts, or `null` when Graph does not know the id. */
  private async resolve(mediaId: string): Promise<MediaInfo | null> {
    const { graphUrl, graphVersion } = this.options;
    const base = graphUrl.replace(/\/+$/, '');
    const response = await this.request(
      `${base}/${encodeURIComponent(graphVersion)}/${encodeURIComponent(mediaId)}`,
    );
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      const error = await failure(response, 'resolve');
      // Graph answers an unknown or expired id with 400 and code 100.
      if (error.status === 400 && error.code === 100) return null;
      throw error;
    }
    const parsed = mediaInfoSchema.safeParse(await response.json());
    if (!parsed.success) throw new MediaDownloadError('media resolve: unexpected answer');
    return parsed.data;
  }

  private async request(url: string): Promise<Response> {
    try {
      return await fetch(url, {
        headers: { authorization: `Bearer ${this.options.accessToken}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // The cause's message may carry the URL; its name is enough.
      throw new MediaDownloadError(
        `media request failed: ${error instanceof Error ? error.name : 'unknown'}`,
      );
    }
  }
}

async function failure(response: Response, step: string): Promise<MediaDownloadError> {
  const code = graphErrorCode(await response.text());
  return new MediaDownloadError(`media ${step}: HTTP ${response.status}`, response.status, code);
}

/** Graph's `error.code` in an answer, if it is Graph's JSON error. */
function graphErrorCode(body: string): number | undefined {
  try {
    return graphErrorSchema.safeParse(JSON.parse(body)).data?.error.code;
  } catch (error) {
    // Not JSON (a proxy's page): the HTTP status says enough.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** The body, or `null` once it passes `maxBytes` (the rest is not downloaded). */
async function readAtMost(response: Response, maxBytes: number): Promise<Buffer | null> {
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  if (announced > maxBytes) {
    await response.body?.cancel();
    return null;
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** Graph gives the sha256 in hex; some payloads carry it in base64: either matches. */
function matchesSha256(data: Buffer, expected: string): boolean {
  const digest = createHash('sha256').update(data).digest();
  return (
    expected.toLowerCase() === digest.toString('hex') ||
    expected.replace(/=+$/, '') === digest.toString('base64').replace(/=+$/, '') ||
    expected.replace(/=+$/, '') === digest.toString('base64url')
  );
}
