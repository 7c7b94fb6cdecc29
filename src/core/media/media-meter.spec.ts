import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MediaMeter, MediaTooLargeError } from './media-meter.js';

const chunks = (sizes: number[]) => sizes.map((n, i) => Buffer.alloc(n, i + 1));

async function drain(meter: MediaMeter, input: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(input, { objectMode: false }), meter, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}

describe('MediaMeter', () => {
  it('passes the bytes through unchanged and measures size and sha256', async () => {
    const input = chunks([10, 65_536, 3]);
    const meter = new MediaMeter(1_000_000);
    const out = await drain(meter, input);
    expect(out.equals(Buffer.concat(input))).toBe(true);
    expect(meter.measured()).toEqual({ size: 65_549, sha256: createHash('sha256').update(out).digest('hex') });
  });

  it('accepts exactly the limit', async () => {
    const meter = new MediaMeter(100);
    await drain(meter, chunks([60, 40]));
    expect(meter.measured().size).toBe(100);
  });

  it('fails with MediaTooLargeError as soon as the limit is passed, whatever was announced', async () => {
    const meter = new MediaMeter(100);
    const error = await drain(meter, chunks([60, 41, 1000])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaTooLargeError);
    expect(error).toMatchObject({ maxBytes: 100 });
  });

  it('has no measure before the body ended', () => {
    expect(() => new MediaMeter(1).measured()).toThrow(/not ended/);
  });
});
