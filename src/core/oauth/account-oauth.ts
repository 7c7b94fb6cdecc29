import { Problem } from '../problem.js';
import { nonEmptyString } from '../text.js';
import type { LoginScope, OAuthScope, WechatProfile } from './session-user.js';
import { isTokenInvalidErrcode } from '../errcodes.js';
import { WechatApiError } from '../wechat-api.error.js';
import type { WechatAccountSettings } from '../accounts/account-config.js';
import type { CallContext, Transport } from '../ports.js';

/** The user-level web token; kept server-side in the session, never sent to the browser. */
export interface WebGrant {
  accessToken: string;
  refreshToken: string;
  openid: string;
  scope: LoginScope;
  unionid?: string;
  isSnapshotUser: boolean;
  expiresAt: number;
}

interface GrantAnswer {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  openid?: unknown;
  scope?: unknown;
  unionid?: unknown;
  is_snapshotuser?: unknown;
}

/** A code WeChat will not exchange: wrong, used, expired or missing. */
const INVALID_CODE_ERRCODES = new Set([40029, 40163, 41008, 42003]);

/** The OAuth settings every account shares (OAuthModule's options). */
export interface OAuthSettings {
  openBaseUrl: string;
  /** the absolute redirect_uri of the callback route */
  callbackUrl: string;
  scope: OAuthScope;
  lang: string;
}

/** One account's web authorization (网页授权): authorize url, code exchange, profile, web-token refresh. */
export class AccountOAuth {
  constructor(
    private readonly account: Pick<WechatAccountSettings, 'appId' | 'appSecret'>,
    private readonly transport: Transport,
    private readonly settings: OAuthSettings,
  ) {
    this.context = { appId: account.appId };
  }

  private readonly context: CallContext;

  /** The authorize link with its parameters in the order WeChat matches on. */
  authorizeUrl(state: string, scope: OAuthScope = this.settings.scope): string {
    return (
      `${this.settings.openBaseUrl}/connect/oauth2/authorize` +
      `?appid=${this.account.appId}` +
      `&redirect_uri=${encodeURIComponent(this.settings.callbackUrl)}` +
      `&response_type=code&scope=${scope}&state=${state}#wechat_redirect`
    );
  }

  /**
   * A website application's QR login page (开放平台 网站应用, scope snsapi_login), opened on the computer
   * itself: the page shows WeChat's own QR code, which cannot be drawn from this url.
   */
  qrConnectUrl(state: string): string {
    return (
      `${this.settings.openBaseUrl}/connect/qrconnect` +
      `?appid=${this.account.appId}` +
      `&redirect_uri=${encodeURIComponent(this.settings.callbackUrl)}` +
      `&response_type=code&scope=snsapi_login&state=${state}#wechat_redirect`
    );
  }

  /** What a page that embeds the QR code with wxLogin.js passes to it (redirect_uri already encoded, as it wants). */
  wxLoginConfig(state: string): { appid: string; scope: 'snsapi_login'; redirect_uri: string; state: string } {
    return {
      appid: this.account.appId,
      scope: 'snsapi_login',
      redirect_uri: encodeURIComponent(this.settings.callbackUrl),
      state,
    };
  }

  /** Exchanges the code and reads the profile (snsapi_userinfo only: snsapi_base would get 48001). */
  async completeLogin(code: string): Promise<{ grant: WebGrant; profile: WechatProfile }> {
    let grant = await this.exchangeCode(code);
    const profile: WechatProfile = {
      appId: this.account.appId,
      openid: grant.openid,
      scope: grant.scope,
      isSnapshotUser: grant.isSnapshotUser,
      ...(grant.unionid ? { unionid: grant.unionid } : {}),
    };
    // snsapi_base cannot read the profile (48001); snsapi_userinfo and a website's snsapi_login can
    if (grant.scope === 'snsapi_base') return { grant, profile };
    let info: Record<string, unknown>;
    try {
      info = await this.userInfo(grant);
    } catch (error) {
      if (!(error instanceof WechatApiError) || !isTokenInvalidErrcode(error.errcode)) throw error;
      grant = await this.refresh(grant);
      info = await this.userInfo(grant);
    }
    return {
      grant,
      profile: {
        ...profile,
        ...(nonEmptyString(info.unionid) ? { unionid: nonEmptyString(info.unionid) } : {}),
        nickname: typeof info.nickname === 'string' ? info.nickname : undefined,
        avatarUrl: nonEmptyString(info.headimgurl),
        raw: info,
      },
    };
  }

  /** Renews the web access_token with its refresh_token (valid 30 days). */
  async refresh(grant: WebGrant): Promise<WebGrant> {
    const answer = await this.transport.get<GrantAnswer>(
      'sns/oauth2/refresh_token',
      {
        appid: this.account.appId,
        grant_type: 'refresh_token',
        refresh_token: grant.refreshToken,
      },
      this.context,
    );
    return { ...this.toGrant(answer, 'sns/oauth2/refresh_token'), isSnapshotUser: grant.isSnapshotUser, unionid: grant.unionid };
  }

  private async exchangeCode(code: string): Promise<WebGrant> {
    try {
      const answer = await this.transport.get<GrantAnswer>(
        'sns/oauth2/access_token',
        {
          appid: this.account.appId,
          secret: this.account.appSecret,
          code,
          grant_type: 'authorization_code',
        },
        this.context,
      );
      return this.toGrant(answer, 'sns/oauth2/access_token');
    } catch (error) {
      if (error instanceof WechatApiError && INVALID_CODE_ERRCODES.has(error.errcode)) {
        throw new Problem(401, 'INVALID_CODE', 'WeChat did not accept the login code (wrong, used or expired); log in again', {
          errcode: error.errcode,
        });
      }
      throw error;
    }
  }

  private userInfo(grant: WebGrant): Promise<Record<string, unknown>> {
    return this.transport.get<Record<string, unknown>>(
      'sns/userinfo',
      {
        access_token: grant.accessToken,
        openid: grant.openid,
        lang: this.settings.lang,
      },
      this.context,
    );
  }

  private toGrant(a: GrantAnswer, endpoint: string): WebGrant {
    const accessToken = nonEmptyString(a.access_token);
    const openid = nonEmptyString(a.openid);
    if (!accessToken || !openid) throw new WechatApiError(-2, 'answer without access_token or openid', endpoint, 'fatal');
    const scopes = String(a.scope ?? '').split(',');
    const expiresIn = typeof a.expires_in === 'number' ? a.expires_in : 7200;
    return {
      accessToken,
      refreshToken: nonEmptyString(a.refresh_token) ?? '',
      openid,
      scope: scopes.includes('snsapi_login')
        ? 'snsapi_login'
        : scopes.includes('snsapi_userinfo')
          ? 'snsapi_userinfo'
          : 'snsapi_base',
      ...(nonEmptyString(a.unionid) ? { unionid: nonEmptyString(a.unionid) } : {}),
      isSnapshotUser: a.is_snapshotuser === 1 || a.is_snapshotuser === '1',
      expiresAt: Date.now() + expiresIn * 1000,
    };
  }
}
