import {
  SANDBOX_DEFAULT_ACCOUNT,
  SANDBOX_WEBSITE_APP,
  sandboxOriginalId,
  type SandboxAccount,
  type SandboxWebsiteApp,
} from './default-account.js';
import { messageSettingsProblem } from './messages/message-accounts.js';
import { resolveSandboxPayOptions, type SandboxPayOptions, type ResolvedSandboxPayOptions } from './pay/pay-options.js';
import { resolveSandboxUsers, SANDBOX_USERS, type SandboxUser, type SandboxUserConfig } from './test-users.js';

export { SANDBOX_DEFAULT_ACCOUNT, SANDBOX_WEBSITE_APP, type SandboxAccount, type SandboxWebsiteApp };

export interface SandboxOptions {
  accounts?: SandboxAccount[];
  /** Open Platform website applications (网站应用): QR login with snsapi_login (default SANDBOX_WEBSITE_APP) */
  websiteApps?: SandboxWebsiteApp[];
  tokenExpiresInSec?: number;
  ticketExpiresInSec?: number;
  /** Old/new overlap window (WeChat: 5 minutes). */
  graceSec?: number;
  /** Classic cgi-bin/token calls per appId per UTC day. */
  tokenDailyQuota?: number;
  stableDailyQuota?: number;
  forceRefreshDailyQuota?: number;
  forceRefreshSpacingSec?: number;
  ticketDailyQuota?: number;
  /** Both codes are documented for a wrong secret; real captures show 40125. */
  wrongSecretErrcode?: 40125 | 40001;
  /** Test users for web OAuth (default SANDBOX_USERS); the first one is the default user. */
  users?: SandboxUserConfig[];
  /** Lifetime of an unused OAuth code (WeChat: 5 minutes). */
  codeTtlSec?: number;
  /** SDK captures show both for an expired code. */
  expiredCodeErrcode?: 40029 | 42003;
  webTokenExpiresInSec?: number;
  /** WeChat: 30 days. */
  refreshTokenExpiresInSec?: number;
  /** Lifetime of temporary media from registration (WeChat: 3 days). */
  mediaTtlSec?: number;
  /** media/get + media/get/jssdk calls per appId per UTC day (WeChat: 10000). */
  mediaDailyQuota?: number;
  /** Millisecond clock, injectable so tests never sleep. */
  now?: () => number;
  /** The WeChat Pay APIv3 simulator: its test merchant, keys and notification timing. */
  pay?: SandboxPayOptions;
  /** How long a message push waits for the answer before the next try (WeChat: 5000 ms); tests shrink it. */
  messageReplyWaitMs?: number;
}

export type ResolvedSandboxOptions = Required<Omit<SandboxOptions, 'users' | 'pay'>> & {
  users: SandboxUser[];
  pay: ResolvedSandboxPayOptions;
};

export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const given = options.accounts?.length ? options.accounts : [SANDBOX_DEFAULT_ACCOUNT];
  const accounts = given.map((a) => ({ ...a, originalId: a.originalId ?? sandboxOriginalId(a.appId) }));
  const ids = new Set(accounts.map((a) => a.appId));
  if (ids.size !== accounts.length) throw new Error('sandbox: duplicate appId in accounts');
  for (const a of accounts) {
    if (!a.appId || !a.appSecret) throw new Error('sandbox: every account needs appId and appSecret');
    const problem = messageSettingsProblem(a);
    if (problem) throw new Error(`sandbox: ${problem}`);
  }
  const websiteApps = options.websiteApps?.length ? options.websiteApps : [SANDBOX_WEBSITE_APP];
  for (const w of websiteApps) {
    if (!w.appId || !w.appSecret) throw new Error('sandbox: every website application needs appId and appSecret');
    if (ids.has(w.appId)) throw new Error(`sandbox: ${w.appId} is both an account and a website application`);
  }
  const resolved: ResolvedSandboxOptions = {
    accounts,
    websiteApps,
    tokenExpiresInSec: options.tokenExpiresInSec ?? 7200,
    ticketExpiresInSec: options.ticketExpiresInSec ?? 7200,
    graceSec: options.graceSec ?? 300,
    tokenDailyQuota: options.tokenDailyQuota ?? 2000,
    stableDailyQuota: options.stableDailyQuota ?? 500_000,
    forceRefreshDailyQuota: options.forceRefreshDailyQuota ?? 20,
    forceRefreshSpacingSec: options.forceRefreshSpacingSec ?? 30,
    ticketDailyQuota: options.ticketDailyQuota ?? 100_000,
    wrongSecretErrcode: options.wrongSecretErrcode ?? 40125,
    users: resolveSandboxUsers(options.users?.length ? options.users : SANDBOX_USERS, accounts[0].appId),
    codeTtlSec: options.codeTtlSec ?? 300,
    expiredCodeErrcode: options.expiredCodeErrcode ?? 40029,
    webTokenExpiresInSec: options.webTokenExpiresInSec ?? 7200,
    refreshTokenExpiresInSec: options.refreshTokenExpiresInSec ?? 30 * 24 * 3600,
    mediaTtlSec: options.mediaTtlSec ?? 3 * 24 * 3600,
    mediaDailyQuota: options.mediaDailyQuota ?? 10_000,
    now: options.now ?? Date.now,
    pay: resolveSandboxPayOptions(options.pay),
    messageReplyWaitMs: options.messageReplyWaitMs ?? 5000,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new Error(`sandbox: option ${key} must be a non-negative number`);
    }
  }
  return resolved;
}
