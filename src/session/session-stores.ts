import { caching } from 'cache-manager';
import { RedisStore } from 'connect-redis';
import { CacheManagerStore } from '../store/cache-manager.store.js';
import type { RedisCommands } from '../store/redis-connection.js';
import type { RedisHandle, WechatStore } from '../store/wechat-store.js';

type Done = (error?: unknown, value?: unknown) => void;

/** The callback store interface that @fastify/session and express-session both speak. */
export interface CallbackSessionStore {
  get(sid: string, done: Done): void;
  set(sid: string, session: object, done: Done): void;
  destroy(sid: string, done: Done): void;
}

/**
 * Where sessions live: connect-redis on the Redis connection of the shared store (every
 * operation bounded by its guard), or, without Redis, an in-process store of its own (bounded
 * in size and expiring with the cookie, so anonymous sessions cannot grow without limit).
 */
export async function sessionStoreFor(store: WechatStore, prefix: string): Promise<CallbackSessionStore> {
  if (store.redis) return boundedConnectRedis(store.redis, prefix);
  return new StoreSessionStore(
    new CacheManagerStore(await caching('memory', { max: 10_000, ttl: DEFAULT_TTL_MS }), undefined),
    prefix,
  );
}

function boundedConnectRedis({ connection, guard }: RedisHandle, prefix: string): CallbackSessionStore {
  const redis = new RedisStore({ client: forConnectRedis(connection.commands), prefix });
  const settle = (work: () => Promise<unknown>, done: Done) => {
    guard.run(work).then(
      (value) => done(null, value ?? undefined),
      (error: unknown) => done(error),
    );
  };
  return {
    get: (sid, done) => settle(() => redis.get(sid), done),
    set: (sid, session, done) => settle(() => redis.set(sid, session as never), done),
    destroy: (sid, done) => settle(() => redis.destroy(sid), done),
  };
}

/**
 * connect-redis asks node-redis clients for get/set/del/expire (and scans only for `all()` and
 * `clear()`, which sessions never call). A Sentinel client is not recognised as node-redis by it,
 * so every topology is handed over through this one node-redis-shaped view.
 */
function forConnectRedis(commands: RedisCommands): object {
  const raw = commands as unknown as {
    expire(key: string, seconds: number): Promise<unknown>;
    set(key: string, value: string, options?: { EX: number }): Promise<unknown>;
    del(keys: string | string[]): Promise<unknown>;
  };
  return {
    get: (key: string) => commands.get(key),
    set: (key: string, value: string, options?: { EX: number }) => raw.set(key, value, options),
    del: async (keys: string | string[]) => {
      for (const key of Array.isArray(keys) ? keys : [keys]) await commands.del(key);
    },
    expire: (key: string, seconds: number) => raw.expire(key, seconds),
    mGet: () => Promise.reject(new Error('not used')),
    scanIterator: () => {
      throw new Error('not used');
    },
  };
}

const DEFAULT_TTL_MS = 24 * 3600_000;

/** Sessions as JSON values of a WechatStore, each expiring with its cookie. */
export class StoreSessionStore implements CallbackSessionStore {
  constructor(
    private readonly store: WechatStore,
    private readonly prefix: string,
  ) {}

  get(sid: string, done: Done): void {
    this.store.get(this.prefix + sid).then((value) => done(null, value ?? undefined), done);
  }

  set(sid: string, session: object, done: Done): void {
    // a copy: the live session object goes on changing after it was saved
    const copy = JSON.parse(JSON.stringify(session)) as { cookie?: { expires?: string } };
    const expires = copy.cookie?.expires ? Date.parse(copy.cookie.expires) - Date.now() : DEFAULT_TTL_MS;
    this.store.set(this.prefix + sid, copy, Math.max(1000, expires)).then(() => done(), done);
  }

  destroy(sid: string, done: Done): void {
    this.store.delete(this.prefix + sid).then(() => done(), done);
  }
}
