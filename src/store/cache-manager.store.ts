import { LocalCounters, LocalLocks } from './local-coordination.js';
import type { RedisCoordination } from './redis-coordination.js';
import type { StoreHit, StoreLock, WechatStore } from '../core/wechat-store.js';

/**
 * What the store needs of a cache: cache-manager 5 and 7 (and so `@nestjs/cache-manager`'s
 * CACHE_MANAGER) both have it. The ttl is in milliseconds in both.
 */
export interface CacheLike {
  get<T>(key: string): Promise<T | null | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/**
 * WechatStore on a cache: the values go through the cache (in memory, or Redis through
 * cache-manager-redis-yet or Keyv); locks and counters through the Redis connection behind it when
 * there is one, in this process otherwise. With Redis, every operation is bounded by the guard.
 */
export class CacheManagerStore implements WechatStore {
  readonly kind: 'redis' | 'memory';
  private readonly locks: LocalLocks;
  private readonly counters: LocalCounters;

  constructor(
    private readonly cache: CacheLike,
    readonly redis: RedisCoordination | undefined,
    private readonly closeOwned: () => Promise<void> = async () => undefined,
    now: () => number = Date.now,
  ) {
    this.kind = redis ? 'redis' : 'memory';
    this.locks = new LocalLocks(now);
    this.counters = new LocalCounters(now);
  }

  async get(key: string): Promise<unknown> {
    return (await this.guarded(() => this.cache.get<unknown>(key))) ?? undefined;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.guarded(() => this.cache.set(key, value, Math.max(1, Math.ceil(ttlMs))));
  }

  async delete(key: string): Promise<void> {
    await this.guarded(() => this.cache.del(key));
  }

  async lock(key: string, ttlMs: number): Promise<StoreLock | null> {
    return this.redis ? this.redis.lock(key, ttlMs) : this.locks.lock(key, ttlMs);
  }

  async isLocked(key: string): Promise<boolean> {
    return this.redis ? this.redis.isLocked(key) : this.locks.isLocked(key);
  }

  async hit(key: string, windowMs: number, by = 1): Promise<StoreHit> {
    return this.redis ? this.redis.hit(key, windowMs, by) : this.counters.hit(key, windowMs, by);
  }

  async ping(): Promise<boolean> {
    return this.redis ? this.redis.guard.ping() : true;
  }

  close(): Promise<void> {
    this.redis?.guard.close();
    return this.closeOwned();
  }

  private guarded<T>(operation: () => Promise<T>): Promise<T> {
    return this.redis ? this.redis.guard.run(operation) : operation();
  }
}
