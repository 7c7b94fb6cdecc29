import 'reflect-metadata';
import { caching } from 'cache-manager';
import { eventually } from '../../../test/support/eventually.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../../test/support/redis-keys.js';
import { WechatUnavailableError } from '../wechat-api.error.js';
import { CacheManagerStore } from '../../store/cache-manager.store.js';
import { createStore } from '../../store/create-store.js';
import type { WechatStore } from '../wechat-store.js';
import { CredentialCache, type CredentialFetcher } from './credential-cache.js';

const TIMING = {
  lockTtlMs: 5000,
  waitBudgetMs: 2000,
  pollIntervalMs: 5,
  backgroundRetryMs: 1000,
  failureCooldownMs: 1000,
  inflightDeadlineMs: 10_000,
};

/** The same store with every key under `prefix`, so that tests on one Redis never meet. */
function prefixed(store: WechatStore, prefix: string): WechatStore {
  return {
    kind: store.kind,
    get: (key) => store.get(prefix + key),
    set: (key, value, ttlMs) => store.set(prefix + key, value, ttlMs),
    delete: (key) => store.delete(prefix + key),
    lock: (key, ttlMs) => store.lock(prefix + key, ttlMs),
    isLocked: (key) => store.isLocked(prefix + key),
    hit: (key, windowMs) => store.hit(prefix + key, windowMs),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

type Where = 'memory' | 'redis';
let redis: WechatStore | undefined;
const redisPrefix = uniquePrefix('credcache');

afterAll(async () => {
  await redis?.close();
  await deleteKeys(redisPrefix);
});

async function sharedStore(where: Where, now: () => number): Promise<WechatStore> {
  if (where === 'memory')
    return new CacheManagerStore(await caching('memory', { max: 100, ttl: 10_000_000 }), undefined, undefined, now);
  redis ??= await createStore({ redisUrl: REDIS_URL, commandTimeoutMs: 2000, warn: () => undefined });
  return prefixed(redis, `${redisPrefix}${Math.random().toString(36).slice(2)}:`);
}

/**
 * A fake clock for the cache's decisions. Lock expiry is the store's own: in memory it follows
 * the fake clock, on Redis real time, so `outliveLock` waits for it there.
 */
async function setupIn(where: Where) {
  let now = 1_000_000;
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  const store = await sharedStore(where, clock.now);
  const outliveLock = async (key: string, ttlMs: number) => {
    if (where === 'memory') clock.advance(ttlMs + 1);
    else await eventually(async () => !(await store.isLocked(key)), 5000, 5);
  };
  return { clock, store, outliveLock, cache: () => new CredentialCache(store, TIMING, clock.now) };
}

/** A credential value WeChat could have sent (16+ characters). */
const v = (n: number) => `v${n}-credential-value`;

function countingFetcher(expiresInSec = 7200) {
  let n = 0;
  const fetcher: CredentialFetcher & { calls: () => number; stales: (string | undefined)[] } = Object.assign(
    async (stale?: string) => {
      fetcher.stales.push(stale);
      n += 1;
      await Promise.resolve();
      return { value: v(n), expiresInSec };
    },
    { calls: () => n, stales: [] as (string | undefined)[] },
  );
  return fetcher;
}

describe.each<[string, Where]>([
  ['in this process', 'memory'],
  ['on a real Redis', 'redis'],
])('CredentialCache, its store %s', (_where, where) => {
  const setup = () => setupIn(where);

  it('makes one fetch for a burst of concurrent callers in one process, through one lock attempt', async () => {
    const { cache, store } = await setup();
    const lock = store.lock.bind(store);
    let lockAttempts = 0;
    store.lock = (key: string, ttlMs: number) => {
      lockAttempts += 1;
      return lock(key, ttlMs);
    };
    const c = cache();
    const fetcher = countingFetcher();
    const values = await Promise.all(Array.from({ length: 100 }, () => c.get('k', fetcher)));
    expect(new Set(values)).toEqual(new Set([v(1)]));
    expect(fetcher.calls()).toBe(1);
    // the others joined the one fetch in this process: they never went to the shared lock
    expect(lockAttempts).toBe(1);
  });

  it('makes one fetch across instances sharing a store: the others wait for the value', async () => {
    const { cache } = await setup();
    const instances = [cache(), cache(), cache()];
    const fetcher = countingFetcher();
    const values = await Promise.all(instances.flatMap((c) => Array.from({ length: 20 }, () => c.get('k', fetcher))));
    expect(new Set(values)).toEqual(new Set([v(1)]));
    expect(fetcher.calls()).toBe(1);
  });

  it('lets an instance started later read the shared value without fetching', async () => {
    const { cache } = await setup();
    const fetcher = countingFetcher();
    await cache().get('k', fetcher);
    expect(await cache().get('k', fetcher)).toBe(v(1));
    expect(fetcher.calls()).toBe(1);
  });

  it('reads the shared store again after taking the lock: a value written just before is used, not fetched', async () => {
    const { cache, store, clock } = await setup();
    const lock = store.lock.bind(store);
    store.lock = async (key: string, ttlMs: number) => {
      // another instance finishes its fetch between our miss and our lock
      await store.set('k', { value: v(5), fetchedAt: clock.now(), expiresAt: clock.now() + 7200_000 }, 7000_000);
      return lock(key, ttlMs);
    };
    const fetcher = countingFetcher();
    expect(await cache().get('k', fetcher)).toBe(v(5));
    expect(fetcher.calls()).toBe(0);
  });

  it('starts refreshing ahead only in the last 270 s of a value, once per retry pause', async () => {
    const { cache, clock } = await setup();
    const c = cache();
    let calls = 0;
    const failing: CredentialFetcher = async () => {
      calls += 1;
      if (calls === 1) return { value: v(1), expiresInSec: 7200 };
      throw new Error('WeChat busy');
    };
    await c.get('k', failing);
    clock.advance(7200_000 - 271_000);
    expect(await c.get('k', failing)).toBe(v(1));
    await c.settle();
    expect(calls).toBe(1);
    clock.advance(2000);
    for (let i = 0; i < 20; i++) expect(c.peek('k', failing)).toBe(v(1));
    await c.settle();
    expect(calls).toBe(2);
    // a failed background refresh is not repeated on every request, only after the pause
    for (let i = 0; i < 5; i++) {
      clock.advance(TIMING.backgroundRetryMs / 10);
      expect(c.peek('k', failing)).toBe(v(1));
      await c.settle();
    }
    expect(calls).toBe(2);
    clock.advance(TIMING.backgroundRetryMs);
    c.peek('k', failing);
    await c.settle();
    expect(calls).toBe(3);
  });

  it('keeps a value WeChat gave with expires_in 0 for a second, instead of fetching on every call', async () => {
    const { cache } = await setup();
    const c = cache();
    const fetcher = countingFetcher(0);
    expect(await c.get('k', fetcher)).toBe(v(1));
    expect(await c.get('k', fetcher)).toBe(v(1));
    expect(fetcher.calls()).toBe(1);
  });

  it('refreshes ahead in the background and keeps serving the old value meanwhile', async () => {
    const { cache, clock } = await setup();
    const c = cache();
    const fetcher = countingFetcher();
    await c.get('k', fetcher);
    clock.advance(7200_000 - 200_000); // inside the refresh-ahead window, still usable
    expect(await c.get('k', fetcher)).toBe(v(1));
    await c.settle();
    expect(fetcher.calls()).toBe(2);
    expect(await c.get('k', fetcher)).toBe(v(2));
  });

  it('stops serving a value a safety margin before expiry', async () => {
    const { cache, clock } = await setup();
    const c = cache();
    const fetcher = countingFetcher();
    await c.get('k', fetcher);
    clock.advance(7200_000 - 30_000);
    expect(await c.get('k', fetcher)).toBe(v(2));
  });

  it('compare-before-refresh: a rejected value is replaced by a newer shared one without fetching', async () => {
    const { cache } = await setup();
    const [a, b] = [cache(), cache()];
    const fetcher = countingFetcher();
    await a.get('k', fetcher);
    await b.get('k', fetcher);
    expect(await a.replace('k', v(1), fetcher)).toBe(v(2));
    expect(fetcher.stales).toEqual([undefined, v(1)]);
    expect(await b.replace('k', v(1), fetcher)).toBe(v(2));
    expect(fetcher.calls()).toBe(2);
  });

  it('never caches a failed fetch as a value; repeats the error only during the cooldown', async () => {
    const { cache, clock } = await setup();
    const c = cache();
    let fail = true;
    let calls = 0;
    const fetcher: CredentialFetcher = async () => {
      calls += 1;
      if (fail) throw new Error('errcode 45009');
      return { value: v(0), expiresInSec: 7200 };
    };
    await expect(c.get('k', fetcher)).rejects.toThrow('45009');
    fail = false;
    await expect(Promise.all(Array.from({ length: 50 }, () => c.get('k', fetcher)))).rejects.toThrow('45009');
    expect(calls).toBe(1);
    clock.advance(TIMING.failureCooldownMs);
    expect(await c.get('k', fetcher)).toBe(v(0));
    expect(calls).toBe(2);
  });

  it('writes a positive TTL even when WeChat answers expires_in 0', async () => {
    const { cache, store } = await setup();
    const writes: number[] = [];
    const original = store.set.bind(store);
    store.set = async (key: string, value: unknown, ttl: number) => {
      writes.push(ttl);
      return original(key, value, ttl);
    };
    await cache().get('k', async () => ({ value: v(9), expiresInSec: 0 }));
    expect(writes[0]).toBeGreaterThanOrEqual(1000);
  });

  it('gives up with WechatUnavailableError when another holder never delivers', async () => {
    const { store } = await setup();
    await store.lock('k:lock', 60_000);
    const c = new CredentialCache(store, { ...TIMING, waitBudgetMs: 50 }, Date.now);
    await expect(c.get('k', countingFetcher())).rejects.toBeInstanceOf(WechatUnavailableError);
  });

  it('joins a fetch in progress only until its deadline; a stuck one is never waited on forever', async () => {
    const store = await sharedStore(where, Date.now);
    // the stuck fetch's lock expires too (lockTtlMs), as a crashed holder's would. The second, healthy
    // fetch runs under the same real-time deadline: 2.5 s leaves it room even through a long GC pause of
    // a test worker late in the suite (400 ms did not, once)
    const c = new CredentialCache(store, { ...TIMING, inflightDeadlineMs: 2500, lockTtlMs: 300, failureCooldownMs: 0 }, Date.now);
    let calls = 0;
    const stuck: CredentialFetcher = () => {
      calls += 1;
      return calls === 1 ? new Promise(() => undefined) : Promise.resolve({ value: v(7), expiresInSec: 7200 });
    };
    const first = c.get('k', stuck);
    const joined = c.get('k', stuck);
    await expect(first).rejects.toBeInstanceOf(WechatUnavailableError);
    await expect(joined).rejects.toBeInstanceOf(WechatUnavailableError);
    expect(calls).toBe(1);
    // past the deadline the next caller starts afresh instead of joining
    expect(await c.get('k', stuck)).toBe(v(7));
    expect(calls).toBe(2);
  });

  it('releases the lock after fetching, and only its own', async () => {
    const { cache, store, outliveLock } = await setup();
    await cache().get('k', countingFetcher());
    expect(await store.isLocked('k:lock')).toBe(false);
    const first = await store.lock('x:lock', 50);
    expect(await store.lock('x:lock', 50)).toBeNull();
    await outliveLock('x:lock', 50);
    // the first holder's lock expired and another took it: the first one's release must not free it
    const second = await store.lock('x:lock', 60_000);
    await first!.release();
    expect(await store.isLocked('x:lock')).toBe(true);
    await second!.release();
    expect(await store.isLocked('x:lock')).toBe(false);
  });
});
