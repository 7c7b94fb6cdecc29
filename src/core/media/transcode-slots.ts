import { mediaBusy } from './media-problems.js';

interface Waiter {
  grant(): void;
}

/**
 * At most `concurrency` transcodings at once in this process. Up to `queueLimit` more wait for a
 * slot, in arrival order, each at most `queueWaitMs`; past either bound the work is refused with
 * 503 `MEDIA_BUSY` and a Retry-After of the queue's wait, so a burst never stacks up ffmpeg processes.
 */
export class TranscodeSlots {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
    readonly queueWaitMs: number,
  ) {}

  /** Seconds a refused request should wait before it asks again. */
  get retryAfterSec(): number {
    return Math.max(1, Math.ceil(this.queueWaitMs / 1000));
  }

  /** transcodings running now */
  get busy(): number {
    return this.running;
  }

  /** transcodings waiting for a slot now */
  get waiting(): number {
    return this.queue.length;
  }

  /** Runs `work` in a slot, once one is free; 503 MEDIA_BUSY when the queue is full or the wait ran out. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.queue.length >= this.queueLimit) {
      return Promise.reject(
        mediaBusy('every transcoding slot is taken and the queue is full; try again shortly', this.retryAfterSec),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(waiter), 1);
        reject(mediaBusy('no transcoding slot came free in time; try again shortly', this.retryAfterSec));
      }, this.queueWaitMs);
      this.queue.push(waiter);
    });
  }

  /** The slot goes to the first waiter (the count of running work stays), or is given back. */
  private release(): void {
    const next = this.queue.shift();
    if (next) next.grant();
    else this.running -= 1;
  }
}
