import type { Readable } from 'node:stream';

/**
 * How a download's Content-Type reads. WeChat sends its errors (and a video's `video_url`) as
 * HTTP 200 JSON labelled application/json or text/plain; an HTML page at HTTP 200 is a proxy's
 * error page, never media.
 */
export type DownloadContentKind = 'json' | 'html' | 'binary';

/** Largest JSON answer read from a download (WeChat's are a few hundred bytes). */
export const JSON_ANSWER_LIMIT = 64 * 1024;

export function kindOfContentType(contentType: string | undefined): DownloadContentKind {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type === 'text/plain' || type === 'text/json') return 'json';
  if (type === 'text/html') return 'html';
  return 'binary';
}

/** True when the bytes open like a JSON object: `{` after an optional BOM and whitespace. */
export function startsLikeJson(head: Uint8Array): boolean {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  return head[i] === 0x7b;
}

/**
 * Whether a download has to be read as JSON before it can be trusted as a file: always when
 * labelled JSON, and when a binary label opens with `{` and is small enough to be an answer.
 */
export function mustReadAsJson(kind: DownloadContentKind, head: Uint8Array, contentLength: number | undefined): boolean {
  if (kind === 'json') return true;
  if (kind !== 'binary' || !startsLikeJson(head)) return false;
  return contentLength === undefined || contentLength <= JSON_ANSWER_LIMIT;
}

/** A declared Content-Length, or undefined when absent or not a plain non-negative integer. */
export function parseContentLength(header: unknown): number | undefined {
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

// a name kept as metadata only: printable ASCII without quotes, slashes or backslashes
const SAFE_FILENAME = /^[\x20-\x21\x23-\x2e\x30-\x5b\x5d-\x7e]{1,200}$/;

/** The file name in `Content-disposition: attachment; filename="x.jpg"`, when it is a safe one. */
export function filenameFromDisposition(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(header);
  const name = (match?.[1] ?? match?.[2])?.trim();
  return name && SAFE_FILENAME.test(name) && name !== '.' && name !== '..' ? name : undefined;
}

export interface StreamHead {
  bytes: Buffer;
  /** the stream ended: `bytes` is the whole body */
  ended: boolean;
}

/**
 * Reads a paused stream until it has more than `atLeast` bytes or ends. Nothing is lost: put
 * the bytes back with `stream.unshift(head.bytes)` when the stream goes on.
 */
export async function readHead(stream: Readable, atLeast: number, prior?: Buffer): Promise<StreamHead> {
  const chunks: Buffer[] = prior ? [prior] : [];
  let total = prior?.length ?? 0;
  while (total <= atLeast) {
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      total += chunk.length;
    } else if (stream.readableEnded || (await nextReadable(stream)) === 'end') {
      return { bytes: Buffer.concat(chunks, total), ended: true };
    }
  }
  return { bytes: Buffer.concat(chunks, total), ended: false };
}

/** Waits until the stream has data or has ended; rejects when it fails or closes early. */
function nextReadable(stream: Readable): Promise<'readable' | 'end'> {
  if (stream.destroyed) return Promise.reject(stream.errored ?? new Error('the stream closed before it ended'));
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => () => {
      stream.off('readable', onReadable).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onReadable = settle(() => resolve('readable'));
    const onEnd = settle(() => resolve('end'));
    const onError = (error: Error) => settle(() => reject(error))();
    const onClose = settle(() => reject(new Error('the stream closed before it ended')));
    stream.on('readable', onReadable).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
