import { caching } from 'cache-manager';
import { redisInsStore } from 'cache-manager-redis-yet';
import { createClient, type RedisClientType } from 'redis';
import { eventually } from '../../test/support/eventually.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../test/support/redis-keys.js';
import { RedisGuard } from '../redis/redis-guard.js';
import { CacheManagerStore, type NodeRedisCommands } from './cache-manager.store.js';
import type { WechatStore } from './wechat-store.js';

interface Subject {
  store: WechatStore;
  close(): Promise<void>;
}

async function memoryStore(): Promise<Subject> {
  return { store: new CacheManagerStore(await caching('memory', { max: 100, ttl: 60_000 }), undefined), close: async () => undefined };
}

async function redisStore(): Promise<Subject> {
  const client = createClient({ url: REDIS_URL }) as RedisClientType;
  await client.connect();
  const commands = client as unknown as NodeRedisCommands;
  const store = new CacheManagerStore(await caching(redisInsStore(client)), {
    client: commands, guard: new RedisGuard(commands, { commandTimeoutMs: 1000 }),
  }, () => client.quit().then(() => undefined));
  return { store, close: () => store.close() };
}

describe.each([
  ['in this process', memoryStore],
  ['on a real Redis', redisStore],
])('WechatStore %s', (_where, open) => {
  let subject: Subject;
  let store: WechatStore;
  const prefix = uniquePrefix('store');
  beforeAll(async () => {
    subject = await open();
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

  it('answers a ping', async () => {
    expect(await store.ping()).toBe(true);
  });
});
