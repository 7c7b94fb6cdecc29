import { randomBytes } from 'node:crypto';
import type { Failure, StateResult } from './credential-state.js';
import { wechatError } from './errors.js';
import type { ResolvedSandboxOptions } from './sandbox.options.js';
import { sandboxOpenid, type SandboxUser } from './test-users.js';

export const OAUTH_SCOPES = ['snsapi_base', 'snsapi_userinfo'] as const;
/** An Official Account's web authorization scopes, and a website application's QR login. */
export type SandboxScope = (typeof OAUTH_SCOPES)[number] | 'snsapi_login';
/** Where a login starts: an Official Account's page in WeChat, or a website application's QR page. */
export type AppKind = 'account' | 'website';

export function isOAuthScope(value: unknown): value is SandboxScope {
  return value === 'snsapi_base' || value === 'snsapi_userinfo' || value === 'snsapi_login';
}

/** The scopes each kind of app may ask for: a website application only QR login, an account never. */
export const scopeAllowed = (kind: AppKind, scope: SandboxScope) => (kind === 'website') === (scope === 'snsapi_login');

/** Scopes whose token may read sns/userinfo and whose grant carries the unionid. */
const withProfile = (scope: SandboxScope) => scope === 'snsapi_userinfo' || scope === 'snsapi_login';

export interface WebTokenBody {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  openid: string;
  scope: SandboxScope;
  is_snapshotuser?: 1;
  unionid?: string;
}

/** "Modern" profile: WeChat stopped sending gender and region in 2021. */
export interface UserInfoBody {
  openid: string;
  nickname: string;
  sex: 0;
  province: '';
  city: '';
  country: '';
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}

export type UserInfoResult = { ok: true; body: UserInfoBody; user: SandboxUser } | Failure;

export interface CodeExchangeRequest {
  appid?: string;
  secret?: string;
  code?: string;
  grant_type?: string;
}

export interface RefreshRequest {
  appid?: string;
  grant_type?: string;
  refresh_token?: string;
}

/** What a code or token stands for: one user of one app, with one scope. */
interface Grant {
  appId: string;
  userKey: string;
  openid: string;
  scope: SandboxScope;
  expiresAt: number;
}

interface IssuedCode extends Grant {
  redirectUri: string;
  used: boolean;
}

const LANGS = new Set(['zh_CN', 'zh_TW', 'en']);
const fail = (errcode: number, errmsg?: string): Failure => ({ ok: false, ...wechatError(errcode, errmsg) });

/** In-memory model of WeChat's web OAuth (网页授权): codes, web tokens, refresh tokens. Pure logic, no HTTP. */
export class OAuthState {
  private readonly secrets = new Map<string, string>();
  private readonly websites = new Set<string>();
  private readonly users = new Map<string, SandboxUser>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly webTokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly issued = new Set<string>();

  constructor(private readonly opts: ResolvedSandboxOptions) {
    for (const { appId, appSecret } of opts.accounts) this.secrets.set(appId, appSecret);
    for (const { appId, appSecret } of opts.websiteApps) {
      this.secrets.set(appId, appSecret);
      this.websites.add(appId);
    }
    for (const user of opts.users) this.users.set(user.key, user);
  }

  hasApp(appId: string): boolean {
    return this.secrets.has(appId);
  }

  kindOf(appId: string): AppKind {
    return this.websites.has(appId) ? 'website' : 'account';
  }

  user(key: string): SandboxUser | undefined {
    return this.users.get(key);
  }

  /** Used by silent (snsapi_base) authorization when no user is named. */
  defaultUserKey(): string {
    return this.opts.users[0].key;
  }

  openidOf(appId: string, userKey: string): string {
    if (!this.users.has(userKey)) throw new Error(`sandbox: unknown test user ${userKey}`);
    return sandboxOpenid(appId, userKey);
  }

  /** The authorize step's outcome: a fresh single-use code. Callers validate app and user first. */
  issueCode(appId: string, userKey: string, scope: SandboxScope, redirectUri: string): string {
    if (!this.hasApp(appId)) throw new Error(`sandbox: unknown appId ${appId}`);
    const code = this.secret(24);
    const expiresAt = this.opts.now() + this.opts.codeTtlSec * 1000;
    this.codes.set(code, { ...this.grant(appId, userKey, scope, expiresAt), redirectUri, used: false });
    return code;
  }

  /** sns/oauth2/access_token */
  exchangeCode(req: CodeExchangeRequest): StateResult<WebTokenBody> {
    if (req.grant_type !== 'authorization_code') return fail(40002);
    const auth = this.authenticate(req.appid, req.secret);
    if (auth) return auth;
    if (!req.code) return fail(41008);
    const code = this.codes.get(req.code);
    // a code issued to another app is as unknown as a made-up one
    if (!code || code.appId !== req.appid) return fail(40029);
    if (code.used) return fail(40163);
    const now = this.opts.now();
    if (now >= code.expiresAt) return fail(this.opts.expiredCodeErrcode);
    code.used = true;
    const refresh = this.secret(72);
    const lifetime = this.opts.refreshTokenExpiresInSec * 1000;
    this.refreshTokens.set(refresh, this.grant(code.appId, code.userKey, code.scope, now + lifetime));
    return { ok: true, body: this.tokenBody(code, refresh) };
  }

  /** sns/oauth2/refresh_token: a new web access_token, the same refresh_token (no secret needed). */
  refresh(req: RefreshRequest): StateResult<WebTokenBody> {
    if (req.grant_type !== 'refresh_token') return fail(40002);
    if (!req.appid) return fail(41002);
    if (!this.hasApp(req.appid)) return fail(40013);
    if (!req.refresh_token) return fail(41003);
    const grant = this.refreshTokens.get(req.refresh_token);
    if (!grant || grant.appId !== req.appid) return fail(40030);
    if (this.opts.now() >= grant.expiresAt) return fail(42002);
    return { ok: true, body: this.tokenBody(grant, req.refresh_token) };
  }

  /** sns/userinfo: only for snsapi_userinfo tokens. */
  userInfo(accessToken: string | undefined, openid: string | undefined, lang = 'zh_CN'): UserInfoResult {
    const check = this.checkWebToken(accessToken, openid);
    if (!check.ok) return check;
    const grant = check.grant;
    if (!withProfile(grant.scope)) return fail(48001);
    if (!LANGS.has(lang)) return fail(40035);
    const user = this.users.get(grant.userKey)!;
    const body: UserInfoBody = {
      openid: grant.openid,
      nickname: user.nickname,
      sex: 0,
      province: '',
      city: '',
      country: '',
      headimgurl: user.headimgurl,
      privilege: [],
      ...(user.unionid !== undefined && { unionid: user.unionid }),
    };
    return { ok: true, body, user };
  }

  /** sns/auth */
  authCheck(accessToken: string | undefined, openid: string | undefined): StateResult<{ errcode: 0; errmsg: 'ok' }> {
    const check = this.checkWebToken(accessToken, openid);
    return check.ok ? { ok: true, body: { errcode: 0, errmsg: 'ok' } } : check;
  }

  isWebTokenValid(token: string): boolean {
    const grant = this.webTokens.get(token);
    return !!grant && this.opts.now() < grant.expiresAt;
  }

  /** Codes, web tokens and refresh tokens ever issued, so tests can assert none reaches logs. */
  issuedSecrets(): string[] {
    return [...this.issued];
  }

  private checkWebToken(token: string | undefined, openid: string | undefined): { ok: true; grant: Grant } | Failure {
    if (!token) return fail(41001);
    const grant = this.webTokens.get(token);
    if (!grant) return fail(40001);
    if (this.opts.now() >= grant.expiresAt) return fail(42001);
    if (!openid) return fail(41009);
    if (openid !== grant.openid) return fail(40003);
    return { ok: true, grant };
  }

  /** undefined when appid and secret match an account, else WeChat's failure. */
  private authenticate(appid: string | undefined, secret: string | undefined): Failure | undefined {
    if (!appid) return fail(41002);
    if (!secret) return fail(41004);
    const expected = this.secrets.get(appid);
    if (expected === undefined) return fail(40013);
    if (expected !== secret) return fail(this.opts.wrongSecretErrcode);
    return undefined;
  }

  private tokenBody(grant: Grant, refreshToken: string): WebTokenBody {
    const token = this.secret(72);
    const expiresAt = this.opts.now() + this.opts.webTokenExpiresInSec * 1000;
    this.webTokens.set(token, this.grant(grant.appId, grant.userKey, grant.scope, expiresAt));
    const user = this.users.get(grant.userKey)!;
    return {
      access_token: token,
      expires_in: this.opts.webTokenExpiresInSec,
      refresh_token: refreshToken,
      openid: grant.openid,
      scope: grant.scope,
      ...(user.snapshot && { is_snapshotuser: 1 as const }),
      // the documented rule: unionid only comes with a scope that includes the profile
      ...(user.unionid !== undefined && withProfile(grant.scope) && { unionid: user.unionid }),
    };
  }

  private grant(appId: string, userKey: string, scope: SandboxScope, expiresAt: number): Grant {
    return { appId, userKey, openid: this.openidOf(appId, userKey), scope, expiresAt };
  }

  /** url-safe random value, recorded as issued. */
  private secret(bytes: number): string {
    const value = randomBytes(bytes).toString('base64url');
    this.issued.add(value);
    return value;
  }
}
