import type { Cache } from 'cache-manager';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './api/retry-policy.js';

export type TokenMode = 'stable' | 'classic';

/** What a host passes to WechatModule.forRoot / forRootAsync. */
export interface WechatModuleOptions {
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
  /** redis:// url of the shared cache; omitted: an in-process cache (one instance only) */
  redisUrl?: string;
  /** a cache-manager cache the host already has (Redis-backed for a cluster); wins over redisUrl */
  cache?: Cache;
  /** prefix of every key written; default `wechat:` */
  keyPrefix?: string;
  retryPolicy?: Partial<RetryPolicy>;
}

export interface ResolvedWechatOptions {
  appId: string;
  appSecret: string;
  apiBaseUrl: string;
  tokenMode: TokenMode;
  jsDomains: string[];
  httpTimeoutMs: number;
  redisUrl?: string;
  cache?: Cache;
  keyPrefix: string;
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
    redisUrl: o.redisUrl || undefined,
    cache: o.cache,
    keyPrefix: o.keyPrefix ?? 'wechat:',
    retryPolicy: { ...DEFAULT_RETRY_POLICY, ...o.retryPolicy },
  };
}
