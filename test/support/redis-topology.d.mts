export function cli(port: number, ...args: string[]): Promise<string>;
/** Resolves once the node on `port` no longer answers PING within `withinMs` (it sleeps or stalls). */
export function stopsAnswering(port: number, withinMs?: number): Promise<void>;

export interface RedisClusterHandle {
  /** `127.0.0.1:port` of each master */
  nodes: string[];
  ports: number[];
  pids: number[];
  stop(): Promise<void>;
}
export function startRedisCluster(masters?: number): Promise<RedisClusterHandle>;

export interface RedisSentinelHandle {
  name: string;
  /** `127.0.0.1:port` of each sentinel */
  sentinels: string[];
  masterPort: number;
  replicaPort: number;
  currentMasterPort(): Promise<number>;
  killMaster(): Promise<void>;
  failedOver(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}
export function startRedisSentinel(name?: string): Promise<RedisSentinelHandle>;

export interface RedisNodeHandle {
  port: number;
  url: string;
  pid: number;
  stop(): Promise<void>;
}
/** One Redis node of its own on a free loopback port. */
export function startRedisNode(): Promise<RedisNodeHandle>;
