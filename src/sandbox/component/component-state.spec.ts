import { ComponentState } from './component-state.js';

const COMPONENT = 'wxc0c0c0c0c0c0c0c0';

function setUp() {
  let now = Date.UTC(2026, 11, 8);
  const state = new ComponentState({
    componentAppId: COMPONENT,
    componentAppSecret: 'component-secret',
    authorizers: ['wxa1', 'wxa2'],
    now: () => now,
  });
  const token = () => {
    const r = state.componentToken({
      component_appid: COMPONENT,
      component_appsecret: 'component-secret',
      component_verify_ticket: state.issueTicket(),
    });
    if (!r.ok) throw new Error(`no token: ${r.errcode}`);
    return r.body.component_access_token;
  };
  return { state, token, advance: (ms: number) => (now += ms) };
}

const body = (extra: Record<string, unknown> = {}) => ({ component_appid: COMPONENT, ...extra });
const errcode = (r: { ok: boolean; errcode?: number }) => (r.ok ? 0 : r.errcode);

describe('the sandbox third-party platform', () => {
  it('hands out a component token only for a pushed ticket younger than 12 hours, with the right appId and secret', () => {
    const { state, advance } = setUp();
    const ticket = state.issueTicket();
    const ask = (extra: Record<string, unknown>) =>
      state.componentToken({
        component_appid: COMPONENT,
        component_appsecret: 'component-secret',
        component_verify_ticket: ticket,
        ...extra,
      });
    expect(ask({})).toMatchObject({ ok: true, body: { expires_in: 7200 } });
    expect(errcode(ask({ component_verify_ticket: 'ticket@@@made-up' }))).toBe(61006);
    expect(errcode(ask({ component_verify_ticket: null }))).toBe(61006);
    expect(errcode(ask({ component_appid: 'wx0' }))).toBe(61011);
    expect(errcode(ask({ component_appsecret: '' }))).toBe(41004);
    expect(errcode(ask({ component_appsecret: 'wrong' }))).toBe(40125);
    advance(12 * 3600_000);
    expect(errcode(ask({}))).toBe(61005);
  });

  it('runs an authorization: a pre_auth_code, the consent, the code for the authorizer and its tokens', () => {
    const { state, token } = setUp();
    const platform = token();
    const pre = state.preAuthCode(platform, body());
    if (!pre.ok) throw new Error('no pre_auth_code');
    expect(pre.body.pre_auth_code).toMatch(/^preauthcode@@@/);
    const consent = state.consent(pre.body.pre_auth_code, 'wxa1');
    if (!consent.ok) throw new Error('no consent');
    // a pre_auth_code is single use
    expect(errcode(state.consent(pre.body.pre_auth_code, 'wxa1'))).toBe(61009);
    const auth = state.queryAuth(platform, body({ authorization_code: consent.body.auth_code }));
    if (!auth.ok) throw new Error('no auth');
    const info = auth.body.authorization_info as Record<string, string>;
    expect(info).toMatchObject({
      authorizer_appid: 'wxa1',
      expires_in: 7200,
      authorizer_refresh_token: expect.stringMatching(/^refreshtoken@@@/),
    });
    expect(state.authorizerOf(info.authorizer_access_token)).toBe('wxa1');
    // the code is single use
    expect(errcode(state.queryAuth(platform, body({ authorization_code: consent.body.auth_code })))).toBe(61009);
    const refreshed = state.refreshAuthorizer(
      platform,
      body({ authorizer_appid: 'wxa1', authorizer_refresh_token: info.authorizer_refresh_token }),
    );
    expect(refreshed).toMatchObject({ ok: true, body: { authorizer_refresh_token: info.authorizer_refresh_token } });
  });

  it('voids the old refresh token on a new authorization, and all of it on revocation (61023)', () => {
    const { state, token } = setUp();
    const platform = token();
    const authorize = () => {
      const pre = state.preAuthCode(platform, body());
      const consent = pre.ok ? state.consent(pre.body.pre_auth_code, 'wxa2') : pre;
      const auth = consent.ok ? state.queryAuth(platform, body({ authorization_code: consent.body.auth_code })) : consent;
      if (!auth.ok) throw new Error('no auth');
      return auth.body.authorization_info as Record<string, string>;
    };
    const first = authorize();
    const second = authorize();
    const refresh = (rt: string) =>
      state.refreshAuthorizer(platform, body({ authorizer_appid: 'wxa2', authorizer_refresh_token: rt }));
    expect(errcode(refresh(first.authorizer_refresh_token))).toBe(61023);
    expect(refresh(second.authorizer_refresh_token).ok).toBe(true);
    state.revoke('wxa2');
    expect(errcode(refresh(second.authorizer_refresh_token))).toBe(61023);
    expect(state.authorizerOf(second.authorizer_access_token)).toBeUndefined();
  });

  it('checks the platform token of every call, the codes’ lifetimes and the accounts offered', () => {
    const { state, token, advance } = setUp();
    expect(errcode(state.preAuthCode(undefined, body()))).toBe(41001);
    expect(errcode(state.preAuthCode('made-up', body()))).toBe(40001);
    const platform = token();
    expect(errcode(state.preAuthCode(platform, body({ component_appid: 'wx0' })))).toBe(61011);
    const pre = state.preAuthCode(platform, body());
    if (!pre.ok) throw new Error('no pre_auth_code');
    expect(errcode(state.consent(pre.body.pre_auth_code, 'wxnot-offered'))).toBe(40013);
    advance(600_000);
    expect(errcode(state.consent(pre.body.pre_auth_code, 'wxa1'))).toBe(61010);
    advance(7200_000);
    expect(errcode(state.preAuthCode(platform, body()))).toBe(42001);
    expect(state.authorizerAppIds).toEqual(['wxa1', 'wxa2']);
  });
});
