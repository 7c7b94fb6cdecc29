import type { StoreLock, WechatStore } from './wechat-store.js';

export interface ProduceOnce<T> {
  /** the lock guarding the work, cluster-wide */
  lockKey: string;
  /** how long the lock lives unless extended (longer than the work normally takes) */
  lockTtlMs: number;
  /** when waiting for another holder ends (ms since epoch) */
  deadline: number;
  pollIntervalMs: number;
  /** The result someone else may have produced: checked after taking the lock and while waiting. */
  find(): Promise<T | undefined>;
  /** Produces the result: with the lock held, or without it when the store cannot lock. */
  produce(): Promise<T>;
  /** Keeps extending the lock while produce() runs (for work that may outlast lockTtlMs). */
  keepAlive?: boolean;
  /** Another holder has the lock: answer this instead of waiting for its result. */
  whenBusy?: () => T;
  /** The error once the deadline passed while another holder kept the lock. */
  timedOut(): Error;
  now?: () => number;
}

/**
 * Work done once across every instance sharing the store: take the lock (SET NX PX), look again
 * for a result another instance may have finished just before, produce, release (owner-checked).
 * Callers that find the lock held wait for the result (bounded) and take over the lock if its
 * holder gives up without one. A store that cannot lock (Redis down) does not block the work:
 * it is done without the lock, which at worst repeats it.
 */
export async function produceOnce<T>(store: WechatStore, work: ProduceOnce<T>): Promise<T> {
  const now = work.now ?? Date.now;
  for (;;) {
    let lock: StoreLock | null | undefined;
    try {
      lock = await store.lock(work.lockKey, work.lockTtlMs);
    } catch {
      lock = undefined;
    }
    if (lock !== null) return underLock(work, lock);
    if (work.whenBusy) return work.whenBusy();
    const seen = await waitForHolder(store, work, now);
    if (seen !== undefined) return seen;
    if (now() >= work.deadline) throw work.timedOut();
  }
}

async function underLock<T>(work: ProduceOnce<T>, lock: StoreLock | undefined): Promise<T> {
  const timer = lock && work.keepAlive ? keepExtending(lock, work.lockTtlMs) : undefined;
  try {
    if (lock) {
      const found = await work.find();
      if (found !== undefined) return found;
    }
    return await work.produce();
  } finally {
    if (timer) clearInterval(timer);
    await lock?.release();
  }
}

function keepExtending(lock: StoreLock, ttlMs: number): NodeJS.Timeout {
  const timer = setInterval(() => void lock.extend(ttlMs), Math.max(1000, Math.floor(ttlMs / 3)));
  timer.unref();
  return timer;
}

/** Polls for the holder's result until it appears, the lock is gone, or the deadline passes. */
async function waitForHolder<T>(store: WechatStore, work: ProduceOnce<T>, now: () => number): Promise<T | undefined> {
  while (now() < work.deadline) {
    await new Promise<void>((resolve) => setTimeout(resolve, work.pollIntervalMs).unref());
    const seen = await work.find();
    if (seen !== undefined) return seen;
    const held = await store.isLocked(work.lockKey).catch(() => false);
    if (!held) return undefined;
  }
  return undefined;
}
