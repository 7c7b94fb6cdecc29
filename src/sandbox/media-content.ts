import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { Readable } from 'node:stream';

/** Chunk size of generated media bodies; a multiple of 4 so every size is a prefix of a larger one. */
export const MEDIA_CHUNK_SIZE = 64 * 1024;

const BIG_ENDIAN = endianness() === 'BE';

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new Error('sandbox: media size must be a non-negative integer');
}

/**
 * The body of a media id, generated on the fly so it is never held in memory: the same id always gives the
 * same bytes, and a shorter size gives a prefix of a longer one (a cut download is the start of the file).
 */
export function* mediaChunks(mediaId: string, size: number): Generator<Buffer> {
  checkSize(size);
  const seed = createHash('sha256').update(`wechat-sandbox-media:${mediaId}`).digest();
  // Marsaglia's xorshift128, state in locals (several times faster than fields or DataView)
  let x = seed.readUInt32LE(0);
  let y = seed.readUInt32LE(4);
  let z = seed.readUInt32LE(8);
  // an all-zero state would only ever produce zeros
  let w = seed.readUInt32LE(12) || 0x9e3779b9;
  for (let left = size; left > 0;) {
    const n = Math.min(MEDIA_CHUNK_SIZE, left);
    // a fresh buffer per chunk: the stream may still hold the previous one
    const words = new Uint32Array((n + 3) >>> 2);
    for (let i = 0; i < words.length; i++) {
      const t = x ^ (x << 11);
      x = y;
      y = z;
      z = w;
      w = (w ^ (w >>> 19) ^ t ^ (t >>> 8)) >>> 0;
      words[i] = w;
    }
    // words are little-endian by definition, so the bytes do not depend on the host
    if (BIG_ENDIAN) Buffer.from(words.buffer).swap32();
    left -= n;
    yield Buffer.from(words.buffer, 0, n);
  }
}

/** The body as a lazily pulled stream of 64 KiB chunks (respects backpressure). */
export function mediaBytes(mediaId: string, size: number): Readable {
  checkSize(size);
  return Readable.from(mediaChunks(mediaId, size), { objectMode: false, highWaterMark: MEDIA_CHUNK_SIZE });
}

/** Hex sha256 of the body, for tests to compare with what a client saved. */
export function mediaSha256(mediaId: string, size: number): string {
  const hash = createHash('sha256');
  for (const chunk of mediaChunks(mediaId, size)) hash.update(chunk);
  return hash.digest('hex');
}
