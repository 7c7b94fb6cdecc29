import { Logger } from '@nestjs/common';
import { type Cache, caching } from 'cache-manager';
import { redisInsStore } from 'cache-manager-redis-yet';
import { createClient, type RedisClientType } from 'redis';
import type { ResolvedWechatOptions } from '../wechat.options.js';
import type { RedisClient } from './cache-manager.store.js';

export interface SharedCache {
  cache: Cache;
  redis: RedisClient | null;
  /** closes what this module created (never a cache the host passed in) */
  close(): Promise<void>;
}

const CONNECT_WAIT_MS = 3000;

/**
 * The shared tier: the host's cache, a Redis cache from `redisUrl`, or an in-process cache.
 * The Redis client fails fast while disconnected (no offline queue) so a Redis outage never
 * stalls signing, and reconnects by itself.
 */
export async function createSharedCache(options: ResolvedWechatOptions): Promise<SharedCache> {
  if (options.cache) {
    const store = options.cache.store as { client?: RedisClient };
    return { cache: options.cache, redis: store.client ?? null, close: async () => undefined };
  }
  if (!options.redisUrl) {
    return { cache: await caching('memory', { max: 1000, ttl: 7_200_000 }), redis: null, close: async () => undefined };
  }
  const logger = new Logger('Redis');
  const client = createClient({
    url: options.redisUrl,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
  }) as RedisClientType;
  let lastError = 0;
  client.on('error', (error: Error) => {
    if (Date.now() - lastError > 5000) logger.warn(`connection problem: ${error.message}`);
    lastError = Date.now();
  });
  const connecting = client.connect().catch(() => undefined);
  const timer = new Promise<void>((resolve) => setTimeout(resolve, CONNECT_WAIT_MS).unref());
  await Promise.race([connecting, timer]);
  if (!client.isReady) logger.warn('Redis is not reachable yet; serving from this process until it is');
  const cache = await caching(redisInsStore(client));
  return {
    cache,
    redis: client as unknown as RedisClient,
    close: async () => {
      // QUIT waits for a connection that may never come back; bound it, then drop the socket.
      if (client.isReady) {
        const bounded = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
        await Promise.race([client.quit().catch(() => undefined), bounded]);
      }
      if (client.isOpen) await client.disconnect().catch(() => undefined);
    },
  };
}
