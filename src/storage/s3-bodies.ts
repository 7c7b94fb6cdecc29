import { pipeline, type Readable, Transform } from 'node:stream';
import type { ByteRange } from '../core/media/byte-range.js';

/** Only the bytes of `range` of a stream of the whole object. */
export function sliceOf(body: Readable, range: ByteRange): Readable {
  let position = 0;
  const slice = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(0, range.start - position);
      const to = Math.min(chunk.length, range.end + 1 - position);
      position += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
  return pipeline(body, slice, () => undefined);
}

/** The whole of a small body as text; undefined past `limit` bytes. */
export async function readSmall(body: Readable, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += (chunk as Buffer).length;
    if (length > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
