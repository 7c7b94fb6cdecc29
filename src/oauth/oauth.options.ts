import type { OAuthScope, UserMapper } from './session-user.js';

/** What a host passes to OAuthModule.forRoot / forRootAsync. AppID and secret come from WechatModule. */
export interface OAuthModuleOptions {
  /** the service's public origin, e.g. https://h5.example.com; builds the redirect_uri */
  publicBaseUrl: string;
  /** base of WeChat's authorize page; default https://open.weixin.qq.com */
  openBaseUrl?: string;
  /** default scope of the login route; default snsapi_userinfo */
  scope?: OAuthScope;
  /** language of sns/userinfo's region fields; default zh_CN */
  lang?: 'zh_CN' | 'zh_TW' | 'en';
  /** turns the WeChat profile into the session user (or provide WECHAT_USER_MAPPER) */
  mapUser?: UserMapper;
  /** how long a login may take between redirect and callback, ms; default 10 minutes */
  stateTtlMs?: number;
  /** name of the session cookie, as given to registerSessions; default wechat_sid */
  sessionCookieName?: string;
}

export interface ResolvedOAuthOptions {
  publicBaseUrl: string;
  openBaseUrl: string;
  scope: OAuthScope;
  lang: 'zh_CN' | 'zh_TW' | 'en';
  mapUser?: UserMapper;
  routePrefix: string;
  /** absolute path of the login route, e.g. /wechat/oauth/login */
  loginPath: string;
  /** full callback url sent to WeChat as redirect_uri */
  callbackUrl: string;
  stateTtlMs: number;
  sessionCookieName: string;
}

export const OAUTH_OPTIONS = Symbol('OAUTH_OPTIONS');
/** Where the OAuth routes are mounted (the module's `routePrefix` extra). */
export const OAUTH_ROUTE_PREFIX = Symbol('OAUTH_ROUTE_PREFIX');
export const DEFAULT_OAUTH_PREFIX = 'wechat/oauth';

export function resolveOAuthOptions(o: OAuthModuleOptions, routePrefix = DEFAULT_OAUTH_PREFIX): ResolvedOAuthOptions {
  if (!o.publicBaseUrl || !/^https?:\/\/[^/]+/i.test(o.publicBaseUrl)) {
    throw new Error('OAuthModule: publicBaseUrl must be an http(s) origin such as https://h5.example.com');
  }
  const publicBaseUrl = o.publicBaseUrl.replace(/\/+$/, '');
  return {
    publicBaseUrl,
    openBaseUrl: (o.openBaseUrl ?? 'https://open.weixin.qq.com').replace(/\/+$/, ''),
    scope: o.scope ?? 'snsapi_userinfo',
    lang: o.lang ?? 'zh_CN',
    mapUser: o.mapUser,
    routePrefix,
    loginPath: `/${routePrefix}/login`,
    callbackUrl: `${publicBaseUrl}/${routePrefix}/callback`,
    stateTtlMs: o.stateTtlMs ?? 600_000,
    sessionCookieName: o.sessionCookieName ?? 'wechat_sid',
  };
}
