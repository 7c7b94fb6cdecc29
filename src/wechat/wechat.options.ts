import type { StoreTopology } from '../store/create-store.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './api/retry-policy.js';

export type TokenMode = 'stable' | 'classic';

/**
 * What a host passes to WechatModule.forRoot / forRootAsync. The shared store (StoreTopology) is
 * one of: `redisUrl`, `redisClusterNodes`, `redisSentinel`, `redisClient`, `cache` (with its
 * `redisClient` when the module cannot find it), `store`; none keeps everything in this process.
 */
export interface WechatModuleOptions extends StoreTopology {
  appId: string;
  appSecret: string;
  /** base of WeChat's server API; default https://api.weixin.qq.com */
  apiBaseUrl?: string;
  /** `stable` (POST cgi-bin/stable_token, default) or `classic` (GET cgi-bin/token) */
  tokenMode?: TokenMode;
  /** host names that may be signed; empty allows any host */
  jsDomains?: string[];
  /** timeout of one call to WeChat, ms; default 5000 */
  httpTimeoutMs?: number;
  /** prefix of every key written; default `wechat:` */
  keyPrefix?: string;
  /** the longest one Redis operation may take, ms; past it Redis counts as down for that call; default 1000 */
  redisCommandTimeoutMs?: number;
  /** requests per client IP and minute to the limited routes (login, media saves); 0 turns limits off; default 300 */
  rateLimitPerMinute?: number;
  retryPolicy?: Partial<RetryPolicy>;
}

export interface ResolvedWechatOptions {
  topology: StoreTopology;
  appId: string;
  appSecret: string;
  apiBaseUrl: string;
  tokenMode: TokenMode;
  jsDomains: string[];
  httpTimeoutMs: number;
  keyPrefix: string;
  redisCommandTimeoutMs: number;
  rateLimitPerMinute: number;
  retryPolicy: RetryPolicy;
}

export const WECHAT_OPTIONS = Symbol('WECHAT_OPTIONS');

export function resolveWechatOptions(o: WechatModuleOptions): ResolvedWechatOptions {
  if (!o.appId || !o.appSecret) throw new Error('WechatModule: appId and appSecret are required');
  return {
    appId: o.appId,
    appSecret: o.appSecret,
    apiBaseUrl: (o.apiBaseUrl ?? 'https://api.weixin.qq.com').replace(/\/+$/, ''),
    tokenMode: o.tokenMode ?? 'stable',
    jsDomains: (o.jsDomains ?? []).map((d) => d.trim().toLowerCase()).filter(Boolean),
    httpTimeoutMs: o.httpTimeoutMs ?? 5000,
    topology: {
      redisUrl: o.redisUrl || undefined, redisClusterNodes: o.redisClusterNodes, redisSentinel: o.redisSentinel,
      redisClient: o.redisClient, cache: o.cache, store: o.store,
    },
    keyPrefix: o.keyPrefix ?? 'wechat:',
    redisCommandTimeoutMs: positive(o.redisCommandTimeoutMs ?? 1000, 'redisCommandTimeoutMs'),
    rateLimitPerMinute: atLeastZero(o.rateLimitPerMinute ?? 300, 'rateLimitPerMinute'),
    retryPolicy: { ...DEFAULT_RETRY_POLICY, ...o.retryPolicy },
  };
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`WechatModule: ${name} must be a positive number`);
  return value;
}

function atLeastZero(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`WechatModule: ${name} must be a whole number, 0 or more`);
  return value;
}
