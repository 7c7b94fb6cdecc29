import { Injectable } from '@nestjs/common';
import type { ChooseCardConfig, ChooseCardParams, WxConfig, WxConfigOptions } from '../../core/jssdk/account-signer.js';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { diagnoseSignature } from '../../core/jssdk/account-diagnosis.js';
import { asHttpProblem } from '../http/http-problem.js';
import type { DiagnoseInput, Diagnosis } from '../../core/jssdk/diagnosis.js';

export type { ChooseCardConfig, ChooseCardParams, WxConfig, WxConfigOptions } from '../../core/jssdk/account-signer.js';

const rethrowAsHttp = (error: unknown): never => {
  throw asHttpProblem(error);
};

/** Which account signs: an explicit appId, else the account of the page's host, else the default. */
export interface AccountChoice {
  appId?: string;
}

/**
 * Builds what a page passes to `wx.config` / `wx.chooseCard`, for the account chosen by
 * `WechatAccounts.select`. The ticket never leaves. Its errors are HttpProblems (HttpExceptions
 * with the JSON error body): 400 INVALID_URL, DOMAIN_NOT_ALLOWED, UNKNOWN_ACCOUNT, ACCOUNT_REQUIRED
 * before any call to WeChat; 502 and 503 when WeChat refuses or cannot be reached.
 */
@Injectable()
export class SignatureService {
  constructor(private readonly accounts: WechatAccounts) {}

  async signConfig(url: unknown, opts: WxConfigOptions & AccountChoice = {}): Promise<WxConfig> {
    return this.configFor(url, opts);
  }

  /** signConfig without the promise when the ticket is in memory (the built-in route's fast path). */
  configFor(url: unknown, opts: WxConfigOptions & AccountChoice = {}): WxConfig | Promise<WxConfig> {
    try {
      const config = this.accounts.select(opts.appId, url).signature.configFor(url, opts);
      return config instanceof Promise ? config.catch(rethrowAsHttp) : config;
    } catch (error) {
      throw asHttpProblem(error);
    }
  }

  /**
   * Why `wx.config` failed for a page, from what the page saw (SPEC 3.6): recomputes the signatures
   * this service could have made; calls no WeChat API and reveals no ticket.
   */
  diagnose(input: DiagnoseInput): Promise<Diagnosis> {
    return diagnoseSignature(this.accounts, input, Math.floor(Date.now() / 1000));
  }

  /** Parameters of wx.chooseCard, signed with the wx_card api_ticket (app_id included). */
  async signChooseCard(params: ChooseCardParams & AccountChoice = {}): Promise<ChooseCardConfig> {
    try {
      return await this.accounts.get(params.appId).signature.signChooseCard(params);
    } catch (error) {
      throw asHttpProblem(error);
    }
  }
}
