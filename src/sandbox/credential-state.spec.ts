import { CredentialState, type TokenBody } from './credential-state.js';
import { resolveSandboxOptions, SANDBOX_DEFAULT_ACCOUNT, type SandboxOptions } from './sandbox.options.js';

const START = Date.UTC(2024, 0, 15, 8, 0, 0);
const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;
const creds = { grant_type: 'client_credential', appid: appId, secret: appSecret };

function setup(options: SandboxOptions = {}) {
  const clock = { t: START };
  const state = new CredentialState(resolveSandboxOptions({ now: () => clock.t, ...options }));
  const advance = (sec: number) => {
    clock.t += sec * 1000;
  };
  return { state, clock, advance };
}

function body<T>(result: { ok: true; body: T } | { ok: false; errcode: number; errmsg: string }): T {
  if (!result.ok) throw new Error(`expected success, got ${result.errcode} ${result.errmsg}`);
  return result.body;
}

const classic = (s: CredentialState): TokenBody => body(s.classicToken(creds));
const stable = (s: CredentialState, force = false): TokenBody => body(s.stableToken(creds, force));
const errcodeOf = (r: { ok: boolean; errcode?: number }) => (r.ok ? 0 : r.errcode);

describe('CredentialState: classic cgi-bin/token', () => {
  it('issues a new long url-safe token per call with expires_in 7200', () => {
    const { state } = setup();
    const a = classic(state);
    const b = classic(state);
    expect(a.expires_in).toBe(7200);
    expect(a.access_token).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    expect(b.access_token).not.toBe(a.access_token);
  });

  it('keeps the previous token valid for graceSec only, then reports it as not latest', () => {
    const { state, advance } = setup();
    const a = classic(state).access_token;
    advance(100);
    const b = classic(state).access_token;
    advance(299);
    expect(state.isAccessTokenValid(a)).toBe(true);
    advance(1);
    expect(state.checkAccessToken(a)).toMatchObject({ ok: false, errcode: 40001 });
    expect(state.checkAccessToken(b)).toEqual({ ok: true, appId });
  });

  it('invalidates tokens older than the previous one at once', () => {
    const { state, advance } = setup();
    const a = classic(state).access_token;
    advance(10);
    const b = classic(state).access_token;
    advance(10);
    classic(state);
    expect(state.checkAccessToken(a)).toMatchObject({ ok: false, errcode: 40001 });
    expect(state.isAccessTokenValid(b)).toBe(true);
  });

  it('ends the grace at the old token own expiry, reported as expired', () => {
    const { state, advance } = setup();
    const a = classic(state).access_token;
    advance(7100);
    classic(state);
    advance(99);
    expect(state.isAccessTokenValid(a)).toBe(true);
    advance(1);
    expect(state.checkAccessToken(a)).toMatchObject({ ok: false, errcode: 42001, errmsg: 'access_token expired' });
  });

  it('expires an unrotated token after its lifetime with 42001', () => {
    const { state, advance } = setup();
    const a = classic(state).access_token;
    advance(7199);
    expect(state.isAccessTokenValid(a)).toBe(true);
    advance(1);
    expect(state.checkAccessToken(a)).toMatchObject({ ok: false, errcode: 42001 });
  });

  it('enforces the daily quota with 45009 until the next UTC day', () => {
    const { state, clock } = setup({ tokenDailyQuota: 3 });
    for (let i = 0; i < 3; i++) classic(state);
    expect(state.classicToken(creds)).toMatchObject({
      ok: false,
      errcode: 45009,
      errmsg: 'reach max api daily quota limit',
    });
    clock.t = Date.UTC(2024, 0, 16, 0, 0, 0);
    expect(state.classicToken(creds).ok).toBe(true);
  });

  it('checks grant_type, appid and secret with WeChat errcodes', () => {
    const { state } = setup();
    const err = (req: Record<string, string | undefined>) => errcodeOf(state.classicToken({ ...creds, ...req }));
    expect(err({ grant_type: 'password' })).toBe(40002);
    expect(err({ grant_type: undefined })).toBe(40002);
    expect(err({ appid: undefined })).toBe(41002);
    expect(err({ secret: '' })).toBe(41004);
    expect(err({ appid: 'wx0000000000000000' })).toBe(40013);
    expect(state.classicToken({ ...creds, secret: 'nope' })).toMatchObject({ errcode: 40125, errmsg: 'invalid appsecret' });
    const legacy = setup({ wrongSecretErrcode: 40001 }).state;
    expect(errcodeOf(legacy.classicToken({ ...creds, secret: 'nope' }))).toBe(40001);
  });

  it('supports several configured accounts', () => {
    const { state } = setup({
      accounts: [
        { appId: 'wxa', appSecret: 'sa' },
        { appId: 'wxb', appSecret: 'sb' },
      ],
    });
    const r = state.classicToken({ grant_type: 'client_credential', appid: 'wxb', secret: 'sb' });
    expect(r.ok && state.checkAccessToken(r.body.access_token)).toEqual({ ok: true, appId: 'wxb' });
    expect(errcodeOf(state.classicToken(creds))).toBe(40013);
  });
});

describe('CredentialState: stable_token', () => {
  it('returns the same token with decreasing, floored expires_in in normal mode', () => {
    const { state, advance } = setup();
    const first = stable(state);
    expect(first.expires_in).toBe(7200);
    advance(10.5);
    expect(stable(state)).toEqual({ access_token: first.access_token, expires_in: 7189 });
  });

  it('is isolated from classic tokens', () => {
    const { state } = setup();
    const s = stable(state).access_token;
    classic(state);
    classic(state);
    classic(state);
    expect(stable(state).access_token).toBe(s);
    expect(state.isAccessTokenValid(s)).toBe(true);
  });

  it('rotates within the last graceSec and keeps the old token until its own expiry', () => {
    const { state, advance } = setup();
    const old = stable(state).access_token;
    advance(7200 - 301);
    expect(stable(state)).toEqual({ access_token: old, expires_in: 301 });
    advance(1);
    const next = stable(state);
    expect(next.access_token).not.toBe(old);
    expect(next.expires_in).toBe(7200);
    expect(stable(state).access_token).toBe(next.access_token);
    advance(299);
    expect(state.isAccessTokenValid(old)).toBe(true);
    advance(1);
    expect(state.checkAccessToken(old)).toMatchObject({ ok: false, errcode: 42001 });
    expect(state.currentStableToken(appId)).toBe(next.access_token);
  });

  it('force_refresh invalidates the previous token at once', () => {
    const { state, advance } = setup();
    const old = stable(state).access_token;
    advance(60);
    const forced = stable(state, true);
    expect(forced.access_token).not.toBe(old);
    expect(forced.expires_in).toBe(7200);
    expect(state.checkAccessToken(old)).toMatchObject({ ok: false, errcode: 40001 });
  });

  it('ignores forces closer than the spacing and answers with the current token', () => {
    const { state, advance } = setup();
    const a = stable(state, true).access_token;
    advance(29);
    expect(stable(state, true)).toEqual({ access_token: a, expires_in: 7171 });
    advance(1);
    const b = stable(state, true).access_token;
    expect(b).not.toBe(a);
    expect(state.isAccessTokenValid(a)).toBe(false);
  });

  it('allows 20 successful forces a day, then 45009', () => {
    const { state, advance, clock } = setup();
    for (let i = 0; i < 20; i++) {
      stable(state, true);
      advance(30);
    }
    expect(state.stableToken(creds, true)).toMatchObject({ ok: false, errcode: 45009 });
    expect(stable(state).expires_in).toBeGreaterThan(300); // normal mode still works
    clock.t = Date.UTC(2024, 0, 16, 1, 0, 0);
    expect(state.stableToken(creds, true).ok).toBe(true);
  });

  it('enforces its own daily quota and credential checks', () => {
    const { state } = setup({ stableDailyQuota: 2 });
    stable(state);
    stable(state);
    expect(errcodeOf(state.stableToken(creds))).toBe(45009);
    expect(errcodeOf(state.stableToken({ ...creds, secret: 'x' }))).toBe(40125);
    expect(classic(state).expires_in).toBe(7200);
  });
});

describe('CredentialState: tickets', () => {
  it('returns the WeChat success shape and the same ticket while fresh', () => {
    const { state, advance } = setup();
    const token = classic(state).access_token;
    const t1 = body(state.getTicket(token, 'jsapi'));
    expect(t1).toEqual({
      errcode: 0,
      errmsg: 'ok',
      ticket: expect.stringMatching(/^[A-Za-z0-9_-]{80,}$/),
      expires_in: 7200,
    });
    advance(100);
    expect(body(state.getTicket(token, 'jsapi'))).toMatchObject({ ticket: t1.ticket, expires_in: 7100 });
    expect(state.currentTicket(appId, 'jsapi')).toBe(t1.ticket);
  });

  it('keeps jsapi and wx_card tickets apart', () => {
    const { state } = setup();
    const token = stable(state).access_token;
    const jsapi = body(state.getTicket(token, 'jsapi')).ticket;
    const card = body(state.getTicket(token, 'wx_card')).ticket;
    expect(card).not.toBe(jsapi);
    expect(state.isTicketValid(appId, 'wx_card', card)).toBe(true);
    expect(state.isTicketValid(appId, 'jsapi', card)).toBe(false);
  });

  it('rotates in the last graceSec with an overlap until the old expiry', () => {
    const { state, advance } = setup();
    const token = () => stable(state).access_token;
    const old = body(state.getTicket(token(), 'jsapi')).ticket;
    advance(7200 - 300);
    const next = body(state.getTicket(token(), 'jsapi'));
    expect(next.ticket).not.toBe(old);
    expect(next.expires_in).toBe(7200);
    advance(299);
    expect(state.isTicketValid(appId, 'jsapi', old)).toBe(true);
    advance(1);
    expect(state.isTicketValid(appId, 'jsapi', old)).toBe(false);
    expect(state.currentTicket(appId, 'jsapi')).toBe(next.ticket);
  });

  it('rejects bad tokens and types', () => {
    const { state, advance } = setup();
    const token = classic(state).access_token;
    expect(state.getTicket(undefined, 'jsapi')).toMatchObject({ errcode: 41001, errmsg: 'access_token missing' });
    expect(state.getTicket('', 'jsapi')).toMatchObject({ errcode: 41001 });
    expect(state.getTicket('made-up', 'jsapi')).toMatchObject({
      errcode: 40001,
      errmsg: 'invalid credential, access_token is invalid or not latest',
    });
    expect(state.getTicket(token, 'card')).toMatchObject({ errcode: 40097, errmsg: 'invalid args' });
    expect(state.getTicket(token, undefined)).toMatchObject({ errcode: 40097 });
    advance(7200);
    expect(state.getTicket(token, 'jsapi')).toMatchObject({ errcode: 42001 });
  });

  it('enforces the ticket daily quota', () => {
    const { state } = setup({ ticketDailyQuota: 2 });
    const token = classic(state).access_token;
    state.getTicket(token, 'jsapi');
    state.getTicket(token, 'wx_card');
    expect(state.getTicket(token, 'jsapi')).toMatchObject({ ok: false, errcode: 45009 });
  });
});

describe('CredentialState: issuedSecrets', () => {
  it('lists the account secret and every token and ticket ever issued', () => {
    const { state, advance } = setup();
    const c1 = classic(state).access_token;
    const c2 = classic(state).access_token;
    const s1 = stable(state).access_token;
    advance(30);
    const s2 = stable(state, true).access_token;
    const t = body(state.getTicket(c2, 'wx_card')).ticket;
    expect(state.issuedSecrets()).toEqual(expect.arrayContaining([appSecret, c1, c2, s1, s2, t]));
  });
});

describe('CredentialState: cgi-bin/getcallbackip', () => {
  it("answers WeChat's address list for a valid token, spends no token quota, and refuses others as WeChat does", () => {
    const { state, advance } = setup({ tokenDailyQuota: 2 });
    const token = classic(state).access_token;
    for (let i = 0; i < 5; i++) expect(body(state.callbackIps(token)).ip_list).toEqual(['127.0.0.1', '::1']);
    // the quota of cgi-bin/token is untouched by the checks: one fetch is still left
    expect(errcodeOf(state.classicToken(creds))).toBe(0);
    expect(errcodeOf(state.callbackIps(undefined))).toBe(41001);
    expect(errcodeOf(state.callbackIps('not-a-token'))).toBe(40001);
    const lasting = stable(state).access_token;
    advance(7200);
    expect(errcodeOf(state.callbackIps(lasting))).toBe(42001);
  });
});
