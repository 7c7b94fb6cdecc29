import { type Cache, caching } from 'cache-manager';
import { redisInsStore } from 'cache-manager-redis-yet';
import { createClient, type RedisClientType } from 'redis';
import { RedisGuard } from '../redis/redis-guard.js';
import { CacheManagerStore, type NodeRedisCommands } from './cache-manager.store.js';
import type { WechatStore } from './wechat-store.js';

export interface StoreOptions {
  /** one Redis node, e.g. redis://127.0.0.1:6379/0 */
  redisUrl?: string;
  /** a cache-manager cache of the host's (its Redis client, if any, carries the locks) */
  cache?: Cache;
  /** the longest any one Redis operation may take */
  commandTimeoutMs: number;
  warn: (message: string) => void;
}

const CONNECT_WAIT_MS = 3000;

/** The store the options ask for: the host's cache, one Redis node, or this process's memory. */
export async function createStore(options: StoreOptions): Promise<WechatStore> {
  if (options.cache) return hostCacheStore(options.cache, options);
  if (options.redisUrl) return redisUrlStore(options.redisUrl, options);
  return new CacheManagerStore(await caching('memory', { max: 10_000, ttl: 7_200_000 }), undefined);
}

function hostCacheStore(cache: Cache, options: StoreOptions): WechatStore {
  const client = (cache.store as { client?: NodeRedisCommands }).client;
  if (!client) return new CacheManagerStore(cache, undefined);
  // the host owns the cache and its client: closing the store leaves them open
  return new CacheManagerStore(cache, { client, guard: new RedisGuard(client, guardOptions(options)) });
}

async function redisUrlStore(url: string, options: StoreOptions): Promise<WechatStore> {
  const client = createClient({
    url,
    // while disconnected, commands fail at once instead of queueing behind the outage
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
  }) as RedisClientType;
  let lastError = 0;
  client.on('error', (error: Error) => {
    if (Date.now() - lastError > 5000) options.warn(`Redis connection problem: ${error.message}`);
    lastError = Date.now();
  });
  const connecting = client.connect().catch(() => undefined);
  await Promise.race([connecting, new Promise<void>((resolve) => setTimeout(resolve, CONNECT_WAIT_MS).unref())]);
  if (!client.isReady) options.warn('Redis is not reachable yet; serving from this process until it is');
  const commands = client as unknown as NodeRedisCommands;
  const guard = new RedisGuard(commands, guardOptions(options));
  return new CacheManagerStore(await caching(redisInsStore(client)), { client: commands, guard }, () => closeClient(client));
}

const guardOptions = (options: StoreOptions) => ({ commandTimeoutMs: options.commandTimeoutMs, warn: options.warn });

/** QUIT waits for a connection that may never come back: bounded, then the socket is dropped. */
async function closeClient(client: RedisClientType): Promise<void> {
  if (client.isReady) {
    const bounded = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
    await Promise.race([client.quit().catch(() => undefined), bounded]);
  }
  if (client.isOpen) await client.disconnect().catch(() => undefined);
}
