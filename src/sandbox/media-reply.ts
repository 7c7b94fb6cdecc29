import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { withRid, type WechatError } from './errors.js';
import { SANDBOX_HEADER } from './http-reply.js';
import { Readable } from 'node:stream';
import { downloadChunks, MEDIA_CHUNK_SIZE } from './media-content.js';
import type { MediaBytes } from './media-store.js';

/**
 * Media downloads send their errors as HTTP 200 JSON labelled text/plain: that is how WeChat does it,
 * and clients have to recognise an error by it instead of saving it as the file.
 */
export function sendMediaError(reply: FastifyReply, err: WechatError): FastifyReply {
  return reply
    .code(200)
    .type('text/plain')
    .send(JSON.stringify(withRid(err)));
}

/** Header names spelled as in WeChat's documentation (raw headers keep their case on the wire). */
function mediaHeaders(media: MediaBytes): Record<string, string> {
  return {
    'Content-Type': media.contentType,
    'Content-Length': String(media.size),
    'Content-disposition': `attachment; filename="${media.filename}"`,
    'Cache-Control': 'no-cache, must-revalidate',
  };
}

/** A successful download, streamed chunk by chunk with backpressure (never built whole). */
export function sendMediaBytes(reply: FastifyReply, media: MediaBytes): FastifyReply {
  for (const [name, value] of Object.entries(mediaHeaders(media))) reply.raw.setHeader(name, value);
  return reply.code(200).send(Readable.from(downloadChunks(media), { objectMode: false, highWaterMark: MEDIA_CHUNK_SIZE }));
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Fault 'cut': the same headers (full Content-Length), the first `afterBytes` bytes of the body, then the
 * connection closes, so the client sees a body that ends early.
 */
export async function sendCutMedia(reply: FastifyReply, media: MediaBytes, afterBytes: number): Promise<FastifyReply> {
  // by hand, since this response must never end properly; Fastify's onSend label is added here instead
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { ...mediaHeaders(media), [SANDBOX_HEADER]: 'simulator' });
  res.flushHeaders();
  // a shorter body is a prefix of the full one, so this is exactly the start of the file
  for (const chunk of downloadChunks(media, afterBytes)) {
    if (res.destroyed) return reply;
    if (!res.write(chunk)) await drainOrClose(res);
  }
  // flush what was written, then close the socket short of Content-Length
  res.socket?.destroySoon();
  return reply;
}
