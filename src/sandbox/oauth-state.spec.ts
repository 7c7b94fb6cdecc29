import { OAuthState, type SandboxScope, type WebTokenBody } from './oauth-state.js';
import { resolveSandboxOptions, SANDBOX_DEFAULT_ACCOUNT, type SandboxOptions } from './sandbox.options.js';
import { SANDBOX_USERS, sandboxOpenid } from './test-users.js';

const START = Date.UTC(2024, 2, 10, 9, 0, 0);
const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;
const OTHER = { appId: 'wx00000000000000b2', appSecret: 'other-secret' };
const REDIRECT = 'https://h5.example.com/wechat/oauth/callback';

function setup(options: SandboxOptions = {}) {
  const clock = { t: START };
  const state = new OAuthState(
    resolveSandboxOptions({ accounts: [SANDBOX_DEFAULT_ACCOUNT, OTHER], now: () => clock.t, ...options }),
  );
  const advance = (sec: number) => {
    clock.t += sec * 1000;
  };
  const code = (user = 'alice', scope: SandboxScope = 'snsapi_userinfo', app = appId) =>
    state.issueCode(app, user, scope, REDIRECT);
  const exchange = (c: string, extra: Record<string, string> = {}) =>
    state.exchangeCode({ appid: appId, secret: appSecret, code: c, grant_type: 'authorization_code', ...extra });
  return { state, advance, code, exchange };
}

function ok<T>(result: { ok: true; body: T } | { ok: false; errcode: number; errmsg: string }): T {
  if (!result.ok) throw new Error(`expected success, got ${result.errcode} ${result.errmsg}`);
  return result.body;
}
const errcodeOf = (r: { ok: boolean; errcode?: number }) => (r.ok ? 0 : r.errcode);

describe('test users', () => {
  it('ships alice, html, snapshot and ctrl with fake avatars and per-app openids', () => {
    expect(SANDBOX_USERS.map((u) => u.key)).toEqual(['alice', 'html', 'snapshot', 'ctrl']);
    for (const u of SANDBOX_USERS) {
      expect(u.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
      expect(u.openid).toBe(sandboxOpenid(appId, u.key));
      expect(u.headimgurl).toMatch(/^https:\/\/thirdwx\.qlogo\.cn\/mmopen\/sandbox\/[\w-]+\/132$/);
    }
    expect(sandboxOpenid(OTHER.appId, 'alice')).not.toBe(sandboxOpenid(appId, 'alice'));
    expect(SANDBOX_USERS.find((u) => u.key === 'ctrl')!.nickname).toContain('\u0001');
  });

  it('rejects duplicate or malformed user keys', () => {
    const user = { key: 'bob', nickname: 'Bob', headimgurl: '' };
    expect(() => resolveSandboxOptions({ users: [user, user] })).toThrow(/duplicate/);
    expect(() => resolveSandboxOptions({ users: [{ ...user, key: 'a b' }] })).toThrow(/key/);
    expect(resolveSandboxOptions({ users: [] }).users.map((u) => u.key)).toEqual(['alice', 'html', 'snapshot', 'ctrl']);
  });
});

describe('OAuthState: codes', () => {
  it('exchanges a code once, then answers 40163', () => {
    const { code, exchange } = setup();
    const c = code();
    const body = ok(exchange(c));
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{90,}$/),
      expires_in: 7200,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{90,}$/),
      openid: sandboxOpenid(appId, 'alice'),
      scope: 'snsapi_userinfo',
      unionid: SANDBOX_USERS[0].unionid,
    });
    expect(exchange(c)).toMatchObject({ ok: false, errcode: 40163, errmsg: 'code been used' });
  });

  it('expires unused codes after 5 minutes with the configured errcode', () => {
    const { code, exchange, advance } = setup();
    const fresh = code();
    const stale = code();
    advance(299);
    expect(errcodeOf(exchange(fresh))).toBe(0);
    advance(1);
    expect(exchange(stale)).toMatchObject({ ok: false, errcode: 40029, errmsg: 'invalid code' });

    const custom = setup({ expiredCodeErrcode: 42003, codeTtlSec: 10 });
    const c = custom.code();
    custom.advance(10);
    expect(errcodeOf(custom.exchange(c))).toBe(42003);
  });

  it('rejects unknown, missing and foreign codes and bad credentials without burning the code', () => {
    const { code, exchange } = setup({ wrongSecretErrcode: 40001 });
    const c = code();
    expect(errcodeOf(exchange('made-up'))).toBe(40029);
    expect(errcodeOf(exchange(''))).toBe(41008);
    expect(errcodeOf(exchange(c, { appid: OTHER.appId, secret: OTHER.appSecret }))).toBe(40029);
    expect(errcodeOf(exchange(c, { secret: 'wrong' }))).toBe(40001);
    expect(errcodeOf(exchange(c, { secret: '' }))).toBe(41004);
    expect(errcodeOf(exchange(c, { appid: '' }))).toBe(41002);
    expect(errcodeOf(exchange(c, { appid: 'wx-unknown' }))).toBe(40013);
    expect(errcodeOf(exchange(c, { grant_type: 'client_credential' }))).toBe(40002);
    expect(errcodeOf(exchange(c))).toBe(0);
  });

  it('answers 40125 for a wrong secret by default', () => {
    const { code, exchange } = setup();
    expect(errcodeOf(exchange(code(), { secret: 'wrong' }))).toBe(40125);
  });

  it('sends unionid only with snsapi_userinfo and is_snapshotuser only for the snapshot user', () => {
    const { code, exchange } = setup();
    const base = ok(exchange(code('alice', 'snsapi_base')));
    expect(base.scope).toBe('snsapi_base');
    expect(base).not.toHaveProperty('unionid');
    expect(base).not.toHaveProperty('is_snapshotuser');
    expect(ok(exchange(code('html')))).not.toHaveProperty('unionid');
    const snap = ok(exchange(code('snapshot')));
    expect(snap.is_snapshotuser).toBe(1);
    expect(snap.openid).toBe(sandboxOpenid(appId, 'snapshot'));
  });
});

describe('OAuthState: web tokens', () => {
  const userinfoToken = (s: ReturnType<typeof setup>, user = 'alice', scope: SandboxScope = 'snsapi_userinfo') =>
    ok(s.exchange(s.code(user, scope)));

  it('serves the modern profile for snsapi_userinfo tokens', () => {
    const s = setup();
    const t = userinfoToken(s);
    const info = s.state.userInfo(t.access_token, t.openid);
    expect(info.ok && info.body).toEqual({
      openid: t.openid,
      nickname: 'Alice 小明',
      sex: 0,
      province: '',
      city: '',
      country: '',
      headimgurl: 'https://thirdwx.qlogo.cn/mmopen/sandbox/alice/132',
      privilege: [],
      unionid: SANDBOX_USERS[0].unionid,
    });
    const snap = userinfoToken(s, 'snapshot');
    const snapInfo = s.state.userInfo(snap.access_token, snap.openid, 'en');
    expect(snapInfo.ok && snapInfo.body).toMatchObject({ nickname: '微信用户' });
    expect(snapInfo.ok && snapInfo.body).not.toHaveProperty('unionid');
  });

  it('refuses userinfo for base tokens, foreign openids and unknown langs', () => {
    const s = setup();
    const base = userinfoToken(s, 'alice', 'snsapi_base');
    expect(errcodeOf(s.state.userInfo(base.access_token, base.openid))).toBe(48001);
    const t = userinfoToken(s);
    expect(errcodeOf(s.state.userInfo(t.access_token, sandboxOpenid(appId, 'html')))).toBe(40003);
    expect(errcodeOf(s.state.userInfo(t.access_token, undefined))).toBe(41009);
    expect(errcodeOf(s.state.userInfo(t.access_token, t.openid, 'fr'))).toBe(40035);
    expect(errcodeOf(s.state.userInfo(undefined, t.openid))).toBe(41001);
    expect(errcodeOf(s.state.userInfo('nope', t.openid))).toBe(40001);
    // sns/auth does not care about the scope
    expect(s.state.authCheck(base.access_token, base.openid)).toEqual({ ok: true, body: { errcode: 0, errmsg: 'ok' } });
    expect(errcodeOf(s.state.authCheck(base.access_token, sandboxOpenid(OTHER.appId, 'alice')))).toBe(40003);
  });

  it('expires web tokens after 7200 s with 42001', () => {
    const s = setup();
    const t = userinfoToken(s);
    s.advance(7199);
    expect(s.state.isWebTokenValid(t.access_token)).toBe(true);
    s.advance(1);
    expect(s.state.isWebTokenValid(t.access_token)).toBe(false);
    expect(errcodeOf(s.state.authCheck(t.access_token, t.openid))).toBe(42001);
    expect(errcodeOf(s.state.userInfo(t.access_token, t.openid))).toBe(42001);
  });

  it('refreshes with a new access_token and the same refresh_token for 30 days', () => {
    const s = setup();
    const t = userinfoToken(s, 'snapshot');
    const refresh = (extra: Record<string, string> = {}) =>
      s.state.refresh({ appid: appId, grant_type: 'refresh_token', refresh_token: t.refresh_token, ...extra });
    s.advance(8000);
    const r: WebTokenBody = ok(refresh());
    expect(r).toMatchObject({ refresh_token: t.refresh_token, openid: t.openid, scope: 'snsapi_userinfo', expires_in: 7200 });
    expect(r.is_snapshotuser).toBe(1);
    expect(r.access_token).not.toBe(t.access_token);
    expect(s.state.isWebTokenValid(r.access_token)).toBe(true);
    expect(errcodeOf(refresh({ refresh_token: 'nope' }))).toBe(40030);
    expect(errcodeOf(refresh({ refresh_token: '' }))).toBe(41003);
    expect(errcodeOf(refresh({ appid: OTHER.appId }))).toBe(40030);
    expect(errcodeOf(refresh({ appid: 'wx-unknown' }))).toBe(40013);
    expect(errcodeOf(refresh({ grant_type: 'authorization_code' }))).toBe(40002);
    s.advance(30 * 86400 - 8000 - 1);
    expect(errcodeOf(refresh())).toBe(0);
    s.advance(1);
    expect(refresh()).toMatchObject({ ok: false, errcode: 42002, errmsg: 'refresh_token expired' });
  });

  it('keeps per-app openids apart', () => {
    const s = setup();
    const c = s.code('alice', 'snsapi_base', OTHER.appId);
    const t = ok(s.exchange(c, { appid: OTHER.appId, secret: OTHER.appSecret }));
    expect(t.openid).toBe(sandboxOpenid(OTHER.appId, 'alice'));
    expect(t.openid).not.toBe(sandboxOpenid(appId, 'alice'));
  });

  it('records every code and token as an issued secret', () => {
    const s = setup();
    const c = s.code();
    const t = ok(s.exchange(c));
    expect(s.state.issuedSecrets()).toEqual(expect.arrayContaining([c, t.access_token, t.refresh_token]));
  });
});
