import { randomUUID } from 'node:crypto';
import type { StoreHit, StoreLock } from '../core/wechat-store.js';

/**
 * A random owner token for a lock (122 random bits): only the holder of the token may release it.
 * randomUUID draws from a cached pool of random bytes, a tenth of the cost of randomBytes per lock.
 */
export const newLockOwner = () => randomUUID();

/** Locks for a store that lives in this process only (one instance). */
export class LocalLocks {
  private readonly held = new Map<string, { owner: string; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  lock(key: string, ttlMs: number): StoreLock | null {
    if (this.isLocked(key)) return null;
    const owner = newLockOwner();
    this.held.set(key, { owner, until: this.now() + ttlMs });
    const mine = () => this.held.get(key)?.owner === owner;
    return {
      release: async () => {
        if (mine()) this.held.delete(key);
      },
      extend: async (ms) => {
        if (!mine() || !this.isLocked(key)) return false;
        this.held.set(key, { owner, until: this.now() + ms });
        return true;
      },
    };
  }

  isLocked(key: string): boolean {
    const held = this.held.get(key);
    if (held && held.until > this.now()) return true;
    if (held) this.held.delete(key);
    return false;
  }
}

const MAX_COUNTERS = 10_000;

/** Fixed-window counters for a store that lives in this process only. */
export class LocalCounters {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, windowMs: number, by = 1): StoreHit {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      if (this.windows.size >= MAX_COUNTERS) this.prune(now);
      window = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += by;
    return { count: window.count, resetMs: window.endsAt - now };
  }

  /** Drops ended windows; if all are live (a flood of distinct keys), the oldest go. */
  private prune(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_COUNTERS) break;
      this.windows.delete(key);
    }
  }
}
