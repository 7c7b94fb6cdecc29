import { SANDBOX_DEFAULT_ACCOUNT } from './sandbox.options.js';
import { startSandbox, type SandboxServer } from './start-sandbox.js';

const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;
const CALLBACK = 'https://h5.example.com/wechat/oauth/callback';
const STATE = 'St4te0123456789abc';
const HTML_NICK = '<img src=x onerror=alert(1)> & "Bob" 🐼';

describe('sandbox OAuth routes over HTTP', () => {
  const clock = { t: Date.UTC(2024, 6, 1, 10, 0, 0) };
  let server: SandboxServer;

  const authorizePath = (params: Record<string, string> = {}) =>
    '/connect/oauth2/authorize?' +
    new URLSearchParams({
      appid: appId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'snsapi_userinfo',
      state: STATE,
      ...params,
    });
  const get = (path: string) => fetch(server.url + path, { redirect: 'manual' });
  const confirm = (fields: Record<string, string>) =>
    fetch(`${server.url}/connect/oauth2/authorize/confirm`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ appid: appId, redirect_uri: CALLBACK, scope: 'snsapi_userinfo', state: STATE, ...fields }),
    });
  const json = async (res: Response) => (await res.json()) as Record<string, unknown>;
  const codeFrom = (res: Response) => new URL(res.headers.get('location')!).searchParams.get('code')!;
  const exchange = (code: string) =>
    get(`/sns/oauth2/access_token?appid=${appId}&secret=${appSecret}&code=${code}&grant_type=authorization_code`);
  /** Consent as `user` (or silently with snsapi_base) and exchange the code. */
  const tokenFor = async (user: string, scope = 'snsapi_userinfo') => {
    const res =
      scope === 'snsapi_base'
        ? await get(authorizePath({ scope, sandbox_user: user }))
        : await confirm({ user, decision: 'allow' });
    return json(await exchange(codeFrom(res)));
  };

  beforeAll(async () => {
    server = await startSandbox({ now: () => clock.t });
  });
  afterAll(() => server.close());
  beforeEach(() => server.sandbox.clearFaults());

  it('serves the consent page: labelled, escaped, strict CSP, relative form action', async () => {
    const res = await get(authorizePath({ redirect_uri: `${CALLBACK}?a=1&b=<2>` }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-wechat-sandbox')).toBe('simulator');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self' https://h5.example.com");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    const html = await res.text();
    expect(html).toContain('<title>WeChat sandbox — simulated authorization</title>');
    expect(html).toMatch(/simulator/);
    expect(html).toContain('<form method="post" action="authorize/confirm">');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&quot; 🐼');
    expect(html).toContain('Alice 小明');
    expect(html).toContain(`value="${CALLBACK}?a=1&amp;b=&lt;2&gt;"`);
    expect(html).not.toContain('\u0001');
    expect(html).toContain('<input type="radio" name="user" value="alice" checked>');
    for (const key of ['html', 'snapshot', 'ctrl']) expect(html).toContain(`name="user" value="${key}">`);
    expect(html).toContain('<button type="submit" name="decision" value="allow" id="allow">Allow</button>');
    expect(html).toContain('<button type="submit" name="decision" value="deny" id="deny">Deny</button>');
    expect(html).toContain(`<input type="hidden" name="state" value="${STATE}">`);
  });

  it('Allow redirects with code and state, Deny with state only', async () => {
    const allow = await confirm({ user: 'html', decision: 'allow' });
    expect(allow.status).toBe(302);
    expect(allow.headers.get('location')).toMatch(new RegExp(`^${CALLBACK}\\?code=[\\w-]{32}&state=${STATE}$`));
    const withQuery = await confirm({ user: 'alice', decision: 'allow', redirect_uri: `${CALLBACK}?from=menu` });
    expect(withQuery.headers.get('location')).toMatch(new RegExp(`^${CALLBACK}\\?from=menu&code=[\\w-]{32}&state=`));
    const deny = await confirm({ user: 'alice', decision: 'deny' });
    expect(deny.status).toBe(302);
    expect(deny.headers.get('location')).toBe(`${CALLBACK}?state=${STATE}`);
  });

  it('re-validates the posted form and answers error pages', async () => {
    const cases: [Record<string, string>, number][] = [
      [{ user: 'mallory', decision: 'allow' }, 19002],
      [{ decision: 'allow' }, 19002],
      [{ user: 'alice', decision: 'maybe' }, 19003],
      [{ user: 'alice', decision: 'allow', appid: 'wx-unknown' }, 10012],
      [{ user: 'alice', decision: 'allow', redirect_uri: 'javascript:alert(1)' }, 10003],
      [{ user: 'alice', decision: 'allow', scope: 'snsapi_login' }, 10005],
      [{ user: 'alice', decision: 'allow', state: '<script>' }, 10013],
    ];
    for (const [fields, code] of cases) {
      const res = await confirm(fields);
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain(`data-errcode="${code}"`);
    }
  });

  it('authorizes snsapi_base silently, for the default or a named test user', async () => {
    const res = await get(authorizePath({ scope: 'snsapi_base' }));
    expect(res.status).toBe(302);
    const token = await json(await exchange(codeFrom(res)));
    expect(token).toMatchObject({ openid: server.sandbox.openidOf(appId, 'alice'), scope: 'snsapi_base' });
    expect(token).not.toHaveProperty('unionid');
    const html = await tokenFor('html', 'snsapi_base');
    expect(html.openid).toBe(server.sandbox.openidOf(appId, 'html'));
  });

  it('shows WeChat-style error pages for bad authorize requests', async () => {
    const cases: [Record<string, string>, number][] = [
      [{ appid: '' }, 10012],
      [{ redirect_uri: '' }, 10011],
      [{ scope: '' }, 10010],
      [{ scope: 'snsapi_login' }, 10005],
      [{ response_type: 'token' }, 19001],
      [{ state: 'x'.repeat(129) }, 10013],
      [{ scope: 'snsapi_base', sandbox_user: 'nobody' }, 19002],
    ];
    for (const [params, code] of cases) {
      const res = await get(authorizePath(params));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await res.text()).toContain(`Error ${code}:`);
    }
  });

  it('runs code → access_token → userinfo, with unionid only for snsapi_userinfo', async () => {
    const token = await tokenFor('alice');
    expect(Object.keys(token).sort()).toEqual(['access_token', 'expires_in', 'openid', 'refresh_token', 'scope', 'unionid']);
    expect(token).toMatchObject({ expires_in: 7200, scope: 'snsapi_userinfo' });
    const res = await get(`/sns/userinfo?access_token=${token.access_token}&openid=${token.openid}&lang=zh_CN`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await json(res)).toEqual({
      openid: token.openid,
      nickname: 'Alice 小明',
      sex: 0,
      province: '',
      city: '',
      country: '',
      headimgurl: 'https://thirdwx.qlogo.cn/mmopen/sandbox/alice/132',
      privilege: [],
      unionid: token.unionid,
    });
    const html = await tokenFor('html');
    const info = await json(await get(`/sns/userinfo?access_token=${html.access_token}&openid=${html.openid}`));
    expect(info.nickname).toBe(HTML_NICK);
    const snap = await tokenFor('snapshot');
    expect(snap.is_snapshotuser).toBe(1);
    expect(await json(await exchange('reused-or-unknown'))).toMatchObject({ errcode: 40029 });
  });

  it('sends the ctrl user profile with a raw U+0001 inside the JSON string', async () => {
    const token = await tokenFor('ctrl');
    const res = await get(`/sns/userinfo?access_token=${token.access_token}&openid=${token.openid}`);
    const raw = await res.text();
    expect(raw).toContain('"nickname":"Ctrl\u0001User"');
    expect(raw).not.toContain('\\u0001');
    expect(() => JSON.parse(raw)).toThrow();
  });

  it('answers a reused code with 40163, userinfo on base tokens with 48001, and bad langs with 40035', async () => {
    const code = codeFrom(await confirm({ user: 'alice', decision: 'allow' }));
    expect((await json(await exchange(code))).openid).toBeDefined();
    expect(await json(await exchange(code))).toMatchObject({
      errcode: 40163,
      errmsg: expect.stringMatching(/^code been used rid: /),
    });
    const base = await tokenFor('alice', 'snsapi_base');
    expect(await json(await get(`/sns/userinfo?access_token=${base.access_token}&openid=${base.openid}`))).toMatchObject({
      errcode: 48001,
    });
    const full = await tokenFor('alice');
    const lang = await get(`/sns/userinfo?access_token=${full.access_token}&openid=${full.openid}&lang=de`);
    expect((await json(lang)).errcode).toBe(40035);
  });

  it('refreshes web tokens and checks them with sns/auth', async () => {
    const token = await tokenFor('alice');
    const auth = (t: unknown, openid: unknown) => get(`/sns/auth?access_token=${t}&openid=${openid}`).then(json);
    expect(await auth(token.access_token, token.openid)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await auth(token.access_token, server.sandbox.openidOf(appId, 'html'))).errcode).toBe(40003);
    expect((await auth('nope', token.openid)).errcode).toBe(40001);
    clock.t += 7200_000;
    expect((await auth(token.access_token, token.openid)).errcode).toBe(42001);
    const refreshPath = `/sns/oauth2/refresh_token?appid=${appId}&grant_type=refresh_token&refresh_token=`;
    const refreshed = await json(await get(refreshPath + token.refresh_token));
    expect(refreshed).toMatchObject({ refresh_token: token.refresh_token, openid: token.openid, expires_in: 7200 });
    expect(refreshed.access_token).not.toBe(token.access_token);
    expect(await auth(refreshed.access_token, token.openid)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await json(await get(refreshPath + 'nope'))).errcode).toBe(40030);
    expect((await json(await get(refreshPath))).errcode).toBe(41003);
  });

  it('injects faults on sns/oauth2/access_token without burning the code', async () => {
    const code = codeFrom(await confirm({ user: 'alice', decision: 'allow' }));
    server.sandbox.resetCalls();
    server.sandbox.injectFault('sns/oauth2/access_token', { kind: 'errcode', errcode: -1 });
    server.sandbox.injectFault('sns/oauth2/access_token', { kind: 'http', status: 502 });
    expect(await json(await exchange(code))).toMatchObject({ errcode: -1 });
    expect((await exchange(code)).status).toBe(502);
    expect((await json(await exchange(code))).access_token).toBeDefined();
    expect(server.sandbox.calls('sns/oauth2/access_token')).toBe(3);
  });

  it('approves through POST /__sandbox/oauth/authorize', async () => {
    const post = (body: unknown) =>
      fetch(`${server.url}/__sandbox/oauth/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const url = `${server.url}${authorizePath()}#wechat_redirect`;
    const ok = await post({ url, user: 'snapshot' });
    expect(ok.status).toBe(200);
    const { redirect } = (await ok.json()) as { redirect: string };
    const token = await json(await exchange(new URL(redirect).searchParams.get('code')!));
    expect(token).toMatchObject({ openid: server.sandbox.openidOf(appId, 'snapshot'), is_snapshotuser: 1 });
    expect(await (await post({ url, decision: 'deny' })).json()).toEqual({ redirect: `${CALLBACK}?state=${STATE}` });
    const bad = await post({ url: `${server.url}${authorizePath({ scope: '' })}` });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 10010 });
    for (const body of [{}, { url, decision: 'later' }, { url, user: 7 }, { url: 'nope' }]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toHaveProperty('error');
    }
  });
});
