import { LocalCounters, LocalLocks } from './local-coordination.js';
import type { StoreHit, StoreLock, WechatStore } from '../core/wechat-store.js';

/** The most values one process keeps; past it the entries closest to expiry go first. */
const MAX_VALUES = 10_000;

/**
 * The store of a single instance: values with their expiry, locks and counters in this process's
 * memory, bounded in size. Values are copied in and out, as a shared store would serialise them.
 */
export class LocalStore implements WechatStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, { json: string; until: number }>();
  private readonly locks: LocalLocks;
  private readonly counters: LocalCounters;

  constructor(private readonly now: () => number = Date.now) {
    this.locks = new LocalLocks(now);
    this.counters = new LocalCounters(now);
  }

  async get(key: string): Promise<unknown> {
    const entry = this.values.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return JSON.parse(entry.json) as unknown;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    if (!this.values.has(key) && this.values.size >= MAX_VALUES) this.makeRoom();
    this.values.set(key, { json: JSON.stringify(value), until: this.now() + Math.max(1, Math.ceil(ttlMs)) });
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }

  async lock(key: string, ttlMs: number): Promise<StoreLock | null> {
    return this.locks.lock(key, ttlMs);
  }

  async isLocked(key: string): Promise<boolean> {
    return this.locks.isLocked(key);
  }

  async hit(key: string, windowMs: number, by = 1): Promise<StoreHit> {
    return this.counters.hit(key, windowMs, by);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  /** Drops what has expired; if nothing has, the tenth of the entries that expire soonest. */
  private makeRoom(): void {
    const now = this.now();
    for (const [key, entry] of this.values) if (entry.until <= now) this.values.delete(key);
    if (this.values.size < MAX_VALUES) return;
    const soonest = [...this.values].sort(([, a], [, b]) => a.until - b.until).slice(0, MAX_VALUES / 10);
    for (const [key] of soonest) this.values.delete(key);
  }
}
