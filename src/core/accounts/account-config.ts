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
  /** the Token of the account's server configuration (3-32 letters and digits): turns its message push on */
  messageToken?: string;
  /** its EncodingAESKey (43 characters): the compatible and safe modes */
  messageAesKey?: string;
}

/** An account after validation. */
export interface WechatAccountSettings {
  readonly appId: string;
  readonly appSecret: string;
  readonly jsDomains: readonly string[];
  readonly tokenMode: TokenMode;
  readonly messageToken?: string;
  readonly messageAesKey?: string;
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

/** WeChat's console accepts a Token of 3-32 letters and digits. */
export const MESSAGE_TOKEN_PATTERN = /^[A-Za-z0-9]{3,32}$/;
/** An EncodingAESKey: 43 base64 characters (a 32-byte key without its padding). */
export const MESSAGE_AES_KEY_PATTERN = /^[A-Za-z0-9+/]{43}$/;

/** The message settings of an entry, when given: a token of the console's shape, a key only with a token. */
function checkMessageKeys(e: Record<string, unknown>, where: string): void {
  if (e.messageToken !== undefined && (typeof e.messageToken !== 'string' || !MESSAGE_TOKEN_PATTERN.test(e.messageToken)))
    throw new AccountConfigError(`${where}.messageToken: must be 3-32 letters and digits`);
  if (e.messageAesKey === undefined) return;
  if (typeof e.messageAesKey !== 'string' || !MESSAGE_AES_KEY_PATTERN.test(e.messageAesKey))
    throw new AccountConfigError(`${where}.messageAesKey: must be the 43-character EncodingAESKey`);
  if (e.messageToken === undefined) throw new AccountConfigError(`${where}.messageAesKey: needs messageToken`);
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
  checkMessageKeys(e, where);
  return {
    appId: e.appId,
    appSecret: e.appSecret,
    jsDomains: normaliseDomains(e.jsDomains as string[] | undefined),
    tokenMode: (e.tokenMode as TokenMode | undefined) ?? fallbackMode,
    ...(e.messageToken !== undefined && { messageToken: e.messageToken as string }),
    ...(e.messageAesKey !== undefined && { messageAesKey: e.messageAesKey as string }),
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
