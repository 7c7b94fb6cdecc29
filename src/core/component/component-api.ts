import { validAnswer } from '../credentials/account-tokens.js';
import type { FetchedCredential } from '../credentials/credential-cache.js';
import { isPlausibleCredential } from '../credentials/credential-store.js';
import type { CallContext, Transport } from '../ports.js';
import { Problem } from '../problem.js';
import { nonEmptyString } from '../text.js';
import { WechatApiError, WechatUnavailableError } from '../wechat-api.error.js';
import type { ComponentToken } from './component-token.js';

/** 61023: the authorizer's refresh token is not (or no longer) the current one: only a new authorization helps. */
export const REFRESH_TOKEN_INVALID = 61023;

/** An authorizer whose refresh token WeChat refused: the account's admin must authorize the platform again. */
export class AuthorizerNeedsAuthorizationError extends Problem {
  constructor(readonly authorizerAppId: string) {
    super(
      503,
      'AUTHORIZER_NEEDS_AUTHORIZATION',
      `the platform's authorization by ${authorizerAppId} is no longer valid (errcode 61023); its admin must authorize again`,
    );
    this.name = 'AuthorizerNeedsAuthorizationError';
  }
}

/** What an authorization gave the platform (api_query_auth). */
export interface Authorization {
  authorizerAppId: string;
  /** the authorizer's access token, when the account granted API permission sets */
  accessToken?: FetchedCredential;
  /** kept durably: only a new authorization gives another */
  refreshToken?: string;
  /** ids of the permission sets (funcscope_category) granted */
  permissionSets: number[];
}

/** A new authorizer access token, and the refresh token to keep from now on. */
export interface AuthorizerToken extends FetchedCredential {
  refreshToken: string;
}

export type AuthorizationPage = 'pc' | 'mobile';

export interface ComponentApiSettings {
  componentAppId: string;
  /** where the admin's browser goes to authorize: WeChat's page by default */
  authorizePageBaseUrl?: string;
}

/** Refresh tokens look like `refreshtoken@@@…`: printable ASCII without spaces, of a sane length. */
const REFRESH_TOKEN = /^[\x21-\x7e]{8,1024}$/;
const refreshTokenOf = (value: unknown) => (typeof value === 'string' && REFRESH_TOKEN.test(value) ? value : undefined);

/**
 * The platform's calls to WeChat, each with the platform's `component_access_token` (replaced once
 * when WeChat says it is invalid): pre_auth_code, the authorization page, api_query_auth and
 * api_authorizer_token.
 */
export class ComponentApi {
  private readonly context: CallContext;

  constructor(
    private readonly settings: ComponentApiSettings,
    private readonly token: ComponentToken,
    private readonly transport: Transport,
  ) {
    this.context = { appId: settings.componentAppId };
  }

  /** A fresh single-use pre_auth_code (10 minutes). */
  async preAuthCode(): Promise<string> {
    const answer = await this.call<{ pre_auth_code?: unknown }>('cgi-bin/component/api_create_preauthcode', {});
    const code = nonEmptyString(answer.pre_auth_code);
    if (!code)
      throw new WechatUnavailableError('cgi-bin/component/api_create_preauthcode', 'the answer carries no pre_auth_code');
    return code;
  }

  /**
   * Where an account's admin authorizes the platform: WeChat's page on a computer (a QR code to scan) or
   * inside WeChat on the phone; `auth_type=1` offers Official Accounts only. WeChat comes back to
   * `redirectUri?auth_code=…&expires_in=…`.
   */
  authorizationUrl(preAuthCode: string, redirectUri: string, page: AuthorizationPage = 'pc'): string {
    const base = (this.settings.authorizePageBaseUrl ?? 'https://mp.weixin.qq.com').replace(/\/+$/, '');
    const common =
      `component_appid=${this.settings.componentAppId}&pre_auth_code=${encodeURIComponent(preAuthCode)}` +
      `&redirect_uri=${encodeURIComponent(redirectUri)}&auth_type=1`;
    return page === 'pc'
      ? `${base}/cgi-bin/componentloginpage?${common}`
      : `${base}/safe/bindcomponent?action=bindcomponent&no_scan=1&${common}#wechat_redirect`;
  }

  /** Turns an authorization code (the callback's auth_code, or an `authorized` event's) into the authorization. */
  async queryAuth(authorizationCode: string): Promise<Authorization> {
    const endpoint = 'cgi-bin/component/api_query_auth';
    const answer = await this.call<{ authorization_info?: Record<string, unknown> }>(endpoint, {
      authorization_code: authorizationCode,
    });
    const info = answer.authorization_info ?? {};
    const authorizerAppId = nonEmptyString(info.authorizer_appid);
    if (!authorizerAppId) throw new WechatUnavailableError(endpoint, 'the answer carries no authorizer_appid');
    const refreshToken = refreshTokenOf(info.authorizer_refresh_token);
    const token = isPlausibleCredential(info.authorizer_access_token)
      ? validAnswer(info.authorizer_access_token, info.expires_in, endpoint)
      : undefined;
    return {
      authorizerAppId,
      ...(token ? { accessToken: token } : {}),
      ...(refreshToken ? { refreshToken } : {}),
      permissionSets: permissionSetsOf(info.func_info),
    };
  }

  /** A new access token of an authorizer from its refresh token; 61023 → AuthorizerNeedsAuthorizationError. */
  async authorizerToken(authorizerAppId: string, refreshToken: string): Promise<AuthorizerToken> {
    const endpoint = 'cgi-bin/component/api_authorizer_token';
    let answer: { authorizer_access_token?: unknown; expires_in?: unknown; authorizer_refresh_token?: unknown };
    try {
      answer = await this.call(endpoint, { authorizer_appid: authorizerAppId, authorizer_refresh_token: refreshToken });
    } catch (error) {
      if (error instanceof WechatApiError && error.errcode === REFRESH_TOKEN_INVALID) {
        throw new AuthorizerNeedsAuthorizationError(authorizerAppId);
      }
      throw error;
    }
    const token = validAnswer(answer.authorizer_access_token, answer.expires_in, endpoint);
    // WeChat may hand back another refresh token: the one it returns is the one to keep
    return { ...token, refreshToken: refreshTokenOf(answer.authorizer_refresh_token) ?? refreshToken };
  }

  /** A component API call with the platform's token; an invalid token is replaced and the call made once more. */
  private async call<T extends object>(endpoint: string, body: Record<string, unknown>): Promise<T> {
    const send = (token: string) =>
      this.transport.post<T>(
        endpoint,
        { component_appid: this.settings.componentAppId, ...body },
        { component_access_token: token },
        this.context,
      );
    const token = await this.token.get();
    try {
      return await send(token);
    } catch (error) {
      if (!(error instanceof WechatApiError) || error.kind !== 'token-invalid') throw error;
      return send(await this.token.replace(token));
    }
  }
}

function permissionSetsOf(funcInfo: unknown): number[] {
  if (!Array.isArray(funcInfo)) return [];
  return funcInfo
    .map((f) => (f as { funcscope_category?: { id?: unknown } } | null)?.funcscope_category?.id)
    .filter((id): id is number => typeof id === 'number' && Number.isInteger(id));
}
