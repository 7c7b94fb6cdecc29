import {
  AccountConfigError,
  accountFromEntry,
  resolveAccountList,
  type TokenMode,
  type WechatAccountConfig,
  type WechatAccountSettings,
} from '../core/accounts/account-config.js';
import {
  type CredentialSource,
  RemoteCredentialSource,
  type RemoteCredentialSourceOptions,
} from '../core/credentials/credential-source.js';
import type { StoreTopology } from '../store/create-store.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retry-policy.js';
import { type ProxySettings, proxySettings } from '../transport/egress-proxy.js';

export type { TokenMode } from '../core/accounts/account-config.js';

/**
 * What a host passes to WechatModule.forRoot / forRootAsync. The shared store (StoreTopology) is
 * one of: `redisUrl`, `redisClusterNodes`, `redisSentinel`, `redisClient`, `cache` (with its
 * `redisClient` when the module cannot find it), `store`; none keeps everything in this process.
 */
export interface WechatModuleOptions extends StoreTopology {
  /** the default account; may be left out when `accounts` lists at least one (the first is then the default) */
  appId?: string;
  appSecret?: string;
  /** further Official Accounts served by the same module (see WechatAccounts) */
  accounts?: readonly WechatAccountConfig[];
  /** base of WeChat's server API; default https://api.weixin.qq.com */
  apiBaseUrl?: string;
  /** `stable` (POST cgi-bin/stable_token, default) or `classic` (GET cgi-bin/token) */
  tokenMode?: TokenMode;
  /** host names the default account's pages may be on; empty allows any host */
  jsDomains?: readonly string[];
  /** the default account's message Token and EncodingAESKey (MessagesModule) */
  messageToken?: string;
  messageAesKey?: string;
  /** timeout of one call to WeChat, ms; default 5000 */
  httpTimeoutMs?: number;
  /** prefix of every key written; default `wechat:` */
  keyPrefix?: string;
  /** the longest one Redis operation may take, ms; past it Redis counts as down for that call; default 1000 */
  redisCommandTimeoutMs?: number;
  /** requests per client IP and minute to the limited routes (login, media saves); 0 turns limits off; default 300 */
  rateLimitPerMinute?: number;
  retryPolicy?: Partial<RetryPolicy>;
  /**
   * Read access_tokens and tickets from a central credential server instead of WeChat: the url
   * and bearer of a service running CredentialApiModule, or any CredentialSource. A token WeChat
   * rejects is then reported to it rather than refreshed here.
   */
  credentialSource?: CredentialSource | RemoteCredentialSourceOptions;
  /**
   * An HTTP proxy every call to WeChat goes through (`http://[user:password@]host:port`); HTTPS
   * calls are tunnelled with CONNECT, so the proxy sees neither secrets nor tokens. WeChat answers
   * only whitelisted IPs (40164): this gives a cluster one fixed egress address.
   */
  httpProxy?: string;
}

export interface ResolvedWechatOptions {
  topology: StoreTopology;
  /** every account, the default first */
  accounts: WechatAccountSettings[];
  /** the default account's */
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
  credentialSource?: CredentialSource;
  httpProxy?: ProxySettings;
}

export const WECHAT_OPTIONS = Symbol('WECHAT_OPTIONS');

export function resolveWechatOptions(o: WechatModuleOptions): ResolvedWechatOptions {
  const accounts = resolveAccounts(o);
  const [first] = accounts;
  const httpTimeoutMs = o.httpTimeoutMs ?? 5000;
  return {
    accounts,
    appId: first.appId,
    appSecret: first.appSecret,
    apiBaseUrl: (o.apiBaseUrl ?? 'https://api.weixin.qq.com').replace(/\/+$/, ''),
    tokenMode: first.tokenMode,
    jsDomains: [...first.jsDomains],
    httpTimeoutMs,
    topology: {
      redisUrl: o.redisUrl || undefined,
      redisClusterNodes: o.redisClusterNodes,
      redisSentinel: o.redisSentinel,
      redisClient: o.redisClient,
      cache: o.cache,
      store: o.store,
    },
    keyPrefix: o.keyPrefix ?? 'wechat:',
    redisCommandTimeoutMs: positive(o.redisCommandTimeoutMs ?? 1000, 'redisCommandTimeoutMs'),
    rateLimitPerMinute: atLeastZero(o.rateLimitPerMinute ?? 300, 'rateLimitPerMinute'),
    retryPolicy: { ...DEFAULT_RETRY_POLICY, ...o.retryPolicy },
    credentialSource: credentialSourceOf(o.credentialSource, httpTimeoutMs),
    httpProxy: o.httpProxy ? egressOf(o.httpProxy) : undefined,
  };
}

function credentialSourceOf(source: WechatModuleOptions['credentialSource'], timeoutMs: number): CredentialSource | undefined {
  if (!source) return undefined;
  if ('fetch' in source && typeof source.fetch === 'function') return source;
  try {
    return new RemoteCredentialSource({ timeoutMs, ...(source as RemoteCredentialSourceOptions) });
  } catch (error) {
    throw new Error(`WechatModule: ${(error as Error).message}`);
  }
}

/** The default account of appId/appSecret (when given) first, then `accounts`; at least one. */
function resolveAccounts(o: WechatModuleOptions): [WechatAccountSettings, ...WechatAccountSettings[]] {
  const mode = o.tokenMode ?? 'stable';
  if (!o.appId !== !o.appSecret) throw new Error('WechatModule: appId and appSecret go together');
  try {
    const defaultAccount =
      o.appId && o.appSecret
        ? accountFromEntry(
            {
              appId: o.appId,
              appSecret: o.appSecret,
              jsDomains: o.jsDomains ?? [],
              tokenMode: mode,
              messageToken: o.messageToken,
              messageAesKey: o.messageAesKey,
            },
            'the default account',
            mode,
          )
        : undefined;
    const accounts = resolveAccountList(defaultAccount, o.accounts ?? [], 'accounts', mode);
    if (accounts.length === 0)
      throw new Error('WechatModule: appId and appSecret are required (or at least one entry in accounts)');
    return accounts as [WechatAccountSettings, ...WechatAccountSettings[]];
  } catch (error) {
    if (error instanceof AccountConfigError) throw new Error(`WechatModule: ${error.message}`);
    throw error;
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`WechatModule: ${name} must be a positive number`);
  return value;
}

function atLeastZero(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`WechatModule: ${name} must be a whole number, 0 or more`);
  return value;
}

function egressOf(raw: string): ProxySettings {
  try {
    return proxySettings(raw);
  } catch (error) {
    throw new Error(`WechatModule: ${(error as Error).message}`);
  }
}
