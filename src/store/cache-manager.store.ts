import type { Cache } from 'cache-manager';
import type { GuardedConnection, RedisGuard } from '../redis/redis-guard.js';
import { LocalCounters, LocalLocks, newLockOwner } from './local-coordination.js';
import { EXTEND_LOCK, HIT_WINDOW, RELEASE_LOCK } from './redis-scripts.js';
import type { StoreHit, StoreLock, WechatStore } from './wechat-store.js';

/** The node-redis commands a store uses (v4 and v5 single-node clients have them). */
export interface NodeRedisCommands extends GuardedConnection {
  set(key: string, value: string, options: { NX: true; PX: number }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  exists(key: string): Promise<number>;
}

export interface CacheManagerRedis {
  client: NodeRedisCommands;
  guard: RedisGuard;
}

/**
 * WechatStore on a cache-manager cache: the values go through the cache (in memory, or Redis
 * through cache-manager-redis-yet); locks and counters through the cache's Redis client when
 * there is one, in this process otherwise. With Redis, every operation is bounded by the guard.
 */
export class CacheManagerStore implements WechatStore {
  readonly kind: 'redis' | 'memory';
  private readonly locks: LocalLocks;
  private readonly counters: LocalCounters;

  constructor(
    private readonly cache: Cache,
    readonly redis: CacheManagerRedis | undefined,
    private readonly closeOwned: () => Promise<void> = async () => undefined,
    now: () => number = Date.now,
  ) {
    this.kind = redis ? 'redis' : 'memory';
    this.locks = new LocalLocks(now);
    this.counters = new LocalCounters(now);
  }

  get(key: string): Promise<unknown> {
    return this.guarded(() => this.cache.get<unknown>(key));
  }

  set(key: string, value: unknown, ttlMs: number): Promise<void> {
    return this.guarded(() => this.cache.set(key, value, Math.max(1, Math.ceil(ttlMs))));
  }

  delete(key: string): Promise<void> {
    return this.guarded(() => this.cache.del(key));
  }

  async lock(key: string, ttlMs: number): Promise<StoreLock | null> {
    if (!this.redis) return this.locks.lock(key, ttlMs);
    const { client, guard } = this.redis;
    const owner = newLockOwner();
    const taken = await guard.run(() => client.set(key, owner, { NX: true, PX: Math.ceil(ttlMs) }));
    if (taken !== 'OK') return null;
    return {
      release: () => guard.run(() => client.eval(RELEASE_LOCK, { keys: [key], arguments: [owner] })).then(() => undefined, () => undefined),
      extend: (ms) => guard.run(() => client.eval(EXTEND_LOCK, { keys: [key], arguments: [owner, String(Math.ceil(ms))] }))
        .then((n) => n === 1, () => false),
    };
  }

  async isLocked(key: string): Promise<boolean> {
    if (!this.redis) return this.locks.isLocked(key);
    const { client, guard } = this.redis;
    return (await guard.run(() => client.exists(key))) === 1;
  }

  async hit(key: string, windowMs: number): Promise<StoreHit> {
    if (!this.redis) return this.counters.hit(key, windowMs);
    const { client, guard } = this.redis;
    const [count, resetMs] = (await guard.run(() =>
      client.eval(HIT_WINDOW, { keys: [key], arguments: [String(Math.ceil(windowMs))] }))) as [number, number];
    return { count: Number(count), resetMs: Number(resetMs) };
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
