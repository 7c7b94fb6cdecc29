import type { S3MediaStorageOptions } from '../../storage/s3-media.storage.js';
import { SANDBOX_DEFAULT_ACCOUNT, SANDBOX_WEBSITE_APP } from '../../sandbox/default-account.js';
import { randomBytes } from 'node:crypto';
import type { WechatAccountConfig, WechatAccountSettings } from '../../core/accounts/account-config.js';
import { accountsFromEnv } from './accounts-env.js';
import { type CredentialConsumer, parseConsumers } from '../../core/credentials/consumers.js';
import type { LogLevel } from '../logging.js';
import type { EnvironmentVariables } from './env.schema.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';
import { configurationProblems, commaList } from './config-problems.js';
import { paySettings, type PayConfig } from './pay-settings.js';
import { socketTimeoutOf } from './media-settings.js';
import { messageSettings, type MessagesConfig } from './message-settings.js';

/** The sandbox's built-in account, used when the simulator runs without configured credentials. */
export const SANDBOX_ACCOUNT = SANDBOX_DEFAULT_ACCOUNT;

/** Where the sandbox is mounted inside the service when it runs in sandbox mode. */
export const SANDBOX_MOUNT_PATH = '/sandbox';

/** Typed configuration, derived once from the validated environment. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  sandbox: boolean;
  /** the default account */
  appId: string;
  appSecret: string;
  /** the default account's message Token and EncodingAESKey (WECHAT_MESSAGE_TOKEN / _AES_KEY, or the sandbox's) */
  messageToken?: string;
  messageAesKey?: string;
  /** the other accounts of WECHAT_ACCOUNTS */
  accounts: WechatAccountConfig[];
  apiBaseUrl: string;
  openBaseUrl: string;
  tokenMode: 'stable' | 'classic';
  jsDomains: string[];
  httpTimeoutMs: number;
  redisUrl?: string;
  /** host:port seeds of a Redis Cluster */
  redisClusterNodes: string[];
  redisSentinel?: { sentinels: string[]; name: string };
  keyPrefix: string;
  /** the longest one Redis operation may take */
  redisCommandTimeoutMs: number;
  /** requests per client IP and minute to the limited routes; 0: no limit */
  rateLimitPerMinute: number;
  /** the longest a client may take to send a whole request */
  requestTimeoutMs: number;
  publicBaseUrl: string;
  oauthScope: 'snsapi_base' | 'snsapi_userinfo';
  /** the website application of the QR login (WECHAT_WEB_APP_ID / _SECRET, or the sandbox's); undefined: off */
  website?: { appId: string; appSecret: string };
  /** how long a computer's login handoff can be confirmed and redeemed, ms */
  handoffTtlMs: number;
  sessionSecret: string;
  mediaDir: string;
  /** largest media saved, bytes */
  mediaMaxBytes: number;
  mediaAccess: 'owner' | 'shared';
  mediaMaxPerUser: number;
  /** the S3-compatible store media go to (MEDIA_STORAGE=s3); undefined: the disk at mediaDir */
  mediaS3?: S3MediaStorageOptions;
  ffmpegPath: string;
  transcodeTimeoutMs: number;
  /** ffmpeg processes at once in this instance */
  transcodeConcurrency: number;
  /** how long a connection may stay silent (longer than any media request waits before answering) */
  socketTimeoutMs: number;
  corsOrigins: string[];
  /** which hops in front may report the client's address (TRUST_PROXY) */
  trustProxy: TrustProxy;
  logLevel: LogLevel;
  /** who may read credentials through the credential API; empty: no such routes */
  credentialApiConsumers: CredentialConsumer[];
  /** the message push (some account has a message token); undefined: no message routes */
  messages?: MessagesConfig;
  /** WeChat Pay (WECHAT_PAY_MCHID, or the sandbox's test merchant); undefined: pay is off */
  pay?: PayConfig;
  /** refreshes consumers' confirmed reports may cause per account and hour */
  credentialReportMaxPerHour: number;
  /** the central credential server this instance reads from, instead of WeChat */
  credentialSource?: { url: string; token: string };
  /** the proxy calls to WeChat go through (WECHAT_HTTP_PROXY, else HTTPS_PROXY; not in sandbox mode) */
  httpProxy?: string;
  /** the bearer /metrics asks for; undefined: open outside production, not served in production */
  metricsToken?: string;
  /** serve /metrics (off in production without METRICS_TOKEN: it names consumers and appIds) */
  metricsRoute: boolean;
  /** serve the OpenAPI description at /docs */
  openApiDocs: boolean;
  warnings: string[];
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

const stripSlash = (url: string) => url.replace(/\/+$/, '');

/** Loopback address the service can use to reach itself (for the mounted sandbox). */
export function selfAddress(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

export function resolveSandbox(env: EnvironmentVariables): boolean {
  if (env.WECHAT_SANDBOX === 'true') return true;
  if (env.WECHAT_SANDBOX === 'false') return false;
  return !env.WECHAT_APP_ID && !env.WECHAT_APP_SECRET && !env.WECHAT_ACCOUNTS && env.NODE_ENV !== 'production';
}

/** The default account (WECHAT_APP_ID, else the first of WECHAT_ACCOUNTS, else the sandbox's) and the others. */
function accountsOf(
  env: EnvironmentVariables,
  sandbox: boolean,
  jsDomains: string[],
): [WechatAccountSettings, ...WechatAccountSettings[]] {
  const tokenMode = env.WECHAT_TOKEN_MODE;
  const messageKeys = env.WECHAT_MESSAGE_TOKEN
    ? { messageToken: env.WECHAT_MESSAGE_TOKEN, messageAesKey: env.WECHAT_MESSAGE_AES_KEY }
    : {};
  const base =
    env.WECHAT_APP_ID && env.WECHAT_APP_SECRET
      ? { appId: env.WECHAT_APP_ID, appSecret: env.WECHAT_APP_SECRET, jsDomains, tokenMode, ...messageKeys }
      : sandbox && !env.WECHAT_ACCOUNTS
        ? { ...SANDBOX_ACCOUNT, jsDomains, tokenMode, ...messageKeys }
        : undefined;
  const { accounts, problem } = accountsFromEnv(env.WECHAT_ACCOUNTS, base, tokenMode);
  if (problem) throw new ConfigurationError([problem]);
  if (accounts.length === 0) throw new ConfigurationError(['WECHAT_ACCOUNTS: lists no account']);
  const [first, ...others] = accounts as [WechatAccountSettings, ...WechatAccountSettings[]];
  if (base || !messageKeys.messageToken) return [first, ...others];
  // the message variables belong to the default account, also when it is the first of WECHAT_ACCOUNTS
  if (first.messageToken)
    throw new ConfigurationError([
      'WECHAT_MESSAGE_TOKEN: the default account (WECHAT_ACCOUNTS[0]) has a messageToken of its own',
    ]);
  return [{ ...first, ...messageKeys }, ...others];
}

export function toAppConfig(env: EnvironmentVariables): AppConfig {
  const sandbox = resolveSandbox(env);
  const problems = configurationProblems(env, sandbox);
  if (problems.length) throw new ConfigurationError(problems);
  const publicBaseUrl = stripSlash(env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`);
  const trustProxy = (parseTrustProxy(env.TRUST_PROXY) as { value: TrustProxy }).value;
  const metricsRoute = env.NODE_ENV !== 'production' || env.METRICS_TOKEN !== undefined;
  const accounts = accountsOf(
    env,
    sandbox,
    commaList(env.WECHAT_JS_DOMAINS).map((d) => d.toLowerCase()),
  );
  const config: Omit<AppConfig, 'socketTimeoutMs'> = {
    nodeEnv: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    sandbox,
    ...wechatSettings(env, sandbox, publicBaseUrl, accounts),
    ...redisSettings(env),
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    publicBaseUrl,
    oauthScope: env.OAUTH_SCOPE,
    handoffTtlMs: env.HANDOFF_TTL_S * 1000,
    website:
      env.WECHAT_WEB_APP_ID && env.WECHAT_WEB_APP_SECRET
        ? { appId: env.WECHAT_WEB_APP_ID, appSecret: env.WECHAT_WEB_APP_SECRET }
        : sandbox
          ? { ...SANDBOX_WEBSITE_APP }
          : undefined,
    sessionSecret: env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    ...mediaSettings(env),
    corsOrigins: commaList(env.CORS_ORIGINS),
    trustProxy,
    logLevel: env.LOG_LEVEL,
    credentialApiConsumers: parseConsumers(env.CREDENTIAL_API_TOKENS).consumers,
    messages: messageSettings(env, accounts),
    pay: paySettings(env, sandbox, publicBaseUrl),
    credentialReportMaxPerHour: env.CREDENTIAL_REPORT_MAX_PER_HOUR,
    credentialSource:
      env.WECHAT_CREDENTIAL_SOURCE_URL && env.WECHAT_CREDENTIAL_SOURCE_TOKEN
        ? { url: env.WECHAT_CREDENTIAL_SOURCE_URL, token: env.WECHAT_CREDENTIAL_SOURCE_TOKEN }
        : undefined,
    httpProxy: sandbox ? undefined : env.WECHAT_HTTP_PROXY || env.HTTPS_PROXY || env.https_proxy || undefined,
    metricsToken: env.METRICS_TOKEN,
    metricsRoute,
    openApiDocs: env.OPENAPI_DOCS ?? env.NODE_ENV !== 'production',
    warnings: startupWarnings(env, publicBaseUrl, trustProxy, metricsRoute),
  };
  return { ...config, socketTimeoutMs: socketTimeoutOf(config) };
}

/** What production should hear about at start-up without being refused. */
function startupWarnings(
  env: EnvironmentVariables,
  publicBaseUrl: string,
  trustProxy: TrustProxy,
  metricsRoute: boolean,
): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const warnings: string[] = [];
  if (commaList(env.WECHAT_JS_DOMAINS).length === 0)
    warnings.push('WECHAT_JS_DOMAINS is empty: any host may be signed. List your JS safe domains.');
  if (publicBaseUrl.startsWith('https://') && trustProxy === false) {
    warnings.push(
      'PUBLIC_BASE_URL is https but TRUST_PROXY is false: behind a TLS-terminating proxy the Secure session ' +
        'cookie never comes back and logins cannot finish. Set TRUST_PROXY to the number of proxies (1) there.',
    );
  }
  if (!metricsRoute)
    warnings.push('METRICS_TOKEN is not set: /metrics is not served in production (it names consumers and appIds)');
  return warnings;
}

/** The accounts and where WeChat is: the built-in sandbox on this very service when it is on. */
function wechatSettings(
  env: EnvironmentVariables,
  sandbox: boolean,
  publicBaseUrl: string,
  [first, ...others]: [WechatAccountSettings, ...WechatAccountSettings[]],
) {
  return {
    appId: first.appId,
    appSecret: first.appSecret,
    messageToken: first.messageToken,
    messageAesKey: first.messageAesKey,
    accounts: others.map((a) => ({
      appId: a.appId,
      appSecret: a.appSecret,
      jsDomains: [...a.jsDomains],
      tokenMode: a.tokenMode,
      ...(a.messageToken && { messageToken: a.messageToken, messageAesKey: a.messageAesKey }),
    })),
    apiBaseUrl: sandbox ? selfAddress(env.HOST, env.PORT) + SANDBOX_MOUNT_PATH : stripSlash(env.WECHAT_API_BASE_URL),
    openBaseUrl: sandbox ? publicBaseUrl + SANDBOX_MOUNT_PATH : stripSlash(env.WECHAT_OPEN_BASE_URL),
    tokenMode: env.WECHAT_TOKEN_MODE,
    jsDomains: [...first.jsDomains],
    httpTimeoutMs: env.WECHAT_HTTP_TIMEOUT_MS,
  };
}

function redisSettings(env: EnvironmentVariables) {
  return {
    redisUrl: env.REDIS_URL || undefined,
    redisClusterNodes: commaList(env.REDIS_CLUSTER_NODES),
    redisSentinel: env.REDIS_SENTINEL_NAME
      ? { sentinels: commaList(env.REDIS_SENTINELS), name: env.REDIS_SENTINEL_NAME }
      : undefined,
    keyPrefix: env.CACHE_KEY_PREFIX,
    redisCommandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  };
}

function mediaSettings(env: EnvironmentVariables) {
  return {
    mediaDir: env.MEDIA_DIR,
    mediaMaxBytes: env.MEDIA_MAX_BYTES,
    mediaAccess: env.MEDIA_ACCESS,
    mediaMaxPerUser: env.MEDIA_MAX_PER_USER,
    mediaS3:
      env.MEDIA_STORAGE === 's3'
        ? {
            bucket: env.S3_BUCKET!,
            prefix: env.S3_PREFIX,
            ...(env.S3_ENDPOINT && { endpoint: env.S3_ENDPOINT }),
            ...(env.S3_REGION && { region: env.S3_REGION }),
            ...(env.S3_ACCESS_KEY_ID && { accessKeyId: env.S3_ACCESS_KEY_ID }),
            ...(env.S3_SECRET_ACCESS_KEY && { secretAccessKey: env.S3_SECRET_ACCESS_KEY }),
            forcePathStyle: env.S3_FORCE_PATH_STYLE,
            requestTimeoutMs: env.S3_REQUEST_TIMEOUT_MS,
          }
        : undefined,
    ffmpegPath: env.FFMPEG_PATH,
    transcodeTimeoutMs: env.MEDIA_TRANSCODE_TIMEOUT_MS,
    transcodeConcurrency: env.MEDIA_TRANSCODE_CONCURRENCY,
  };
}
