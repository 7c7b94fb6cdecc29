import { SandboxAuthorizeError, withQuery } from './authorize-request.js';
import { escapeHtml } from './consent-page.js';
import { Sandbox } from './sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT, SANDBOX_WEBSITE_APP } from './sandbox.options.js';

const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;
const CALLBACK = 'https://h5.example.com/wechat/oauth/callback';

/** The authorize url exactly as the service builds it. */
function authorizeUrl(params: Record<string, string> = {}, base = 'http://127.0.0.1:1/sandbox') {
  const query = new URLSearchParams({
    appid: appId,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'snsapi_userinfo',
    state: 'AbC123xyz0123456',
    ...params,
  });
  return `${base}/connect/oauth2/authorize?${query}#wechat_redirect`;
}

function errorCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SandboxAuthorizeError) return err.code;
    throw err;
  }
  return undefined;
}

describe('Sandbox.authorize()', () => {
  it('approves as the default user and returns the callback url with code and state', () => {
    const sandbox = new Sandbox();
    const redirect = new URL(sandbox.authorize(authorizeUrl()));
    expect(redirect.origin + redirect.pathname).toBe(CALLBACK);
    expect(redirect.searchParams.get('state')).toBe('AbC123xyz0123456');
    const code = redirect.searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(sandbox.calls('connect/oauth2/authorize')).toBe(1);
    expect(sandbox.issuedSecrets()).toContain(code);
    const token = sandbox.oauth.exchangeCode({ appid: appId, secret: appSecret, code, grant_type: 'authorization_code' });
    expect(token).toMatchObject({ ok: true, body: { openid: sandbox.openidOf(appId, 'alice') } });
    if (token.ok) {
      expect(sandbox.validWebToken(token.body.access_token)).toBe(true);
      expect(sandbox.issuedSecrets()).toContain(token.body.access_token);
    }
  });

  it('picks another user, or refuses with state only', () => {
    const sandbox = new Sandbox();
    const asHtml = new URL(sandbox.authorize(authorizeUrl(), { user: 'html' }));
    const code = asHtml.searchParams.get('code')!;
    const token = sandbox.oauth.exchangeCode({ appid: appId, secret: appSecret, code, grant_type: 'authorization_code' });
    expect(token.ok && token.body.openid).toBe(sandbox.openidOf(appId, 'html'));
    expect(sandbox.authorize(authorizeUrl(), { decision: 'deny' })).toBe(`${CALLBACK}?state=AbC123xyz0123456`);
    const viaParam = new URL(sandbox.authorize(authorizeUrl({ scope: 'snsapi_base', sandbox_user: 'snapshot' })));
    const snap = sandbox.oauth.exchangeCode({
      appid: appId,
      secret: appSecret,
      code: viaParam.searchParams.get('code')!,
      grant_type: 'authorization_code',
    });
    expect(snap).toMatchObject({ ok: true, body: { scope: 'snsapi_base', is_snapshotuser: 1 } });
  });

  it('throws the error-page code for invalid requests, counting each call', () => {
    const sandbox = new Sandbox();
    const cases: [Record<string, string>, number][] = [
      [{ appid: '' }, 10012],
      [{ appid: 'wx-unknown' }, 10012],
      [{ redirect_uri: '' }, 10011],
      [{ redirect_uri: 'javascript:alert(1)' }, 10003],
      [{ redirect_uri: '/relative' }, 10003],
      [{ scope: '' }, 10010],
      [{ scope: 'snsapi_login' }, 10005],
      [{ response_type: 'token' }, 19001],
      [{ state: 'x'.repeat(129) }, 10013],
      [{ state: 'a-b' }, 10013],
      [{ sandbox_user: 'mallory' }, 19002],
    ];
    for (const [params, code] of cases) expect(errorCode(() => sandbox.authorize(authorizeUrl(params)))).toBe(code);
    expect(errorCode(() => sandbox.authorize(authorizeUrl(), { user: 'mallory' }))).toBe(19002);
    expect(sandbox.calls('connect/oauth2/authorize')).toBe(cases.length + 1);
    expect(() => sandbox.authorize('not a url')).toThrow(/absolute url/);
    expect(() => sandbox.authorize('https://open.weixin.qq.com/connect/other?appid=x')).toThrow(/path/);
    // an account's appId on the website QR page
    expect(
      errorCode(() =>
        sandbox.authorize(authorizeUrl({ scope: 'snsapi_login' }).replace('/connect/oauth2/authorize', '/connect/qrconnect')),
      ),
    ).toBe(10005);
    // state is optional and may be 128 characters
    expect(sandbox.authorize(authorizeUrl({ state: '' }), { decision: 'deny' })).toBe(`${CALLBACK}?state=`);
    expect(errorCode(() => sandbox.authorize(authorizeUrl({ state: 'a'.repeat(128) })))).toBeUndefined();
  });

  it('exposes users with openids of the first account, stable per app', () => {
    const other = { appId: 'wx00000000000000c3', appSecret: 's' };
    const sandbox = new Sandbox({ accounts: [SANDBOX_DEFAULT_ACCOUNT, other] });
    const alice = sandbox.users[0];
    expect(alice).toMatchObject({ key: 'alice', openid: sandbox.openidOf(appId, 'alice') });
    expect(sandbox.openidOf(other.appId, 'alice')).not.toBe(alice.openid);
    expect(new Sandbox().openidOf(appId, 'alice')).toBe(alice.openid);
    expect(() => sandbox.openidOf(appId, 'nobody')).toThrow(/unknown test user/);
  });
});

describe('withQuery and escapeHtml', () => {
  it('appends with ? or & and keeps a fragment last', () => {
    expect(withQuery('https://a.example/cb', [['state', 's']])).toBe('https://a.example/cb?state=s');
    expect(withQuery('https://a.example/cb?x=1', [['code', 'c']])).toBe('https://a.example/cb?x=1&code=c');
    expect(withQuery('https://a.example/cb?', [['code', 'c']])).toBe('https://a.example/cb?code=c');
    expect(withQuery('https://a.example/cb#top', [['code', 'c']])).toBe('https://a.example/cb?code=c#top');
  });

  it('escapes markup and shows control characters visibly', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml('Ctrl\u0001User')).toBe('Ctrl\u2401User');
  });

  it('logs a website application in by QR (snsapi_login): its own openid, the same unionid as the account, a profile', () => {
    const sandbox = new Sandbox();
    const web = SANDBOX_WEBSITE_APP;
    const qrUrl = (params: Record<string, string> = {}) =>
      authorizeUrl({ appid: web.appId, scope: 'snsapi_login', ...params }).replace(
        '/connect/oauth2/authorize',
        '/connect/qrconnect',
      );
    const code = new URL(sandbox.authorize(qrUrl(), { user: 'alice' })).searchParams.get('code')!;
    expect(sandbox.calls('connect/qrconnect')).toBe(1);
    const exchanged = sandbox.oauth.exchangeCode({
      appid: web.appId,
      secret: web.appSecret,
      code,
      grant_type: 'authorization_code',
    });
    if (!exchanged.ok) throw new Error('exchange failed');
    expect(exchanged.body).toMatchObject({ scope: 'snsapi_login', openid: sandbox.openidOf(web.appId, 'alice') });
    expect(exchanged.body.openid).not.toBe(sandbox.openidOf(appId, 'alice'));
    // the account's own login of the same person carries the same unionid
    const oaCode = new URL(sandbox.authorize(authorizeUrl(), { user: 'alice' })).searchParams.get('code')!;
    const oa = sandbox.oauth.exchangeCode({ appid: appId, secret: appSecret, code: oaCode, grant_type: 'authorization_code' });
    if (!oa.ok) throw new Error('exchange failed');
    expect(exchanged.body.unionid).toBeDefined();
    expect(exchanged.body.unionid).toBe(oa.body.unionid);
    const info = sandbox.oauth.userInfo(exchanged.body.access_token, exchanged.body.openid);
    expect(info.ok && info.body.unionid).toBe(oa.body.unionid);
    // the website's code is its own: the account cannot exchange it, nor the website with the account's secret
    const other = new URL(sandbox.authorize(qrUrl(), { user: 'alice' })).searchParams.get('code')!;
    expect(
      sandbox.oauth.exchangeCode({ appid: appId, secret: appSecret, code: other, grant_type: 'authorization_code' }),
    ).toMatchObject({ ok: false, errcode: 40029 });
    expect(
      sandbox.oauth.exchangeCode({ appid: web.appId, secret: appSecret, code: other, grant_type: 'authorization_code' }),
    ).toMatchObject({ ok: false, errcode: 40125 });
    // a website application in WeChat's own page, and a scope the QR page does not take
    expect(errorCode(() => sandbox.authorize(authorizeUrl({ appid: web.appId, scope: 'snsapi_base' })))).toBe(10005);
    expect(errorCode(() => sandbox.authorize(qrUrl({ scope: 'snsapi_userinfo' })))).toBe(10005);
  });
});
