import { jest } from '@jest/globals';
import { answerWithin } from './deadline.js';

describe('answerWithin', () => {
  const late = () => new Error('too late');

  it("answers the work's result, or its failure, when it comes in time", async () => {
    expect(await answerWithin(Promise.resolve(1), 1000, late)).toBe(1);
    await expect(answerWithin(Promise.reject(new Error('failed')), 1000, late)).rejects.toThrow('failed');
  });

  it('answers the late error at the deadline; what the work yields afterwards is discarded', async () => {
    let finish!: (value: string) => void;
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const discarded: string[] = [];
    await expect(answerWithin(work, 20, late, (value) => discarded.push(value))).rejects.toThrow('too late');
    finish('opened too late');
    await work;
    await new Promise((resolve) => setImmediate(resolve));
    expect(discarded).toEqual(['opened too late']);
  });

  it('a work that fails after the deadline is no unhandled rejection', async () => {
    let fail!: (error: Error) => void;
    const work = new Promise<never>((_resolve, reject) => {
      fail = reject;
    });
    await expect(answerWithin(work, 10, late)).rejects.toThrow('too late');
    fail(new Error('later'));
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('a work done in time is answered as it is: nothing is discarded, and the deadline is cleared', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    try {
      const lateCalls: number[] = [];
      const discarded: number[] = [];
      const answer = answerWithin(
        Promise.resolve(7),
        1000,
        () => {
          lateCalls.push(1);
          return new Error('too late');
        },
        (value) => discarded.push(value),
      );
      expect(await answer).toBe(7);
      // no timer is left behind to fire later
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(1000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(lateCalls).toEqual([]);
      expect(discarded).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('without a discard, a value the work yields after the deadline is dropped quietly', async () => {
    let finish!: (value: string) => void;
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });
    await expect(answerWithin(work, 10, late)).rejects.toThrow('too late');
    finish('opened too late');
    expect(await work).toBe('opened too late');
    // (a failure to drop it would be an unhandled rejection, which fails this test)
    await new Promise((resolve) => setImmediate(resolve));
  });
});
