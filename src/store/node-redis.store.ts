import type { RedisCoordination } from './redis-coordination.js';
import type { StoreHit, StoreLock, WechatStore } from '../core/wechat-store.js';

/**
 * WechatStore straight on a node-redis client (one node, Cluster or Sentinel): values as JSON
 * with a PX expiry, the same encoding cache-manager-redis-yet writes, so instances on either
 * store read each other's values.
 */
export class NodeRedisStore implements WechatStore {
  readonly kind = 'redis' as const;

  constructor(
    readonly redis: RedisCoordination,
    private readonly closeOwned: () => Promise<void> = async () => undefined,
  ) {}

  async get(key: string): Promise<unknown> {
    const raw = await this.redis.guard.run(() => this.redis.connection.commands.get(key));
    if (raw === null || raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const json = JSON.stringify(value);
    await this.redis.guard.run(() => this.redis.connection.commands.set(key, json, { PX: Math.max(1, Math.ceil(ttlMs)) }));
  }

  async delete(key: string): Promise<void> {
    await this.redis.guard.run(() => this.redis.connection.commands.del(key));
  }

  lock(key: string, ttlMs: number): Promise<StoreLock | null> {
    return this.redis.lock(key, ttlMs);
  }

  isLocked(key: string): Promise<boolean> {
    return this.redis.isLocked(key);
  }

  hit(key: string, windowMs: number, by = 1): Promise<StoreHit> {
    return this.redis.hit(key, windowMs, by);
  }

  ping(): Promise<boolean> {
    return this.redis.guard.ping();
  }

  close(): Promise<void> {
    this.redis.guard.close();
    return this.closeOwned();
  }
}
