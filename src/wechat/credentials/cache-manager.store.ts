import { randomBytes } from 'node:crypto';
import type { Cache } from 'cache-manager';
import type { RedisClientType } from 'redis';
import { isStoredCredential, type SharedCredentialStore, type StoredCredential } from './credential-store.js';

// Deletes the lock only when the caller still owns it, atomically.
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export type RedisClient = RedisClientType<any, any, any>;

/**
 * SharedCredentialStore on a cache-manager Cache. When the cache is Redis-backed, its node-redis
 * client also carries the lock; otherwise the lock lives in this process (one instance only).
 */
export class CacheManagerCredentialStore implements SharedCredentialStore {
  readonly kind: 'redis' | 'memory';
  private readonly localLocks = new Map<string, { owner: string; until: number }>();

  constructor(
    private readonly cache: Cache,
    private readonly redis: RedisClient | null,
    private readonly now: () => number = Date.now,
  ) {
    this.kind = redis ? 'redis' : 'memory';
  }

  async read(key: string): Promise<StoredCredential | undefined> {
    const value = await this.cache.get<unknown>(key);
    return isStoredCredential(value) ? value : undefined;
  }

  async write(key: string, credential: StoredCredential, ttlMs: number): Promise<void> {
    await this.cache.set(key, credential, Math.max(1, Math.ceil(ttlMs)));
  }

  async acquireLock(key: string, ttlMs: number): Promise<string | null> {
    const owner = randomBytes(12).toString('hex');
    if (this.redis) {
      const ok = await this.redis.set(key, owner, { NX: true, PX: Math.ceil(ttlMs) });
      return ok === 'OK' ? owner : null;
    }
    const held = this.localLocks.get(key);
    if (held && held.until > this.now()) return null;
    this.localLocks.set(key, { owner, until: this.now() + ttlMs });
    return owner;
  }

  async releaseLock(key: string, owner: string): Promise<void> {
    if (this.redis) {
      await this.redis.eval(RELEASE_SCRIPT, { keys: [key], arguments: [owner] });
      return;
    }
    if (this.localLocks.get(key)?.owner === owner) this.localLocks.delete(key);
  }

  async isLocked(key: string): Promise<boolean> {
    if (this.redis) return (await this.redis.exists(key)) === 1;
    const held = this.localLocks.get(key);
    return !!held && held.until > this.now();
  }

  async ping(): Promise<boolean> {
    if (!this.redis) return true;
    if (!this.redis.isReady) return false;
    const timeout = new Promise<string>((resolve) => setTimeout(resolve, 1000, 'timeout').unref());
    try {
      return (await Promise.race([this.redis.ping(), timeout])) === 'PONG';
    } catch {
      return false;
    }
  }
}
