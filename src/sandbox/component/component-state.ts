import { randomBytes } from 'node:crypto';
import type { Failure, StateResult } from '../credential-state.js';
import { wechatError } from '../errors.js';

/** The sandbox's third-party platform: its appId and secret, and the Official Accounts that may authorize it. */
export interface SandboxComponentOptions {
  componentAppId: string;
  componentAppSecret: string;
  /** test Official Accounts offered on the authorization page */
  authorizers: readonly string[];
  now: () => number;
  /** a verify ticket is valid 12 hours after its push */
  ticketTtlSec?: number;
  tokenExpiresInSec?: number;
  /** pre_auth_code and auth_code: 10 minutes */
  codeTtlSec?: number;
}

// errmsg texts of the platform's codes (English where WeChat sends English; the sandbox's own where unconfirmed)
const ERRMSG: Record<number, string> = {
  61005: 'component ticket is expired',
  61006: 'component ticket is invalid',
  61009: 'code is invalid',
  61010: 'code is expired',
  61011: 'invalid component',
  61023: 'refresh_token is invalid',
};
const fail = (errcode: number): Failure => ({ ok: false, ...wechatError(errcode, ERRMSG[errcode]) });
const secret = (prefix: string) => `${prefix}@@@${randomBytes(24).toString('base64url')}`;

interface Issued {
  value: string;
  expiresAt: number;
}

/** In-memory model of WeChat's third-party platform APIs (cgi-bin/component/*): pure logic, no HTTP. */
export class ComponentState {
  private readonly tickets: Issued[] = [];
  private readonly tokens = new Map<string, number>();
  private readonly preAuthCodes = new Map<string, { expiresAt: number; used: boolean }>();
  private readonly authCodes = new Map<string, { authorizerAppId: string; expiresAt: number; used: boolean }>();
  /** the current refresh token of each authorizer (an older one is 61023) */
  private readonly refreshTokens = new Map<string, string>();
  private readonly authorizerTokens = new Map<string, { appId: string; expiresAt: number }>();
  private readonly ticketTtlMs: number;
  private readonly tokenTtlSec: number;
  private readonly codeTtlMs: number;

  constructor(private readonly options: SandboxComponentOptions) {
    this.ticketTtlMs = (options.ticketTtlSec ?? 12 * 3600) * 1000;
    this.tokenTtlSec = options.tokenExpiresInSec ?? 7200;
    this.codeTtlMs = (options.codeTtlSec ?? 600) * 1000;
  }

  get componentAppId(): string {
    return this.options.componentAppId;
  }

  /** A new verify ticket, as WeChat pushes every 10 minutes; earlier ones stay valid until their 12 hours end. */
  issueTicket(): string {
    const ticket = secret('ticket');
    this.tickets.push({ value: ticket, expiresAt: this.options.now() + this.ticketTtlMs });
    return ticket;
  }

  /** api_component_token */
  componentToken(body: Record<string, unknown>): StateResult<{ component_access_token: string; expires_in: number }> {
    if (body.component_appid !== this.options.componentAppId) return fail(61011);
    if (typeof body.component_appsecret !== 'string' || body.component_appsecret === '') return fail(41004);
    if (body.component_appsecret !== this.options.componentAppSecret) return fail(40125);
    const ticket = this.tickets.find((t) => t.value === body.component_verify_ticket);
    if (!ticket) return fail(61006);
    if (this.options.now() >= ticket.expiresAt) return fail(61005);
    const token = secret('component_token').replace('@@@', '_');
    this.tokens.set(token, this.options.now() + this.tokenTtlSec * 1000);
    return { ok: true, body: { component_access_token: token, expires_in: this.tokenTtlSec } };
  }

  /** api_create_preauthcode */
  preAuthCode(token: unknown, body: Record<string, unknown>): StateResult<{ pre_auth_code: string; expires_in: number }> {
    const refused = this.check(token, body);
    if (refused) return refused;
    const code = secret('preauthcode');
    this.preAuthCodes.set(code, { expiresAt: this.options.now() + this.codeTtlMs, used: false });
    return { ok: true, body: { pre_auth_code: code, expires_in: this.codeTtlMs / 1000 } };
  }

  /** The authorization page's consent: a pre_auth_code (single use) spent for `authorizerAppId`'s auth_code. */
  consent(preAuthCode: string, authorizerAppId: string): StateResult<{ auth_code: string; expires_in: number }> {
    const pre = this.preAuthCodes.get(preAuthCode);
    if (!pre || pre.used) return fail(61009);
    if (this.options.now() >= pre.expiresAt) return fail(61010);
    if (!this.options.authorizers.includes(authorizerAppId)) return fail(40013);
    pre.used = true;
    const code = secret('queryauthcode');
    this.authCodes.set(code, { authorizerAppId, expiresAt: this.options.now() + this.codeTtlMs, used: false });
    return { ok: true, body: { auth_code: code, expires_in: this.codeTtlMs / 1000 } };
  }

  /** The authorizers offered on the authorization page. */
  get authorizerAppIds(): readonly string[] {
    return this.options.authorizers;
  }

  /** api_query_auth: the code (single use) for the authorization, with a new refresh token (the old one is void). */
  queryAuth(token: unknown, body: Record<string, unknown>): StateResult<{ authorization_info: Record<string, unknown> }> {
    const refused = this.check(token, body);
    if (refused) return refused;
    const code = this.authCodes.get(String(body.authorization_code ?? ''));
    if (!code || code.used) return fail(61009);
    if (this.options.now() >= code.expiresAt) return fail(61010);
    code.used = true;
    const refreshToken = secret('refreshtoken');
    this.refreshTokens.set(code.authorizerAppId, refreshToken);
    return {
      ok: true,
      body: {
        authorization_info: {
          authorizer_appid: code.authorizerAppId,
          ...this.authorizerToken(code.authorizerAppId),
          authorizer_refresh_token: refreshToken,
          func_info: [1, 2, 3, 4].map((id) => ({ funcscope_category: { id } })),
        },
      },
    };
  }

  /** api_authorizer_token: only the authorizer's current refresh token works (61023 otherwise). */
  refreshAuthorizer(
    token: unknown,
    body: Record<string, unknown>,
  ): StateResult<{ authorizer_access_token: string; expires_in: number; authorizer_refresh_token: string }> {
    const refused = this.check(token, body);
    if (refused) return refused;
    const appId = String(body.authorizer_appid ?? '');
    const current = this.refreshTokens.get(appId);
    if (!current || current !== body.authorizer_refresh_token) return fail(61023);
    return { ok: true, body: { ...this.authorizerToken(appId), authorizer_refresh_token: current } };
  }

  /** The account's admin revokes the platform: its tokens and refresh token stop working. */
  revoke(authorizerAppId: string): void {
    this.refreshTokens.delete(authorizerAppId);
    for (const [token, grant] of this.authorizerTokens) if (grant.appId === authorizerAppId) this.authorizerTokens.delete(token);
  }

  /** The authorizer a live authorizer_access_token belongs to (it works like the account's own access_token). */
  authorizerOf(accessToken: string): string | undefined {
    const grant = this.authorizerTokens.get(accessToken);
    return grant && this.options.now() < grant.expiresAt ? grant.appId : undefined;
  }

  private authorizerToken(appId: string) {
    const token = secret('authorizer_token').replace('@@@', '_');
    this.authorizerTokens.set(token, { appId, expiresAt: this.options.now() + this.tokenTtlSec * 1000 });
    return { authorizer_access_token: token, expires_in: this.tokenTtlSec };
  }

  /** The platform token of a call (40001 unknown, 42001 expired) and its component_appid (61011). */
  private check(token: unknown, body: Record<string, unknown>): Failure | undefined {
    if (typeof token !== 'string' || token === '') return fail(41001);
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return fail(40001);
    if (this.options.now() >= expiresAt) return fail(42001);
    if (body.component_appid !== this.options.componentAppId) return fail(61011);
    return undefined;
  }
}
