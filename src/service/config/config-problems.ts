import { parseConsumers } from '../../core/credentials/consumers.js';
import type { EnvironmentVariables } from './env.schema.js';
import { parseTrustProxy } from './trust-proxy.js';
import { payProblems } from './pay-settings.js';
import { messageProblems } from './message-settings.js';

/** A comma-separated variable as its trimmed, non-empty entries. */
export const commaList = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Rules across variables; each problem names its variable. */
export function configurationProblems(env: EnvironmentVariables, sandbox: boolean): string[] {
  const problems: string[] = [];
  const hasId = !!env.WECHAT_APP_ID;
  const hasSecret = !!env.WECHAT_APP_SECRET;
  if (hasId !== hasSecret) {
    problems.push(
      `${hasId ? 'WECHAT_APP_SECRET' : 'WECHAT_APP_ID'}: is required when ${hasId ? 'WECHAT_APP_ID' : 'WECHAT_APP_SECRET'} is set`,
    );
  } else if (!sandbox && !hasId && !env.WECHAT_ACCOUNTS) {
    problems.push(
      env.NODE_ENV === 'production'
        ? 'WECHAT_APP_ID: is required in production (with WECHAT_APP_SECRET), or WECHAT_ACCOUNTS'
        : 'WECHAT_APP_ID: is required (with WECHAT_APP_SECRET, or WECHAT_ACCOUNTS) when WECHAT_SANDBOX=false',
    );
  }
  if (env.NODE_ENV === 'production' && (env.SESSION_SECRET ?? '').length < 32) {
    problems.push('SESSION_SECRET: is required in production and must be at least 32 characters');
  } else if (env.SESSION_SECRET !== undefined && env.SESSION_SECRET.length < 32) {
    problems.push('SESSION_SECRET: must be at least 32 characters');
  }
  if (!!env.WECHAT_WEB_APP_ID !== !!env.WECHAT_WEB_APP_SECRET) {
    const [missing, given] = env.WECHAT_WEB_APP_ID
      ? ['WECHAT_WEB_APP_SECRET', 'WECHAT_WEB_APP_ID']
      : ['WECHAT_WEB_APP_ID', 'WECHAT_WEB_APP_SECRET'];
    problems.push(`${missing}: is required when ${given} is set (the website application's QR login)`);
  }
  if (env.MEDIA_STORAGE === 's3' && !env.S3_BUCKET) problems.push('S3_BUCKET: is required when MEDIA_STORAGE=s3');
  if (!!env.S3_ACCESS_KEY_ID !== !!env.S3_SECRET_ACCESS_KEY) {
    problems.push(
      `${env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'}: is required when ${env.S3_ACCESS_KEY_ID ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY'} is set`,
    );
  }
  if (sandbox && env.PORT === 0) {
    problems.push('PORT: must be a fixed port in sandbox mode (the built-in simulator is served on it)');
  }
  problems.push(...redisProblems(env), ...credentialProblems(env));
  if (env.NODE_ENV === 'production') problems.push(...productionProblems(env));
  problems.push(...payProblems(env, sandbox));
  problems.push(...messageProblems(env));
  for (const problem of parseConsumers(env.PAY_ADMIN_TOKENS).problems) problems.push(`PAY_ADMIN_TOKENS: ${problem}`);
  return problems;
}

/** One Redis topology at most; Sentinel needs both its variables. */
function redisProblems(env: EnvironmentVariables): string[] {
  const set = [
    env.REDIS_URL && 'REDIS_URL',
    env.REDIS_CLUSTER_NODES.trim() && 'REDIS_CLUSTER_NODES',
    env.REDIS_SENTINELS.trim() && 'REDIS_SENTINELS',
  ].filter(Boolean);
  const problems: string[] = [];
  if (set.length > 1) problems.push(`${set[1]}: set only one Redis topology (${set.join(' and ')} are both set)`);
  if (env.REDIS_SENTINELS.trim() && !env.REDIS_SENTINEL_NAME)
    problems.push('REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS');
  if (env.REDIS_SENTINEL_NAME && !env.REDIS_SENTINELS.trim())
    problems.push('REDIS_SENTINELS: is required with REDIS_SENTINEL_NAME');
  return problems;
}

/** The credential API's consumers must parse; a credential source needs its url and token together. */
function credentialProblems(env: EnvironmentVariables): string[] {
  const problems = parseConsumers(env.CREDENTIAL_API_TOKENS).problems.map((p) => `CREDENTIAL_API_TOKENS: ${p}`);
  const hasUrl = !!env.WECHAT_CREDENTIAL_SOURCE_URL;
  if (hasUrl !== !!env.WECHAT_CREDENTIAL_SOURCE_TOKEN) {
    problems.push(
      hasUrl
        ? 'WECHAT_CREDENTIAL_SOURCE_TOKEN: is required with WECHAT_CREDENTIAL_SOURCE_URL'
        : 'WECHAT_CREDENTIAL_SOURCE_URL: is required with WECHAT_CREDENTIAL_SOURCE_TOKEN',
    );
  }
  return problems;
}

/** What production refuses: each of these is a mistake that would only show once users arrive. */
function productionProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  const secret = env.SESSION_SECRET ?? '';
  if (secret.length >= 32 && new Set(secret).size < 8) {
    problems.push('SESSION_SECRET: must be random: it has fewer than 8 distinct characters');
  }
  if (env.WECHAT_SANDBOX === 'true') {
    problems.push('WECHAT_SANDBOX: must not be true in production (the simulator and its fault routes would be public)');
  }
  if (env.PUBLIC_BASE_URL !== undefined && !isBareOrigin(env.PUBLIC_BASE_URL)) {
    problems.push('PUBLIC_BASE_URL: must be an origin only, such as https://h5.example.com (no path, query or fragment)');
  }
  if (commaList(env.CORS_ORIGINS).includes('*')) {
    problems.push("CORS_ORIGINS: must list origins in production; * would let any site call the API with the user's cookie");
  }
  const trust = parseTrustProxy(env.TRUST_PROXY);
  if ('value' in trust && trust.value === true) {
    problems.push(
      'TRUST_PROXY: must not be true in production: every X-Forwarded-For entry would be believed, so a client ' +
        'could pick its own address and dodge the rate limits; give the number of proxies (1) or their IPs/CIDRs',
    );
  }
  return problems;
}

/** scheme://host[:port], at most a trailing slash: no user info, path, query or fragment. */
const isBareOrigin = (url: string) => /^https?:\/\/[^/?#@\\]+\/?$/i.test(url);
