import type { FastifyReply } from 'fastify';

/**
 * Answers with an image's bytes: its stored type, never sniffed by the
 * browser, and cached only when it is public (a live alert's photo), never
 * when an officer reads it from a case.
 */
export function sendImage(
  reply: FastifyReply,
  image: { mimeType: string; data: Buffer },
  audience: 'officers' | 'public',
): FastifyReply {
  return reply
    .header('content-type', image.mimeType)
    .header('cache-control', audience === 'public' ? 'public, max-age=60' : 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .send(image.data);
}
