import { Readable } from 'node:stream';
import { readSmall, sliceOf } from './s3-bodies.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `bytes` as a stream of chunks of `size` bytes, the way an object's body arrives. */
const chunked = (bytes: Buffer, size: number) =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

describe('sliceOf', () => {
  const whole = Buffer.from(Array.from({ length: 30 }, (_, i) => 100 + i));

  it('gives exactly the bytes of the range, wherever it starts and ends among the chunks', async () => {
    const wrong: string[] = [];
    for (let start = 0; start < whole.length; start++) {
      for (let end = start; end < whole.length; end++) {
        const got = await collect(sliceOf(chunked(whole, 10), { start, end }));
        if (!got.equals(whole.subarray(start, end + 1))) wrong.push(`${start}-${end}: ${[...got].join(',')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('takes a range inside one chunk of a body sent in one piece', async () => {
    expect(await collect(sliceOf(Readable.from([whole]), { start: 5, end: 7 }))).toEqual(Buffer.from([105, 106, 107]));
  });

  it('emits nothing of the chunks wholly before or after the range', async () => {
    const pieces: Buffer[] = [];
    for await (const piece of sliceOf(chunked(whole, 10), { start: 12, end: 15 })) pieces.push(piece as Buffer);
    expect(pieces).toEqual([Buffer.from([112, 113, 114, 115])]);
  });
});

describe('readSmall', () => {
  it('reads a body of up to `limit` bytes, over any number of chunks, as utf-8 text', async () => {
    expect(await readSmall(Readable.from([Buffer.from('{"a":'), Buffer.from('"é"}')]), 11)).toBe('{"a":"é"}');
    expect(await readSmall(Readable.from([Buffer.from('12345')]), 5)).toBe('12345');
    expect(await readSmall(Readable.from([]), 0)).toBe('');
  });

  it('gives up past `limit` bytes, counted over all chunks, and stops reading the body', async () => {
    const body = Readable.from([Buffer.from('1234'), Buffer.from('56'), Buffer.from('never read')]);
    expect(await readSmall(body, 5)).toBeUndefined();
    expect(body.destroyed).toBe(true);
    expect(await readSmall(Readable.from([Buffer.from('123456')]), 5)).toBeUndefined();
  });
});
