import { Problem } from '../problem.js';
import { TranscodeSlots } from './transcode-slots.js';

/** A piece of work the test ends when it wants. */
function work() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { run: () => done, finish };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Problem,
  );

describe('TranscodeSlots', () => {
  it('runs at most `concurrency` at once; the next waits for a slot, in arrival order', async () => {
    const slots = new TranscodeSlots(2, 4, 10_000);
    const [a, b, c, d] = [work(), work(), work(), work()];
    const started: string[] = [];
    const runs = [a, b, c, d].map((w, i) =>
      slots.run(() => {
        started.push('abcd'[i]);
        return w.run();
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect([slots.busy, slots.waiting, started]).toEqual([2, 2, ['a', 'b']]);
    b.finish();
    await runs[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect([slots.busy, slots.waiting, started]).toEqual([2, 1, ['a', 'b', 'c']]);
    for (const w of [a, c, d]) w.finish();
    await Promise.all(runs);
    expect([slots.busy, slots.waiting, started]).toEqual([0, 0, ['a', 'b', 'c', 'd']]);
  });

  it('refuses at once with 503 MEDIA_BUSY and Retry-After when the queue is full', async () => {
    const slots = new TranscodeSlots(1, 2, 10_000);
    const held = work();
    const running = [0, 1, 2].map(() => slots.run(held.run));
    const refused = await refusal(slots.run(held.run));
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 503, code: 'MEDIA_BUSY', extra: { retryAfter: 10 } });
    held.finish();
    await Promise.all(running);
  });

  it('gives up a wait in the queue after queueWaitMs, and the slot goes to the next one waiting', async () => {
    const slots = new TranscodeSlots(1, 2, 50);
    const held = work();
    const running = slots.run(held.run);
    const waited = await refusal(slots.run(() => Promise.resolve()));
    expect(waited).toMatchObject({ statusCode: 503, code: 'MEDIA_BUSY', extra: { retryAfter: 1 } });
    expect(slots.waiting).toBe(0);
    const next = slots.run(() => Promise.resolve('next'));
    held.finish();
    await running;
    expect(await next).toBe('next');
    expect(slots.busy).toBe(0);
  });

  it('gives the slot back when the work fails', async () => {
    const slots = new TranscodeSlots(1, 0, 10);
    await expect(slots.run(() => Promise.reject(new Error('ffmpeg failed')))).rejects.toThrow('ffmpeg failed');
    expect(await slots.run(() => Promise.resolve(1))).toBe(1);
    expect(slots.busy).toBe(0);
  });
});
