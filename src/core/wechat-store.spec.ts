import { caching } from 'cache-manager';
import { redisStore as redisYetStore } from 'cache-manager-redis-yet';
import { createClient } from 'redis';
import { eventually } from '../../test/support/eventually.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../test/support/redis-keys.js';
import { createStore, type StoreTopology } from '../store/create-store.js';
import type { WechatStore } from './wechat-store.js';

interface Subject {
  store: WechatStore;
  close(): Promise<void>;
}

const open = (topology: StoreTopology) => createStore({ ...topology, commandTimeoutMs: 1000, warn: () => undefined });

async function memoryStore(): Promise<Subject> {
  const store = await open({});
  return { store, close: () => store.close() };
}

async function redisUrlStore(): Promise<Subject> {
  const store = await open({ redisUrl: REDIS_URL });
  return { store, close: () => store.close() };
}

/** a node-redis 5 client of the host's, used directly */
async function hostClientStore(): Promise<Subject> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const store = await open({ redisClient: client });
  return {
    store,
    close: async () => {
      await store.close();
      await client.close();
    },
  };
}

/** a cache-manager cache of the host's, with the node-redis 4 client found behind it */
async function hostCacheStore(): Promise<Subject> {
  const cache = await caching(await redisYetStore({ url: REDIS_URL }));
  const store = await open({ cache });
  return {
    store,
    close: async () => {
      await store.close();
      await cache.store.client.quit();
    },
  };
}

describe.each([
  ['in this process', memoryStore],
  ['on one Redis node (REDIS_URL)', redisUrlStore],
  ['on the host’s node-redis 5 client', hostClientStore],
  ['on the host’s cache-manager cache', hostCacheStore],
])('WechatStore %s', (_where, start) => {
  let subject: Subject;
  let store: WechatStore;
  const prefix = uniquePrefix('store');
  beforeAll(async () => {
    subject = await start();
    store = subject.store;
  });
  afterAll(async () => {
    await subject.close();
    await deleteKeys(prefix);
  });

  it('keeps a JSON value until its time is up', async () => {
    await store.set(`${prefix}v`, { value: 'x', n: 1 }, 60_000);
    expect(await store.get(`${prefix}v`)).toEqual({ value: 'x', n: 1 });
    await store.set(`${prefix}short`, 'gone soon', 30);
    expect(await eventually(async () => (await store.get(`${prefix}short`)) === undefined, 2000, 10)).toBe(true);
    await store.delete(`${prefix}v`);
    expect(await store.get(`${prefix}v`)).toBeUndefined();
  });

  it('gives a lock to one holder at a time', async () => {
    const key = `${prefix}lock:one`;
    const first = await store.lock(key, 60_000);
    expect(first).not.toBeNull();
    expect(await store.lock(key, 60_000)).toBeNull();
    expect(await store.isLocked(key)).toBe(true);
    await first!.release();
    expect(await store.isLocked(key)).toBe(false);
    expect(await store.lock(key, 60_000)).not.toBeNull();
  });

  it('releases and extends a lock only for its owner: an expired holder cannot free the next one', async () => {
    const key = `${prefix}lock:owner`;
    const first = await store.lock(key, 40);
    expect(await eventually(async () => !(await store.isLocked(key)), 2000, 10)).toBe(true);
    const second = await store.lock(key, 60_000);
    expect(second).not.toBeNull();
    await first!.release();
    expect(await store.isLocked(key)).toBe(true);
    expect(await first!.extend(60_000)).toBe(false);
    expect(await second!.extend(60_000)).toBe(true);
    await second!.release();
    expect(await store.isLocked(key)).toBe(false);
  });

  it('counts hits in a fixed window', async () => {
    const key = `${prefix}hits`;
    const hits = [];
    for (let i = 0; i < 3; i++) hits.push(await store.hit(key, 60_000));
    expect(hits.map((h) => h.count)).toEqual([1, 2, 3]);
    expect(hits[2].resetMs).toBeGreaterThan(59_000);
    expect(hits[2].resetMs).toBeLessThanOrEqual(60_000);
    const short = `${prefix}hits:short`;
    await store.hit(short, 30);
    expect(await eventually(async () => (await store.hit(short, 30)).count === 1, 2000, 10)).toBe(true);
  });

  it('counts several hits at once, gives hits back, and keeps the window while doing so', async () => {
    const key = `${prefix}hits:by`;
    expect((await store.hit(key, 60_000, 3)).count).toBe(3);
    const back = await store.hit(key, 60_000, -1);
    expect(back.count).toBe(2);
    expect(back.resetMs).toBeGreaterThan(59_000);
    expect((await store.hit(key, 60_000)).count).toBe(3);
  });

  it('answers a ping', async () => {
    expect(await store.ping()).toBe(true);
  });
});

describe('choosing a store', () => {
  it('refuses two topologies at once, and names them', async () => {
    await expect(open({ redisUrl: REDIS_URL, redisClusterNodes: ['127.0.0.1:7000'] })).rejects.toThrow(
      'choose one shared store, not redisUrl and redisClusterNodes',
    );
  });

  it('refuses a cache with no Redis client behind it, saying what to pass', async () => {
    await expect(open({ cache: await caching('memory') })).rejects.toThrow(/pass its node-redis client as `redisClient`/);
  });

  it('refuses a redisClient that is not a node-redis client', async () => {
    await expect(open({ redisClient: { isOpen: true, connect: async () => undefined } })).rejects.toThrow(
      /must be a node-redis client/,
    );
  });

  it('uses a store of the host’s own as it is', async () => {
    const own = await open({});
    expect(await open({ store: own })).toBe(own);
  });
});
