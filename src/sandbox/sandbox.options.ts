export interface SandboxAccount {
  appId: string;
  appSecret: string;
}

export interface SandboxOptions {
  accounts?: SandboxAccount[];
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
  /** Millisecond clock, injectable so tests never sleep. */
  now?: () => number;
}

export type ResolvedSandboxOptions = Required<SandboxOptions>;

export const SANDBOX_DEFAULT_ACCOUNT: Readonly<SandboxAccount> = Object.freeze({
  appId: 'wx5a0d8b0c1e2f3a4b',
  appSecret: 'sandbox-secret-0123456789abcdef',
});

export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const accounts = options.accounts?.length ? options.accounts.map((a) => ({ ...a })) : [{ ...SANDBOX_DEFAULT_ACCOUNT }];
  const ids = new Set(accounts.map((a) => a.appId));
  if (ids.size !== accounts.length) throw new Error('sandbox: duplicate appId in accounts');
  for (const a of accounts) {
    if (!a.appId || !a.appSecret) throw new Error('sandbox: every account needs appId and appSecret');
  }
  const resolved: ResolvedSandboxOptions = {
    accounts,
    tokenExpiresInSec: options.tokenExpiresInSec ?? 7200,
    ticketExpiresInSec: options.ticketExpiresInSec ?? 7200,
    graceSec: options.graceSec ?? 300,
    tokenDailyQuota: options.tokenDailyQuota ?? 2000,
    stableDailyQuota: options.stableDailyQuota ?? 500_000,
    forceRefreshDailyQuota: options.forceRefreshDailyQuota ?? 20,
    forceRefreshSpacingSec: options.forceRefreshSpacingSec ?? 30,
    ticketDailyQuota: options.ticketDailyQuota ?? 100_000,
    wrongSecretErrcode: options.wrongSecretErrcode ?? 40125,
    now: options.now ?? Date.now,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new Error(`sandbox: option ${key} must be a non-negative number`);
    }
  }
  return resolved;
}
