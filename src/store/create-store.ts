import { createClient, createCluster, createSentinel } from 'redis';
import { RedisGuard } from './redis-guard.js';
import { CacheManagerStore, type CacheLike } from './cache-manager.store.js';
import { LocalStore } from './local-store.js';
import { NodeRedisStore } from './node-redis.store.js';
import { isNodeRedisClient, redisConnection, type NodeRedisClient } from './redis-connection.js';
import { RedisCoordination } from './redis-coordination.js';
import type { WechatStore } from '../core/wechat-store.js';

/** A Sentinel-managed Redis: the sentinels to ask and the name of the master they watch. */
export interface RedisSentinelOptions {
  /** `host:port` of each sentinel */
  sentinels: string[];
  /** the master's name in the sentinels' configuration */
  name: string;
}

/** Where the shared store lives. At most one of the Redis choices; `redisClient` may go with `cache`. */
export interface StoreTopology {
  /** one Redis node, e.g. redis://127.0.0.1:6379/0 */
  redisUrl?: string;
  /** `host:port` seeds of a Redis Cluster */
  redisClusterNodes?: string[];
  redisSentinel?: RedisSentinelOptions;
  /** the host's own node-redis client (v4 or v5; one node, Cluster or Sentinel); never closed by the module */
  redisClient?: NodeRedisClient;
  /** the host's cache-manager 5 or 7 cache (values through it; locks through the Redis client behind it) */
  cache?: CacheLike;
  /** a store of the host's own */
  store?: WechatStore;
}

export interface StoreOptions extends StoreTopology {
  /** the longest any one Redis operation may take */
  commandTimeoutMs: number;
  warn: (message: string) => void;
}

const CONNECT_WAIT_MS = 3000;

/** The store the options ask for; a contradictory or unusable choice is a start-up error. */
export async function createStore(options: StoreOptions): Promise<WechatStore> {
  checkTopology(options);
  if (options.store) return options.store;
  if (options.cache) return hostCacheStore(options.cache, options);
  if (options.redisClient) return hostClientStore(options.redisClient, options);
  if (options.redisClusterNodes?.length) return ownClientStore(clusterClient(options.redisClusterNodes), options);
  if (options.redisSentinel) return ownClientStore(sentinelClient(options.redisSentinel), options);
  if (options.redisUrl) return ownClientStore(createClient({ url: options.redisUrl, ...clientDefaults() }) as never, options);
  return new LocalStore();
}

/** Names the choices made; more than one (except a cache with its client) is refused. */
export function checkTopology(t: StoreTopology): void {
  const chosen = [
    t.redisUrl && 'redisUrl',
    t.redisClusterNodes?.length && 'redisClusterNodes',
    t.redisSentinel && 'redisSentinel',
    t.redisClient && !t.cache && 'redisClient',
    t.cache && 'cache',
    t.store && 'store',
  ].filter((name): name is string => typeof name === 'string');
  if (chosen.length > 1) {
    throw new Error(`WechatModule: choose one shared store, not ${chosen.join(' and ')} (a cache may come with its redisClient)`);
  }
  if (t.redisClient && !isNodeRedisClient(t.redisClient)) {
    throw new Error(
      'WechatModule: redisClient must be a node-redis client (createClient, createCluster or createSentinel of redis 4 or 5)',
    );
  }
  if (t.redisSentinel && (!t.redisSentinel.name || !t.redisSentinel.sentinels?.length)) {
    throw new Error('WechatModule: redisSentinel needs the master name and at least one sentinel host:port');
  }
}

async function hostCacheStore(cache: CacheLike, options: StoreOptions): Promise<WechatStore> {
  const client = options.redisClient ?? redisClientBehind(cache);
  if (!client) {
    throw new Error(
      'WechatModule: the cache passed in has no Redis client the module can find, and the locks of a ' +
        'cluster must live in Redis: pass its node-redis client as `redisClient` too, or pass no cache to keep ' +
        'everything in this process (one instance)',
    );
  }
  await untilReady(client, options);
  // the host owns the cache and its client: closing the store leaves them open
  return new CacheManagerStore(cache, coordination(client, options));
}

async function hostClientStore(client: NodeRedisClient, options: StoreOptions): Promise<WechatStore> {
  await untilReady(client, options);
  return new NodeRedisStore(coordination(client, options));
}

/**
 * A host's client may connect lazily (@keyv/redis opens its client on the first command): it is
 * opened now when nobody has, and waited for (bounded), so the first credentials go to Redis and
 * are shared, instead of the client being taken for down.
 */
async function untilReady(client: NodeRedisClient, options: StoreOptions): Promise<void> {
  const connection = redisConnection(client);
  if (connection.isReady) return;
  if (!connection.isOpen) client.connect().catch(() => undefined);
  const deadline = Date.now() + CONNECT_WAIT_MS;
  while (!connection.isReady && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10).unref());
  if (!connection.isReady) options.warn('the Redis client handed in is not connected yet; serving from this process until it is');
}

/**
 * The node-redis client behind a cache: cache-manager 5 with cache-manager-redis-yet keeps it at
 * `store.client`; cache-manager 7 keeps Keyv instances in `stores`, and @keyv/redis keeps it at
 * `store.client` of one of them.
 */
export function redisClientBehind(cache: CacheLike): NodeRedisClient | undefined {
  const candidates: unknown[] = [];
  const legacy = (cache as { store?: { client?: unknown } }).store;
  candidates.push(legacy?.client);
  for (const keyv of (cache as { stores?: Array<{ store?: { client?: unknown } }> }).stores ?? [])
    candidates.push(keyv?.store?.client);
  return candidates.find(isNodeRedisClient);
}

function coordination(client: NodeRedisClient, options: StoreOptions): RedisCoordination {
  const connection = redisConnection(client);
  return new RedisCoordination(
    connection,
    new RedisGuard(connection, { commandTimeoutMs: options.commandTimeoutMs, warn: options.warn }),
  );
}

// while disconnected, commands fail at once instead of queueing behind the outage
const clientDefaults = () => ({
  disableOfflineQueue: true,
  socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
});

function hostPort(seed: string): { host: string; port: number } {
  const [host, port] = seed.trim().split(/:(?=\d+$)/);
  return { host: host!, port: Number(port ?? 6379) };
}

function clusterClient(seeds: string[]): NodeRedisClient {
  return createCluster({
    rootNodes: seeds.map((seed) => {
      const { host, port } = hostPort(seed);
      return { socket: { host, port } };
    }),
    defaults: clientDefaults(),
  }) as unknown as NodeRedisClient;
}

function sentinelClient({ sentinels, name }: RedisSentinelOptions): NodeRedisClient {
  return createSentinel({
    name,
    sentinelRootNodes: sentinels.map(hostPort),
    nodeClientOptions: clientDefaults(),
    sentinelClientOptions: { socket: clientDefaults().socket },
  }) as unknown as NodeRedisClient;
}

async function connectBounded(client: NodeRedisClient, options: StoreOptions): Promise<void> {
  (client as unknown as { on(event: string, listener: (error: Error) => void): void }).on('error', throttled(options.warn));
  const connecting = client.connect().catch(() => undefined);
  await Promise.race([connecting, new Promise<void>((resolve) => setTimeout(resolve, CONNECT_WAIT_MS).unref())]);
  if (!redisConnection(client).isReady) options.warn('Redis is not reachable yet; serving from this process until it is');
}

async function ownClientStore(client: NodeRedisClient, options: StoreOptions): Promise<WechatStore> {
  await connectBounded(client, options);
  return new NodeRedisStore(coordination(client, options), () => closeClient(client));
}

function throttled(warn: (message: string) => void): (error: Error) => void {
  let last = 0;
  return (error) => {
    if (Date.now() - last > 5000) warn(`Redis connection problem: ${error.message}`);
    last = Date.now();
  };
}

/** A clean close waits for a connection that may never come back: bounded, then the sockets are dropped. */
async function closeClient(client: NodeRedisClient): Promise<void> {
  const shape = client as unknown as { close?(): Promise<unknown>; quit?(): Promise<unknown>; isReady?: boolean };
  const connection = redisConnection(client);
  if (connection.isReady) {
    const bounded = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
    const closing = typeof shape.close === 'function' ? shape.close() : shape.quit?.();
    await Promise.race([Promise.resolve(closing).catch(() => undefined), bounded]);
  }
  if (client.isOpen) await connection.disconnect().catch(() => undefined);
}
