import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { WechatStore } from '../store/wechat-store.js';

/**
 * A @fastify/rate-limit store that counts in the WechatStore: Redis when the service has it
 * (one count for the whole cluster; the plugin's own Redis store needs ioredis), this process
 * otherwise. Each count is bounded by the store's time limit.
 */
export function storeCounter(store: WechatStore, keyPrefix: string): FastifyRateLimitStoreCtor {
  class StoreCounter implements FastifyRateLimitStore {
    incr(key: string, done: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      store.hit(`${keyPrefix}${key}`, timeWindow).then(
        ({ count, resetMs }) => done(null, { current: count, ttl: resetMs }),
        (error: Error) => done(error),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return StoreCounter;
}
