import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** The body went past the size limit while it streamed. */
export class MediaTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the media is larger than the limit of ${maxBytes} bytes`);
    this.name = 'MediaTooLargeError';
  }
}

/**
 * Passes bytes through unchanged while counting them and hashing them (sha256), and fails with
 * MediaTooLargeError as soon as more than `maxBytes` went by, whatever Content-Length claimed.
 */
export class MediaMeter extends Transform {
  private bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private digest?: string;
  /** true once more than maxBytes went by (whatever error a storage then reports) */
  exceeded = false;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      this.exceeded = true;
      return done(new MediaTooLargeError(this.maxBytes));
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    done();
  }

  /** Size and hex sha256 of everything that went through; only once the stream has ended. */
  measured(): { size: number; sha256: string } {
    if (this.digest === undefined) throw new Error('MediaMeter: the body has not ended yet');
    return { size: this.bytes, sha256: this.digest };
  }
}
