import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * A minimal stand-in for the Graph API's media endpoints, on a real port,
 * for the inbound media tests: `GET /{version}/{media-id}` with the Bearer
 * token answers `{url, mime_type, sha256, file_size}`; the URL needs the
 * same token and expires (404) after its lifetime or when told to. A wrong
 * token is 401 with Graph's code 190; an unknown id 400 with code 100. The
 * full fake of the Graph API (sending, uploads, templates) is a separate,
 * larger fake; this one only serves what the downloader reads.
 */
export interface FakeMediaServer {
  /** The base address, as `WHATSAPP_GRAPH_URL`. */
  url: string;
  /** Stores a medium; returns its media id. `announcedSize` lies about `file_size` when set. */
  add(
    data: Buffer,
    mimeType: string,
    options?: { announcedSize?: number; sha256?: string },
  ): string;
  /** Every URL handed out so far expires now (as if 5 minutes had passed). */
  expireUrls(): void;
  /** The next `count` URLs handed out are already expired when fetched (a slow client). */
  expireNext(count?: number): void;
  /** What was asked: resolves and downloads by media id, with their HTTP status. */
  calls: Array<{ step: 'resolve' | 'download'; mediaId: string; status: number; bytes: number }>;
  close(): Promise<void>;
}

interface Medium {
  data: Buffer;
  mimeType: string;
  announcedSize: number;
  sha256: string;
}

export async function startFakeMediaServer(options: {
  token: string;
  urlLifetimeMs?: number;
}): Promise<FakeMediaServer> {
  const media = new Map<string, Medium>();
  const urls = new Map<string, { mediaId: string; expiresAt: number }>();
  const calls: FakeMediaServer['calls'] = [];
  const lifetime = options.urlLifetimeMs ?? 5 * 60_000;
  const server = Fastify();
  let base = '';
  let expireNext = 0;

  const authorized = (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers.authorization === `Bearer ${options.token}`) return true;
    void reply.status(401).send({
      error: {
        message: 'Error validating access token',
        type: 'OAuthException',
        code: 190,
        fbtrace_id: 'fake',
      },
    });
    return false;
  };

  server.get<{ Params: { key: string } }>('/download/:key', async (request, reply) => {
    const issued = urls.get(request.params.key);
    const mediaId = issued?.mediaId ?? '';
    if (!authorized(request, reply)) {
      calls.push({ step: 'download', mediaId, status: 401, bytes: 0 });
      return reply;
    }
    const medium = media.get(mediaId);
    if (!issued || !medium || issued.expiresAt <= Date.now()) {
      calls.push({ step: 'download', mediaId, status: 404, bytes: 0 });
      return reply.status(404).send('URL expired');
    }
    calls.push({ step: 'download', mediaId, status: 200, bytes: medium.data.length });
    return reply.type(medium.mimeType).send(medium.data);
  });

  server.get<{ Params: { version: string; mediaId: string } }>(
    '/:version/:mediaId',
    async (request, reply) => {
      const { mediaId } = request.params;
      if (!authorized(request, reply)) {
        calls.push({ step: 'resolve', mediaId, status: 401, bytes: 0 });
        return reply;
      }
      const medium = media.get(mediaId);
      if (!medium) {
        calls.push({ step: 'resolve', mediaId, status: 400, bytes: 0 });
        return reply.status(400).send({
          error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100 },
        });
      }
      const key = randomBytes(12).toString('hex');
      const expired = expireNext > 0;
      if (expired) expireNext -= 1;
      urls.set(key, { mediaId, expiresAt: expired ? 0 : Date.now() + lifetime });
      calls.push({ step: 'resolve', mediaId, status: 200, bytes: 0 });
      return {
        messaging_product: 'whatsapp',
        url: `${base}/download/${key}`,
        mime_type: medium.mimeType,
        sha256: medium.sha256,
        file_size: medium.announcedSize,
        id: mediaId,
      };
    },
  );

  base = (await server.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  return {
    url: base,
    add(data, mimeType, addOptions = {}) {
      const mediaId = String(1_000_000_000_000 + media.size + 1);
      media.set(mediaId, {
        data,
        mimeType,
        announcedSize: addOptions.announcedSize ?? data.length,
        sha256: addOptions.sha256 ?? createHash('sha256').update(data).digest('hex'),
      });
      return mediaId;
    },
    expireUrls() {
      for (const issued of urls.values()) issued.expiresAt = 0;
    },
    expireNext(count = 1) {
      expireNext += count;
    },
    calls,
    close: () => server.close(),
  };
}
