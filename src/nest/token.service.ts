import { Injectable } from '@nestjs/common';
import { WechatAccounts } from '../core/accounts/wechat-accounts.js';

/**
 * The access_token of an account (the default one when no appId is given): cached cluster-wide,
 * fetched once per window. A thin door to `WechatAccounts.get(appId).tokens`.
 */
@Injectable()
export class TokenService {
  constructor(private readonly accounts: WechatAccounts) {}

  getAccessToken(appId?: string): Promise<string> {
    return this.accounts.get(appId).tokens.getAccessToken();
  }

  /** WeChat said `rejected` is invalid: adopt a newer token or refresh (compare-before-refresh). */
  replaceAccessToken(rejected: string, appId?: string): Promise<string> {
    return this.accounts.get(appId).tokens.replaceAccessToken(rejected);
  }

  /** Runs a call that needs the token; on 40001/40014/42001 it gets a newer token and retries once. */
  withAccessToken<T>(call: (accessToken: string) => Promise<T>, appId?: string): Promise<T> {
    return this.accounts.get(appId).tokens.withAccessToken(call);
  }
}
