import type { GuardedConnection } from './redis-guard.js';

/**
 * A node-redis client a host hands in: v4 or v5, one node (`createClient`), a Cluster
 * (`createCluster`) or a Sentinel (`createSentinel`). Typed loosely on purpose, so that no major
 * version of node-redis is pinned by this package's public types; checked when the module starts.
 */
export interface NodeRedisClient {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
}

/** The commands the store sends: node-redis 4 and 5 spell them alike on every topology. */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { NX?: true; PX: number }): Promise<string | null>;
  del(key: string): Promise<number>;
  exists(key: string): Promise<number>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** What the store and the session store need of a client: its commands and its connection state. */
export interface RedisConnection extends GuardedConnection {
  readonly commands: RedisCommands;
}

interface ClientShape {
  isOpen: boolean;
  isReady?: boolean;
  connect(): Promise<unknown>;
  disconnect?(): Promise<unknown>;
  destroy?(): unknown;
  ping?(): Promise<unknown>;
  sendCommand?(...args: unknown[]): Promise<unknown>;
  masters?: unknown;
}

/** true for anything that looks like a node-redis client of one of the supported shapes */
export function isNodeRedisClient(value: unknown): value is NodeRedisClient {
  const client = value as Partial<ClientShape> | null;
  return (
    !!client &&
    typeof client === 'object' &&
    typeof client.connect === 'function' &&
    typeof client.isOpen === 'boolean' &&
    typeof (client as { get?: unknown }).get === 'function' &&
    typeof (client as { eval?: unknown }).eval === 'function'
  );
}

/**
 * The connection view of a node-redis client. A Cluster has no `isReady` and no key-less PING of
 * its own: it is ready while open, and PING goes to any node.
 */
export function redisConnection(client: NodeRedisClient): RedisConnection {
  const shape = client as unknown as ClientShape;
  const cluster = shape.masters !== undefined && typeof shape.sendCommand === 'function';
  return {
    commands: client as unknown as RedisCommands,
    get isReady() {
      return cluster ? shape.isOpen : shape.isReady === true;
    },
    get isOpen() {
      return shape.isOpen;
    },
    connect: () => shape.connect(),
    disconnect: async () => {
      if (typeof shape.disconnect === 'function') await shape.disconnect();
      else await shape.destroy?.();
    },
    ping: () => (cluster ? shape.sendCommand!(undefined, true, ['PING']) : shape.ping!()),
  };
}
