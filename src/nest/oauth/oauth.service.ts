import { Inject, Injectable, Optional } from '@nestjs/common';
import type { WebGrant } from '../../core/oauth/account-oauth.js';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { GlobalPrefix } from '../http/global-prefix.js';
import { createNonce } from '../../core/jssdk/nonce.js';
import { OAUTH_OPTIONS, type ResolvedOAuthOptions } from './oauth.options.js';
import {
  defaultUserMapper,
  type OAuthScope,
  type SessionUser,
  WECHAT_USER_MAPPER,
  type WechatProfile,
  type WechatUserMapper,
} from '../../core/oauth/session-user.js';

export type { WebGrant } from '../../core/oauth/account-oauth.js';

/**
 * WeChat web authorization (网页授权) for any configured account (the default one when no appId
 * is given): a thin door to `WechatAccounts.get(appId).oauth`, plus the user mapper.
 */
@Injectable()
export class OAuthService {
  constructor(
    private readonly accounts: WechatAccounts,
    @Inject(OAUTH_OPTIONS) private readonly options: ResolvedOAuthOptions,
    prefix: GlobalPrefix,
    @Optional() @Inject(WECHAT_USER_MAPPER) private readonly injectedMapper?: WechatUserMapper,
  ) {
    const { publicBaseUrl, callbackPath, openBaseUrl, scope, lang } = options;
    accounts.useOAuth({
      openBaseUrl,
      scope,
      lang,
      // the redirect_uri follows app.setGlobalPrefix(), which is only known once the app starts
      get callbackUrl() {
        return `${publicBaseUrl}${prefix.apply(callbackPath)}`;
      },
    });
  }

  /** An unguessable state: 32 characters of [A-Za-z0-9] from the CSPRNG. */
  newState(): string {
    return createNonce(32);
  }

  /** The authorize link with its parameters in the order WeChat matches on. */
  authorizeUrl(state: string, scope: OAuthScope = this.options.scope, appId?: string): string {
    return this.accounts.get(appId).oauth.authorizeUrl(state, scope);
  }

  /** Exchanges the code and reads the profile (snsapi_userinfo only: snsapi_base would get 48001). */
  completeLogin(code: string, appId?: string): Promise<{ grant: WebGrant; profile: WechatProfile }> {
    return this.accounts.get(appId).oauth.completeLogin(code);
  }

  /** The session user of a profile; it always carries the profile's appId, whatever the mapper returns. */
  async mapUser(profile: WechatProfile): Promise<SessionUser> {
    const user = this.options.mapUser
      ? await this.options.mapUser(profile)
      : this.injectedMapper
        ? await this.injectedMapper.map(profile)
        : defaultUserMapper(profile);
    return { ...user, appId: profile.appId };
  }

  /** Renews the web access_token with its refresh_token (valid 30 days). */
  refresh(grant: WebGrant, appId?: string): Promise<WebGrant> {
    return this.accounts.get(appId).oauth.refresh(grant);
  }
}
