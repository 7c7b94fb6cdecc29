import { type AppKind, isOAuthScope, scopeAllowed, type SandboxScope, type OAuthState } from './oauth-state.js';

/** A validated connect/oauth2/authorize request. */
export interface AuthorizeRequest {
  appId: string;
  redirectUri: string;
  scope: SandboxScope;
  /** '' when the caller sent none. */
  state: string;
  /** Sandbox-only `sandbox_user` parameter. */
  user?: string;
}

export type AuthorizeDecision = 'allow' | 'deny';
export interface AuthorizeProblem {
  ok: false;
  /** The code WeChat's error page shows. */
  code: number;
  message: string;
}
export type AuthorizeCheck = { ok: true; request: AuthorizeRequest } | AuthorizeProblem;
export type AuthorizeOutcome = { ok: true; redirect: string } | AuthorizeProblem;

/**
 * Error-page codes. WeChat documents 10003/10005/10010-10013 but none for a bad
 * response_type or for the sandbox's own inputs; those get 19xxx so nobody mistakes them for WeChat's.
 */
export const AUTHORIZE_ERROR = {
  redirectUriInvalid: 10003,
  scopeNotAllowed: 10005,
  scopeEmpty: 10010,
  redirectUriEmpty: 10011,
  appidInvalid: 10012,
  stateInvalid: 10013,
  responseTypeInvalid: 19001,
  unknownUser: 19002,
  decisionInvalid: 19003,
} as const;

/** Thrown by Sandbox.authorize() where the real flow would show WeChat's error page. */
export class SandboxAuthorizeError extends Error {
  readonly code: number;

  constructor(problem: AuthorizeProblem) {
    super(`WeChat sandbox authorization error ${problem.code}: ${problem.message}`);
    this.name = 'SandboxAuthorizeError';
    this.code = problem.code;
  }
}

const STATE_PATTERN = /^[A-Za-z0-9]{0,128}$/;
// we 302 to it, so only printable ASCII (WeChat wants it urlencoded anyway) and only http(s)
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const problem = (code: number, message: string): AuthorizeProblem => ({ ok: false, code, message });

function isHttpUrl(value: string): boolean {
  if (!PRINTABLE_ASCII.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Validates authorize parameters the way WeChat decides between its page and an error page. */
export function checkAuthorize(
  param: (name: string) => string | undefined,
  oauth: OAuthState,
  page: AppKind = 'account',
): AuthorizeCheck {
  const E = AUTHORIZE_ERROR;
  const appId = param('appid');
  if (!appId) return problem(E.appidInvalid, 'appid empty');
  if (!oauth.hasApp(appId)) return problem(E.appidInvalid, 'invalid appid');
  const redirectUri = param('redirect_uri');
  if (!redirectUri) return problem(E.redirectUriEmpty, 'redirect_uri empty');
  if (!isHttpUrl(redirectUri)) return problem(E.redirectUriInvalid, 'redirect_uri invalid');
  const scope = param('scope');
  if (!scope) return problem(E.scopeEmpty, 'scope empty');
  if (!isOAuthScope(scope)) return problem(E.scopeNotAllowed, 'scope not allowed');
  // an account's appId on the QR page, a website application's in WeChat's page, or a scope of the other kind
  if (oauth.kindOf(appId) !== page || !scopeAllowed(page, scope)) {
    return problem(E.scopeNotAllowed, 'Scope 参数错误或没有 Scope 权限 (scope not allowed for this app)');
  }
  if (param('response_type') !== 'code') return problem(E.responseTypeInvalid, 'response_type must be code');
  const state = param('state') ?? '';
  if (!STATE_PATTERN.test(state)) return problem(E.stateInvalid, 'state must be at most 128 of [A-Za-z0-9]');
  const user = param('sandbox_user');
  if (user !== undefined && !oauth.user(user)) return problem(E.unknownUser, 'unknown sandbox test user');
  return { ok: true, request: { appId, redirectUri, scope, state, ...(user !== undefined && { user }) } };
}

/**
 * The user's answer. Allow → redirect_uri with code and state (default user when none is named);
 * deny → state only, as WeChat documents for a refusal.
 */
export function completeAuthorize(
  oauth: OAuthState,
  request: AuthorizeRequest,
  decision: unknown,
  userKey: string | undefined,
): AuthorizeOutcome {
  if (decision !== 'allow' && decision !== 'deny') return problem(AUTHORIZE_ERROR.decisionInvalid, 'invalid decision');
  const key = userKey ?? oauth.defaultUserKey();
  if (!oauth.user(key)) return problem(AUTHORIZE_ERROR.unknownUser, 'unknown sandbox test user');
  if (decision === 'deny') return { ok: true, redirect: withQuery(request.redirectUri, [['state', request.state]]) };
  const code = oauth.issueCode(request.appId, key, request.scope, request.redirectUri);
  return {
    ok: true,
    redirect: withQuery(request.redirectUri, [
      ['code', code],
      ['state', request.state],
    ]),
  };
}

/** Appends parameters before any fragment, with '?' or '&' as the uri needs. */
export function withQuery(uri: string, pairs: [string, string][]): string {
  const hash = uri.indexOf('#');
  const base = hash < 0 ? uri : uri.slice(0, hash);
  const fragment = hash < 0 ? '' : uri.slice(hash);
  const separator = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  return base + separator + new URLSearchParams(pairs).toString() + fragment;
}

/** Query reader for a full authorize url as a service builds it (the #wechat_redirect fragment is ignored). */
export function authorizeUrlParams(authorizeUrl: string): (name: string) => string | undefined {
  let url: URL;
  try {
    url = new URL(authorizeUrl);
  } catch {
    throw new Error('sandbox authorize: not an absolute url');
  }
  if (!url.pathname.endsWith('/connect/oauth2/authorize') && !url.pathname.endsWith('/connect/qrconnect')) {
    throw new Error('sandbox authorize: the path must end with /connect/oauth2/authorize or /connect/qrconnect');
  }
  return (name) => url.searchParams.get(name) ?? undefined;
}

/** Which page an authorize url opens: WeChat's own (an account) or the desktop QR page (a website application). */
export function authorizePage(authorizeUrl: string): AppKind {
  return new URL(authorizeUrl).pathname.endsWith('/connect/qrconnect') ? 'website' : 'account';
}
