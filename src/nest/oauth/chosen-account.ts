import { requestedAppId } from '../../core/accounts/account-config.js';
import type { WechatAccounts } from '../../core/accounts/wechat-accounts.js';

/**
 * The account a login asks for by `?appId=`, checked (400 UNKNOWN_ACCOUNT before any session is
 * written); undefined for the default account, asked for or not.
 */
export function chosenAccount(accounts: WechatAccounts, appId: unknown): string | undefined {
  if (appId === undefined) return undefined;
  const account = accounts.get(requestedAppId(appId));
  return account === accounts.default ? undefined : account.appId;
}
