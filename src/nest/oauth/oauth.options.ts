import { DEFAULT_HANDOFF_TTL_MS } from '../../core/oauth/handoff.js';
import type { OAuthScope, UserMapper } from '../../core/oauth/session-user.js';

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
  /** how long a computer's login handoff (the phone's QR) can be confirmed and redeemed, ms; default 2 minutes */
  handoffTtlMs?: number;
  /** an Open Platform website application (网站应用): turns on the website QR login (`qr-login`) */
  website?: { appId: string; appSecret: string };
  /** the server-side session the login lives in */
  session: OAuthSessionOptions;
}

export interface OAuthSessionOptions {
  /** signs the session cookie: at least 32 characters, the same on every instance */
  secret: string;
  /** name of the session cookie; default wechat_sid */
  cookieName?: string;
  /** lifetime of a logged-in session, ms; default 7 days (a session before login lives as long as its login state) */
  maxAgeMs?: number;
}

export interface ResolvedOAuthOptions {
  publicBaseUrl: string;
  openBaseUrl: string;
  scope: OAuthScope;
  lang: 'zh_CN' | 'zh_TW' | 'en';
  mapUser?: UserMapper;
  routePrefix: string;
  /** path of the login route (before any global prefix), e.g. /wechat/oauth/login */
  loginPath: string;
  /** path of the callback route (before any global prefix), e.g. /wechat/oauth/callback */
  callbackPath: string;
  stateTtlMs: number;
  handoffTtlMs: number;
  website?: { appId: string; appSecret: string };
  session: { secret: string; cookieName: string; maxAgeMs: number; secure: boolean };
}

export const OAUTH_OPTIONS = Symbol('OAUTH_OPTIONS');
/** The phone handoff's desk (shared store, the handoff TTL). */
export const HANDOFF_DESK = Symbol('HANDOFF_DESK');
/** The website application's login (an AccountOAuth of its own credentials), or null without one. */
export const WEBSITE_LOGIN = Symbol('WEBSITE_LOGIN');
/** Where the OAuth routes are mounted (the module's `routePrefix` extra). */
export const OAUTH_ROUTE_PREFIX = Symbol('OAUTH_ROUTE_PREFIX');
export const DEFAULT_OAUTH_PREFIX = 'wechat/oauth';

function handoffTtl(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_HANDOFF_TTL_MS;
  if (!Number.isInteger(ms) || ms < 1_000 || ms > 600_000) {
    throw new Error('OAuthModule: handoffTtlMs must be a whole number of ms from 1000 to 600000');
  }
  return ms;
}

function checkWebsite(website: { appId: string; appSecret: string }): { appId: string; appSecret: string } {
  if (typeof website.appId !== 'string' || !/^wx[0-9a-zA-Z]{8,30}$/.test(website.appId)) {
    throw new Error("OAuthModule: website.appId must be a website application's AppID (wx followed by letters and digits)");
  }
  if (typeof website.appSecret !== 'string' || website.appSecret.length === 0) {
    throw new Error('OAuthModule: website.appSecret is required with website.appId');
  }
  return { appId: website.appId, appSecret: website.appSecret };
}

export function resolveOAuthOptions(o: OAuthModuleOptions, routePrefix = DEFAULT_OAUTH_PREFIX): ResolvedOAuthOptions {
  if (!o.publicBaseUrl || !/^https?:\/\/[^/]+/i.test(o.publicBaseUrl)) {
    throw new Error('OAuthModule: publicBaseUrl must be an http(s) origin such as https://h5.example.com');
  }
  const publicBaseUrl = o.publicBaseUrl.replace(/\/+$/, '');
  if (typeof o.session?.secret !== 'string' || o.session.secret.length < 32) {
    throw new Error('OAuthModule: session.secret must be at least 32 characters (the same on every instance)');
  }
  return {
    publicBaseUrl,
    openBaseUrl: (o.openBaseUrl ?? 'https://open.weixin.qq.com').replace(/\/+$/, ''),
    scope: o.scope ?? 'snsapi_userinfo',
    lang: o.lang ?? 'zh_CN',
    mapUser: o.mapUser,
    routePrefix,
    loginPath: `/${routePrefix}/login`,
    callbackPath: `/${routePrefix}/callback`,
    stateTtlMs: o.stateTtlMs ?? 600_000,
    handoffTtlMs: handoffTtl(o.handoffTtlMs),
    ...(o.website ? { website: checkWebsite(o.website) } : {}),
    session: {
      secret: o.session.secret,
      cookieName: o.session.cookieName ?? 'wechat_sid',
      maxAgeMs: o.session.maxAgeMs ?? 7 * 24 * 3600_000,
      secure: publicBaseUrl.startsWith('https://'),
    },
  };
}
