import { Injectable } from '@nestjs/common';
import type { ChooseCardConfig, ChooseCardParams, WxConfig, WxConfigOptions } from '../../accounts/account-signer.js';
import { WechatAccounts } from '../../accounts/wechat-accounts.js';

export type { ChooseCardConfig, ChooseCardParams, WxConfig, WxConfigOptions } from '../../accounts/account-signer.js';

/** Which account signs: an explicit appId, else the account of the page's host, else the default. */
export interface AccountChoice {
  appId?: string;
}

/**
 * Builds what a page passes to `wx.config` / `wx.chooseCard`, for the account chosen by
 * `WechatAccounts.select`. The ticket never leaves. Throws HttpProblem 400 (INVALID_URL,
 * DOMAIN_NOT_ALLOWED, UNKNOWN_ACCOUNT, ACCOUNT_REQUIRED) before any call to WeChat.
 */
@Injectable()
export class SignatureService {
  constructor(private readonly accounts: WechatAccounts) {}

  async signConfig(url: unknown, opts: WxConfigOptions & AccountChoice = {}): Promise<WxConfig> {
    return this.configFor(url, opts);
  }

  /** signConfig without the promise when the ticket is in memory (the built-in route's fast path). */
  configFor(url: unknown, opts: WxConfigOptions & AccountChoice = {}): WxConfig | Promise<WxConfig> {
    return this.accounts.select(opts.appId, url).signature.configFor(url, opts);
  }

  /** Parameters of wx.chooseCard, signed with the wx_card api_ticket (app_id included). */
  signChooseCard(params: ChooseCardParams & AccountChoice = {}): Promise<ChooseCardConfig> {
    return this.accounts.get(params.appId).signature.signChooseCard(params);
  }
}
