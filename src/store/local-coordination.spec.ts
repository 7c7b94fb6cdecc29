import { LocalCounters, LocalLocks } from './local-coordination.js';

/** A clock the test moves by hand: the edges of a lock's and a window's life, to the millisecond. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('LocalLocks (the store of a single instance)', () => {
  it('holds a lock until its expiry, and not a millisecond longer', () => {
    const time = clock();
    const locks = new LocalLocks(time.now);
    expect(locks.lock('k', 100)).not.toBeNull();
    time.advance(99);
    expect(locks.isLocked('k')).toBe(true);
    expect(locks.lock('k', 100)).toBeNull();
    time.advance(1);
    expect(locks.isLocked('k')).toBe(false);
    expect(locks.lock('k', 100)).not.toBeNull();
  });

  it('extends a lock to that long from now', async () => {
    const time = clock();
    const locks = new LocalLocks(time.now);
    const lock = locks.lock('k', 100)!;
    time.advance(80);
    expect(await lock.extend(1000)).toBe(true);
    time.advance(999);
    expect(locks.isLocked('k')).toBe(true);
    time.advance(1);
    expect(locks.isLocked('k')).toBe(false);
    expect(await lock.extend(1000)).toBe(false);
  });

  it('releases only for its owner: a holder whose lock expired cannot release or extend the next holder’s', async () => {
    const time = clock();
    const locks = new LocalLocks(time.now);
    const first = locks.lock('k', 100)!;
    time.advance(100);
    const second = locks.lock('k', 100)!;
    expect(second).not.toBeNull();
    await first.release();
    expect(locks.isLocked('k')).toBe(true);
    expect(await first.extend(1000)).toBe(false);
    await second.release();
    expect(locks.isLocked('k')).toBe(false);
  });
});

describe('LocalCounters (the store of a single instance)', () => {
  it('opens a new window exactly when the last one ends', () => {
    const time = clock();
    const counters = new LocalCounters(time.now);
    expect(counters.hit('k', 100)).toEqual({ count: 1, resetMs: 100 });
    time.advance(99);
    expect(counters.hit('k', 100)).toEqual({ count: 2, resetMs: 1 });
    time.advance(1);
    expect(counters.hit('k', 100)).toEqual({ count: 1, resetMs: 100 });
  });

  it('keeps at most 10,000 windows: a new key past them pushes the oldest out', () => {
    const counters = new LocalCounters(clock().now);
    for (let i = 0; i < 10_000; i++) counters.hit(`live-${i}`, 60_000);
    counters.hit('new', 60_000);
    expect(counters.hit('live-9999', 60_000).count).toBe(2);
    expect(counters.hit('live-0', 60_000).count).toBe(1);
  });

  it('makes room by dropping ended windows first, wherever they are', () => {
    const time = clock();
    const counters = new LocalCounters(time.now);
    counters.hit('live-0', 60_000);
    counters.hit('short', 10);
    for (let i = 2; i < 10_000; i++) counters.hit(`live-${i}`, 60_000);
    time.advance(10);
    counters.hit('new', 60_000);
    expect(counters.hit('live-0', 60_000).count).toBe(2);
  });
});
