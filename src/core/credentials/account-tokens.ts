import { WechatApiError, WechatUnavailableError } from '../wechat-api.error.js';
import type { CredentialSource } from './credential-source.js';
import type { CredentialCache, FetchedCredential } from './credential-cache.js';
import { isPlausibleCredential, type StoredCredential } from './credential-store.js';
import type { BudgetRule, RefreshBudget } from './refresh-budget.js';
import type { WechatAccountSettings } from '../accounts/account-config.js';
import type { Logger, CallContext, Transport } from '../ports.js';

/** WeChat allows 20 force refreshes a day; half is kept back for a person who must revoke a leaked token. */
export const FORCE_REFRESH_RULE: BudgetRule = { name: 'force_refresh', max: 10, windowMs: 86_400_000 };

/** Where an account's scarce refreshes are counted. */
export interface TokenBudget {
  budget: RefreshBudget;
  /** the key of this account's force_refresh count */
  forceKey: string;
}

interface TokenAnswer {
  access_token?: unknown;
  expires_in?: unknown;
}

/**
 * One account's global access_token: cached cluster-wide, fetched once per window, from WeChat or,
 * with a `source`, from a central credential server (a rejected token is then reported to it).
 */
export class AccountTokens {
  private readonly context: CallContext;
  private readonly fetcher = (stale?: string) => this.fetchAccessToken(stale);

  constructor(
    private readonly account: WechatAccountSettings,
    private readonly key: string,
    private readonly transport: Transport,
    private readonly cache: CredentialCache,
    private readonly log: Logger,
    private readonly limits: TokenBudget,
    private readonly source?: CredentialSource,
  ) {
    this.context = { appId: account.appId };
  }

  getAccessToken(): Promise<string> {
    return this.cache.get(this.key, this.fetcher);
  }

  /** WeChat said `rejected` is invalid: adopt a newer token or refresh (compare-before-refresh). */
  replaceAccessToken(rejected: string): Promise<string> {
    return this.cache.replace(this.key, rejected, this.fetcher);
  }

  /** The token with its expiry if this process holds a usable one (no waiting), else undefined. */
  peekCurrent(): StoredCredential | undefined {
    return this.cache.peekStored(this.key, this.fetcher);
  }

  /** The token with its expiry. */
  current(): Promise<StoredCredential> {
    return this.cache.getStored(this.key, this.fetcher);
  }

  /**
   * As replaceAccessToken, with the expiry of the token that is current afterwards. `beforeFetch`
   * runs only when a fetch from WeChat is really made (once per window cluster-wide), and may refuse it.
   */
  replaceCurrent(rejected: string, beforeFetch?: () => Promise<void>): Promise<StoredCredential> {
    const fetcher = beforeFetch ? (stale?: string) => beforeFetch().then(() => this.fetcher(stale)) : this.fetcher;
    return this.cache.replaceStored(this.key, rejected, fetcher);
  }

  /**
   * Asks WeChat whether it still takes `value`, with a call that spends no token quota
   * (cgi-bin/getcallbackip): true when it answers 40001/40014/42001, false when it accepts it.
   * Any other failure is thrown. With a central credential server, that server judges: true.
   */
  async isRejectedByWechat(value: string): Promise<boolean> {
    if (this.source) return true;
    try {
      await this.transport.get<object>('cgi-bin/getcallbackip', { access_token: value }, this.context);
      return false;
    } catch (error) {
      if (error instanceof WechatApiError && error.kind === 'token-invalid') return true;
      throw error;
    }
  }

  /**
   * Runs a call that needs the token; on 40001/40014/42001 it gets a newer token and retries
   * once. A token-endpoint failure is thrown as is (never loops on a wrong secret).
   */
  async withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.getAccessToken();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof WechatApiError) || error.kind !== 'token-invalid') throw error;
      this.log.warn(
        `${error.endpoint} rejected the access_token of ${this.account.appId} (errcode ${error.errcode}); replacing it`,
      );
      return call(await this.replaceAccessToken(token));
    }
  }

  private async fetchAccessToken(stale?: string): Promise<FetchedCredential> {
    const { source } = this;
    if (source) {
      return stale === undefined
        ? source.fetch(this.account.appId, 'access_token')
        : source.reportInvalid(this.account.appId, stale);
    }
    if (this.account.tokenMode === 'classic') return this.request('cgi-bin/token', false);
    const normal = await this.request('cgi-bin/stable_token', false);
    if (stale === undefined || normal.value !== stale) return normal;
    // WeChat handed back the very token it rejected: only then spend a force refresh, within the budget.
    await this.limits.budget.spend(this.limits.forceKey, FORCE_REFRESH_RULE);
    this.log.warn(`stable_token returned the rejected token of ${this.account.appId}; using force_refresh`);
    return this.request('cgi-bin/stable_token', true);
  }

  private async request(endpoint: string, forceRefresh: boolean): Promise<FetchedCredential> {
    const { appId, appSecret } = this.account;
    let answer: TokenAnswer;
    try {
      answer =
        endpoint === 'cgi-bin/token'
          ? await this.transport.get<TokenAnswer>(
              endpoint,
              { grant_type: 'client_credential', appid: appId, secret: appSecret },
              this.context,
            )
          : await this.transport.post<TokenAnswer>(
              endpoint,
              {
                grant_type: 'client_credential',
                appid: appId,
                secret: appSecret,
                force_refresh: forceRefresh,
              },
              undefined,
              this.context,
            );
    } catch (error) {
      // 40001 from the token endpoint itself means a wrong AppSecret: fatal, never a refresh loop.
      if (error instanceof WechatApiError && error.kind === 'token-invalid') {
        throw new WechatApiError(error.errcode, error.errmsg, endpoint, 'fatal');
      }
      throw error;
    }
    return validAnswer(answer.access_token, answer.expires_in, endpoint);
  }
}

/**
 * The credential and lifetime of a token or ticket answer. An answer without a plausible
 * credential is refused (503) and never cached: what stands in WeChat's place may be a proxy,
 * a captive portal or a misconfigured base url.
 */
export function validAnswer(value: unknown, expiresIn: unknown, endpoint: string): FetchedCredential {
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  if (!isPlausibleCredential(value) || typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    throw new WechatUnavailableError(endpoint, 'the answer carries no plausible credential and expires_in');
  }
  return { value, expiresInSec: seconds };
}
