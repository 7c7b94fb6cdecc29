import { randomBytes } from 'node:crypto';
import { DailyQuota } from './daily-quota.js';
import { wechatError, type WechatError } from './errors.js';
import type { ResolvedSandboxOptions } from './sandbox.options.js';

export const TICKET_TYPES = ['jsapi', 'wx_card'] as const;
export type SandboxTicketType = (typeof TICKET_TYPES)[number];

export type Failure = { ok: false } & WechatError;
export type StateResult<T> = { ok: true; body: T } | Failure;
export interface TokenBody {
  access_token: string;
  expires_in: number;
}
export interface TicketBody {
  errcode: 0;
  errmsg: 'ok';
  ticket: string;
  expires_in: number;
}
export type TokenCheck = { ok: true; appId: string } | Failure;
export interface TokenRequest {
  grant_type?: string;
  appid?: string;
  secret?: string;
}

/** A token or ticket: valid while now < min(expiresAt, cutoffAt); cutoffAt marks early retirement. */
interface Credential {
  value: string;
  appId: string;
  expiresAt: number;
  cutoffAt: number;
}

interface Slot {
  cur?: Credential;
  prev?: Credential;
}

interface AppState {
  classic: Slot;
  stable: Slot;
  lastForceAt?: number;
  tickets: Record<SandboxTicketType, Slot>;
}

/** What the sandbox says its pushes come from: loopback, where it runs. */
const CALLBACK_IPS = ['127.0.0.1', '::1'];

const fail = (errcode: number, errmsg?: string): Failure => ({ ok: false, ...wechatError(errcode, errmsg) });

/** In-memory model of WeChat's credential endpoints; pure logic, no HTTP. */
export class CredentialState {
  private readonly secrets = new Map<string, string>();
  private readonly apps = new Map<string, AppState>();
  private readonly tokens = new Map<string, Credential>();
  private readonly tickets = new Map<string, Credential & { type: SandboxTicketType }>();
  private readonly issued = new Set<string>();
  private readonly forceRequests = new Map<string, number>();
  private readonly quota: DailyQuota;

  constructor(private readonly opts: ResolvedSandboxOptions) {
    this.quota = new DailyQuota(opts.now);
    for (const { appId, appSecret } of opts.accounts) {
      this.secrets.set(appId, appSecret);
      this.apps.set(appId, { classic: {}, stable: {}, tickets: { jsapi: {}, wx_card: {} } });
    }
  }

  /** cgi-bin/token: a new token per call; only the previous one keeps a grace window. */
  classicToken(req: TokenRequest): StateResult<TokenBody> {
    const auth = this.authenticate(req);
    if (!auth.ok) return auth;
    if (!this.quota.take(`${auth.appId}:token`, this.opts.tokenDailyQuota)) return fail(45009);
    const now = this.opts.now();
    const slot = this.app(auth.appId).classic;
    if (slot.prev) slot.prev.cutoffAt = Math.min(slot.prev.cutoffAt, now);
    if (slot.cur) slot.cur.cutoffAt = Math.min(slot.cur.cutoffAt, now + this.opts.graceSec * 1000);
    slot.prev = slot.cur;
    slot.cur = this.newToken(auth.appId);
    return { ok: true, body: { access_token: slot.cur.value, expires_in: this.opts.tokenExpiresInSec } };
  }

  /** cgi-bin/stable_token: separate token space, idempotent until the last graceSec, optional forced refresh. */
  stableToken(req: TokenRequest, forceRefresh = false): StateResult<TokenBody> {
    const auth = this.authenticate(req);
    if (!auth.ok) return auth;
    const appId = auth.appId;
    if (!this.quota.take(`${appId}:stable`, this.opts.stableDailyQuota)) return fail(45009);
    const now = this.opts.now();
    const app = this.app(appId);
    const cur = app.stable.cur;
    const curAlive = !!cur && this.alive(cur, now);

    if (forceRefresh) {
      this.forceRequests.set(appId, (this.forceRequests.get(appId) ?? 0) + 1);
      // WeChat: forces closer than the spacing "do not refresh"; answer with the current token
      const tooSoon = app.lastForceAt !== undefined && now - app.lastForceAt < this.opts.forceRefreshSpacingSec * 1000;
      if (tooSoon && curAlive) return this.tokenReply(cur, now);
      if (!this.quota.take(`${appId}:force`, this.opts.forceRefreshDailyQuota)) return fail(45009);
      app.lastForceAt = now;
      for (const old of [app.stable.cur, app.stable.prev]) if (old) old.cutoffAt = Math.min(old.cutoffAt, now);
      app.stable = { cur: this.newToken(appId) };
      return this.tokenReply(app.stable.cur!, now);
    }

    if (curAlive && now < cur.expiresAt - this.opts.graceSec * 1000) return this.tokenReply(cur, now);
    // rotate: the old token keeps its own expiry (overlap), anything older goes at once
    if (app.stable.prev) app.stable.prev.cutoffAt = Math.min(app.stable.prev.cutoffAt, now);
    app.stable = { cur: this.newToken(appId), prev: cur };
    return this.tokenReply(app.stable.cur!, now);
  }

  /** cgi-bin/ticket/getticket: same ticket while fresh, rotates in the last graceSec. */
  getTicket(accessToken: string | undefined, type: string | undefined): StateResult<TicketBody> {
    const check = this.checkAccessToken(accessToken);
    if (!check.ok) return check;
    if (!isTicketType(type)) return fail(40097);
    if (!this.quota.take(`${check.appId}:ticket`, this.opts.ticketDailyQuota)) return fail(45009);
    const now = this.opts.now();
    const slot = this.app(check.appId).tickets[type];
    let cur = slot.cur;
    if (!cur || !this.alive(cur, now) || now >= cur.expiresAt - this.opts.graceSec * 1000) {
      if (slot.prev) slot.prev.cutoffAt = Math.min(slot.prev.cutoffAt, now);
      slot.prev = cur;
      cur = slot.cur = this.newTicket(check.appId, type);
    }
    return { ok: true, body: { errcode: 0, errmsg: 'ok', ticket: cur.value, expires_in: this.remainingSec(cur, now) } };
  }

  /** cgi-bin/getcallbackip: the addresses WeChat's pushes come from, for any valid token; no daily quota is spent. */
  callbackIps(accessToken: string | undefined): StateResult<{ ip_list: string[] }> {
    const check = this.checkAccessToken(accessToken);
    if (!check.ok) return check;
    return { ok: true, body: { ip_list: [...CALLBACK_IPS] } };
  }

  /** Validates a global access_token (classic or stable) the way WeChat's APIs do. */
  checkAccessToken(token: string | undefined): TokenCheck {
    if (!token) return fail(41001);
    const cred = this.tokens.get(token);
    if (!cred) return fail(40001);
    const now = this.opts.now();
    if (this.alive(cred, now)) return { ok: true, appId: cred.appId };
    // ran out its natural life → expired; cut off early by a newer token → not latest
    return cred.expiresAt <= cred.cutoffAt ? fail(42001) : fail(40001);
  }

  /** How many stable_token calls of `appId` asked for force_refresh (those answered with the current token too). */
  forceRefreshRequests(appId: string): number {
    return this.forceRequests.get(appId) ?? 0;
  }

  isAccessTokenValid(token: string): boolean {
    return this.checkAccessToken(token).ok;
  }

  /** The ticket a client should currently be signing with, if any. */
  currentTicket(appId: string, type: SandboxTicketType): string | undefined {
    const cur = this.apps.get(appId)?.tickets[type]?.cur;
    return cur && this.alive(cur, this.opts.now()) ? cur.value : undefined;
  }

  /** True for any still-valid ticket of this app and type (the current one or one in its overlap window). */
  isTicketValid(appId: string, type: SandboxTicketType, ticket: string): boolean {
    const cred = this.tickets.get(ticket);
    return !!cred && cred.appId === appId && cred.type === type && this.alive(cred, this.opts.now());
  }

  currentStableToken(appId: string): string | undefined {
    const cur = this.apps.get(appId)?.stable.cur;
    return cur && this.alive(cur, this.opts.now()) ? cur.value : undefined;
  }

  /** Every secret value the sandbox knows or ever issued, so tests can assert none reaches logs. */
  issuedSecrets(): string[] {
    return [...this.secrets.values(), ...this.issued];
  }

  private authenticate(req: TokenRequest): { ok: true; appId: string } | Failure {
    if (req.grant_type !== 'client_credential') return fail(40002);
    if (!req.appid) return fail(41002);
    if (!req.secret) return fail(41004);
    const secret = this.secrets.get(req.appid);
    if (secret === undefined) return fail(40013);
    if (secret !== req.secret) return fail(this.opts.wrongSecretErrcode);
    return { ok: true, appId: req.appid };
  }

  private app(appId: string): AppState {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`sandbox: unknown appId ${appId}`);
    return app;
  }

  private alive(cred: Credential, now: number): boolean {
    return now < Math.min(cred.expiresAt, cred.cutoffAt);
  }

  private remainingSec(cred: Credential, now: number): number {
    return Math.max(0, Math.floor((cred.expiresAt - now) / 1000));
  }

  private tokenReply(cred: Credential, now: number): StateResult<TokenBody> {
    return { ok: true, body: { access_token: cred.value, expires_in: this.remainingSec(cred, now) } };
  }

  private newToken(appId: string): Credential {
    // 128 chars of [A-Za-z0-9_-], in the range of real tokens (clients must reserve 512)
    const cred = this.credential(randomBytes(96).toString('base64url'), appId, this.opts.tokenExpiresInSec);
    this.tokens.set(cred.value, cred);
    return cred;
  }

  private newTicket(appId: string, type: SandboxTicketType): Credential {
    const cred = { ...this.credential(randomBytes(64).toString('base64url'), appId, this.opts.ticketExpiresInSec), type };
    this.tickets.set(cred.value, cred);
    return cred;
  }

  private credential(value: string, appId: string, lifetimeSec: number): Credential {
    this.issued.add(value);
    return { value, appId, expiresAt: this.opts.now() + lifetimeSec * 1000, cutoffAt: Infinity };
  }
}

export function isTicketType(value: unknown): value is SandboxTicketType {
  return value === 'jsapi' || value === 'wx_card';
}
