import { Inject, Injectable, Optional } from '@nestjs/common';
import { HttpProblem } from '../common/http-problem.js';
import { WechatApiClient } from '../wechat/api/wechat-api.client.js';
import { WechatApiError } from '../wechat/api/wechat-api.error.js';
import { createNonce } from '../wechat/jssdk/nonce.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat/wechat.options.js';
import { OAUTH_OPTIONS, type ResolvedOAuthOptions } from './oauth.options.js';
import {
  defaultUserMapper, type OAuthScope, type SessionUser, WECHAT_USER_MAPPER, type WechatProfile, type WechatUserMapper,
} from './session-user.js';

/** The user-level web token; kept server-side in the session, never sent to the browser. */
export interface WebGrant {
  accessToken: string;
  refreshToken: string;
  openid: string;
  scope: OAuthScope;
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
const WEB_TOKEN_INVALID = new Set([40001, 40014, 42001]);

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** WeChat web authorization (网页授权): authorize url, code exchange, profile, web-token refresh. */
@Injectable()
export class OAuthService {
  constructor(
    private readonly client: WechatApiClient,
    @Inject(WECHAT_OPTIONS) private readonly wechat: ResolvedWechatOptions,
    @Inject(OAUTH_OPTIONS) private readonly options: ResolvedOAuthOptions,
    @Optional() @Inject(WECHAT_USER_MAPPER) private readonly injectedMapper?: WechatUserMapper,
  ) {}

  /** An unguessable state: 32 characters of [A-Za-z0-9] from the CSPRNG. */
  newState(): string {
    return createNonce(32);
  }

  /** The authorize link with its parameters in the order WeChat matches on. */
  authorizeUrl(state: string, scope: OAuthScope = this.options.scope): string {
    return `${this.options.openBaseUrl}/connect/oauth2/authorize`
      + `?appid=${this.wechat.appId}`
      + `&redirect_uri=${encodeURIComponent(this.options.callbackUrl)}`
      + `&response_type=code&scope=${scope}&state=${state}#wechat_redirect`;
  }

  /** Exchanges the code and reads the profile (snsapi_userinfo only: snsapi_base would get 48001). */
  async completeLogin(code: string): Promise<{ grant: WebGrant; profile: WechatProfile }> {
    let grant = await this.exchangeCode(code);
    const profile: WechatProfile = {
      openid: grant.openid, scope: grant.scope, isSnapshotUser: grant.isSnapshotUser,
      ...(grant.unionid ? { unionid: grant.unionid } : {}),
    };
    if (grant.scope !== 'snsapi_userinfo') return { grant, profile };
    let info: Record<string, unknown>;
    try {
      info = await this.userInfo(grant);
    } catch (error) {
      if (!(error instanceof WechatApiError) || !WEB_TOKEN_INVALID.has(error.errcode)) throw error;
      grant = await this.refresh(grant);
      info = await this.userInfo(grant);
    }
    return {
      grant,
      profile: {
        ...profile,
        ...(str(info.unionid) ? { unionid: str(info.unionid) } : {}),
        nickname: typeof info.nickname === 'string' ? info.nickname : undefined,
        avatarUrl: str(info.headimgurl),
        raw: info,
      },
    };
  }

  async mapUser(profile: WechatProfile): Promise<SessionUser> {
    if (this.options.mapUser) return this.options.mapUser(profile);
    if (this.injectedMapper) return this.injectedMapper.map(profile);
    return defaultUserMapper(profile);
  }

  /** Renews the web access_token with its refresh_token (valid 30 days). */
  async refresh(grant: WebGrant): Promise<WebGrant> {
    const answer = await this.client.get<GrantAnswer>('sns/oauth2/refresh_token', {
      appid: this.wechat.appId, grant_type: 'refresh_token', refresh_token: grant.refreshToken,
    });
    return { ...this.toGrant(answer, 'sns/oauth2/refresh_token'), isSnapshotUser: grant.isSnapshotUser, unionid: grant.unionid };
  }

  private async exchangeCode(code: string): Promise<WebGrant> {
    try {
      const answer = await this.client.get<GrantAnswer>('sns/oauth2/access_token', {
        appid: this.wechat.appId, secret: this.wechat.appSecret, code, grant_type: 'authorization_code',
      });
      return this.toGrant(answer, 'sns/oauth2/access_token');
    } catch (error) {
      if (error instanceof WechatApiError && INVALID_CODE_ERRCODES.has(error.errcode)) {
        throw new HttpProblem(401, 'INVALID_CODE', 'WeChat did not accept the login code (wrong, used or expired); log in again', { errcode: error.errcode });
      }
      throw error;
    }
  }

  private userInfo(grant: WebGrant): Promise<Record<string, unknown>> {
    return this.client.get<Record<string, unknown>>('sns/userinfo', {
      access_token: grant.accessToken, openid: grant.openid, lang: this.options.lang,
    });
  }

  private toGrant(a: GrantAnswer, endpoint: string): WebGrant {
    const accessToken = str(a.access_token);
    const openid = str(a.openid);
    if (!accessToken || !openid) throw new WechatApiError(-2, 'answer without access_token or openid', endpoint, 'fatal');
    const scopes = String(a.scope ?? '').split(',');
    const expiresIn = typeof a.expires_in === 'number' ? a.expires_in : 7200;
    return {
      accessToken,
      refreshToken: str(a.refresh_token) ?? '',
      openid,
      scope: scopes.includes('snsapi_userinfo') ? 'snsapi_userinfo' : 'snsapi_base',
      ...(str(a.unionid) ? { unionid: str(a.unionid) } : {}),
      isSnapshotUser: a.is_snapshotuser === 1 || a.is_snapshotuser === '1',
      expiresAt: Date.now() + expiresIn * 1000,
    };
  }
}
