import { readFileSync } from 'node:fs';
import {
  AccountConfigError,
  resolveAccountList,
  type TokenMode,
  type WechatAccountSettings,
} from '../../core/accounts/account-config.js';

/**
 * The accounts of `WECHAT_ACCOUNTS` (inline JSON when it starts with `[` or `{`, else the path of a JSON
 * file) after the default account. A problem is one line naming the entry and field: never the
 * JSON itself (it holds secrets), so a parse error says only that it is not valid JSON.
 */
export function accountsFromEnv(
  raw: string | undefined,
  defaultAccount: WechatAccountSettings | undefined,
  tokenMode: TokenMode,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { accounts: WechatAccountSettings[]; problem?: string } {
  const fallback = { accounts: defaultAccount ? [defaultAccount] : [] };
  if (raw === undefined || raw.trim() === '') return fallback;
  // an object where a list belongs is still inline JSON: never read as a path (and printed)
  const inline = /^\s*[[{]/.test(raw);
  let text = raw;
  if (!inline) {
    try {
      text = read(raw.trim());
    } catch (error) {
      return {
        ...fallback,
        problem: `WECHAT_ACCOUNTS: cannot read the file ${raw.trim()} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      };
    }
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    return {
      ...fallback,
      problem: `WECHAT_ACCOUNTS: ${inline ? 'is' : 'the file holds'} not valid JSON (an array of { appId, appSecret, jsDomains?, tokenMode? })`,
    };
  }
  if (!Array.isArray(entries)) return { ...fallback, problem: 'WECHAT_ACCOUNTS: must be a JSON array of accounts' };
  try {
    return { accounts: resolveAccountList(defaultAccount, entries, 'WECHAT_ACCOUNTS', tokenMode) };
  } catch (error) {
    if (error instanceof AccountConfigError) return { ...fallback, problem: error.message };
    throw error;
  }
}
