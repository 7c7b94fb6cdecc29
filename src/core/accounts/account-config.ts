import { Problem } from '../problem.js';

/** `stable` (POST cgi-bin/stable_token, default) or `classic` (GET cgi-bin/token) */
export type TokenMode = 'stable' | 'classic';

/** One Official Account as configured: in `WECHAT_ACCOUNTS`, or `forRoot({ accounts })`. */
export interface WechatAccountConfig {
  appId: string;
  appSecret: string;
  /** host names this account's pages are on (`*.example.com` for subdomains); empty allows any host */
  jsDomains?: readonly string[];
  tokenMode?: TokenMode;
}

/** An account after validation. */
export interface WechatAccountSettings {
  readonly appId: string;
  readonly appSecret: string;
  readonly jsDomains: readonly string[];
  readonly tokenMode: TokenMode;
}

/** A bad entry: the message names where it is and which field, never a secret's value. */
export class AccountConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountConfigError';
  }
}

/** An appId goes into Redis keys and their hash tags: letters, digits, `_` and `-` only. */
export const APP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** An appId given on a route, checked: 400 VALIDATION_FAILED unless it could be an appId. */
export function requestedAppId(value: unknown): string {
  if (typeof value !== 'string' || !APP_ID_PATTERN.test(value)) {
    throw new Problem(400, 'VALIDATION_FAILED', 'appId must be 1-64 of A-Z a-z 0-9 _ -');
  }
  return value;
}

export function normaliseDomains(domains: readonly string[] | undefined): string[] {
  return (domains ?? []).map((d) => d.trim().toLowerCase()).filter(Boolean);
}

/**
 * Checks one entry of a list of accounts (`where` is e.g. `WECHAT_ACCOUNTS[2]`): an object with
 * an appId, an appSecret, optional jsDomains (strings) and tokenMode.
 */
export function accountFromEntry(entry: unknown, where: string, fallbackMode: TokenMode): WechatAccountSettings {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new AccountConfigError(`${where}: must be an object`);
  const e = entry as Record<string, unknown>;
  if (typeof e.appId !== 'string' || !APP_ID_PATTERN.test(e.appId)) {
    throw new AccountConfigError(`${where}.appId: is required, 1-64 of A-Z a-z 0-9 _ -`);
  }
  if (typeof e.appSecret !== 'string' || e.appSecret.length === 0)
    throw new AccountConfigError(`${where}.appSecret: is required`);
  if (e.jsDomains !== undefined && (!Array.isArray(e.jsDomains) || e.jsDomains.some((d) => typeof d !== 'string'))) {
    throw new AccountConfigError(`${where}.jsDomains: must be an array of host names`);
  }
  if (e.tokenMode !== undefined && e.tokenMode !== 'stable' && e.tokenMode !== 'classic') {
    throw new AccountConfigError(`${where}.tokenMode: must be stable or classic`);
  }
  return {
    appId: e.appId,
    appSecret: e.appSecret,
    jsDomains: normaliseDomains(e.jsDomains as string[] | undefined),
    tokenMode: (e.tokenMode as TokenMode | undefined) ?? fallbackMode,
  };
}

/**
 * The default account first (when given), then the listed ones; an appId may appear only once.
 * `name` is what the list is called in messages (`WECHAT_ACCOUNTS`, `accounts`).
 */
export function resolveAccountList(
  defaultAccount: WechatAccountSettings | undefined,
  entries: readonly unknown[],
  name: string,
  fallbackMode: TokenMode,
): WechatAccountSettings[] {
  const accounts = defaultAccount ? [defaultAccount] : [];
  const seen = new Map<string, string>(defaultAccount ? [[defaultAccount.appId, 'the default account']] : []);
  entries.forEach((entry, index) => {
    const account = accountFromEntry(entry, `${name}[${index}]`, fallbackMode);
    const first = seen.get(account.appId);
    if (first === 'the default account' && account.appSecret === defaultAccount!.appSecret) return;
    if (first !== undefined) throw new AccountConfigError(`${name}[${index}].appId: appears twice (also ${first})`);
    seen.set(account.appId, `${name}[${index}]`);
    accounts.push(account);
  });
  return accounts;
}
