import { diagnose, type DiagnoseInput, type Diagnosis } from './diagnosis.js';
import type { WechatAccount, WechatAccounts } from '../accounts/wechat-accounts.js';

/** How many other accounts' tickets a diagnosis compares with (each may cost one read of the shared store). */
const MAX_OTHER_ACCOUNTS = 50;

/**
 * Diagnoses a failed `wx.config` against the account that signs the page (the one named by
 * `appId` when it is configured, else the one the page's host belongs to), its current and
 * previous tickets, and the tickets the other accounts hold. Never calls WeChat.
 */
export async function diagnoseSignature(accounts: WechatAccounts, input: DiagnoseInput, nowSec: number): Promise<Diagnosis> {
  const account = accountFor(accounts, input);
  const { current, previous } = await account.tickets.held('jsapi');
  const others = await Promise.all(
    accounts
      .appIds()
      .filter((appId) => appId !== account.appId)
      .slice(0, MAX_OTHER_ACCOUNTS)
      .map(async (appId) => ({ appId, ticket: (await accounts.get(appId).tickets.held('jsapi')).current })),
  );
  return diagnose(
    input,
    { appId: account.appId, jsDomains: account.jsDomains, current, previous, others, knows: (appId) => accounts.has(appId) },
    nowSec,
  );
}

function accountFor(accounts: WechatAccounts, input: DiagnoseInput): WechatAccount {
  if (input.appId !== undefined && accounts.has(input.appId)) return accounts.get(input.appId);
  try {
    return accounts.forPage(input.entryUrl ?? input.url);
  } catch {
    return accounts.default; // several accounts claim the host: the default one is compared, others by their tickets
  }
}
