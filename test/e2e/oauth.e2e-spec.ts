import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { type RunningApp, serviceEnv, startApp, PLATFORMS } from '../support/app.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { deleteKeys, listKeys, REDIS_HOST, REDIS_PORT, uniquePrefix } from '../support/redis-keys.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const ACCOUNT = { appId: 'wx7777aaaa8888bbbb', appSecret: 'oauth-e2e-secret-0123456789' };
const PUBLIC = 'http://h5.test';
const COOKIE = 'wechat_sid';
const EXCHANGE = 'sns/oauth2/access_token';

describe.each(PLATFORMS)('OAuth login over HTTP (sandbox upstream, sessions in Redis), on %s', (platform) => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  let clock = 0;
  const prefix = uniquePrefix('oauth');
  const env = (extra: Record<string, string> = {}) =>
    serviceEnv(sandbox.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix, PUBLIC_BASE_URL: PUBLIC, ...extra });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT], now: () => Date.now() + clock });
    svc = await startApp(env(), platform);
  });
  afterAll(async () => {
    await svc?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });
  beforeEach(() => {
    clock = 0;
    sandbox.sandbox.resetCalls();
  });

  const browser = () => new CookieClient(svc.url);

  /** Login redirect → simulated consent → the callback url WeChat would send the browser to. */
  async function consent(
    client: CookieClient,
    opts: { returnTo?: string; scope?: string; user?: string; decision?: 'allow' | 'deny' } = {},
  ) {
    const query = new URLSearchParams({ returnTo: opts.returnTo ?? '/orders', ...(opts.scope ? { scope: opts.scope } : {}) });
    const login = await client.get(`/wechat/oauth/login?${query}`);
    expect(login.status).toBe(302);
    const redirect = sandbox.sandbox.authorize(login.location!, {
      user: opts.user ?? 'alice',
      decision: opts.decision ?? 'allow',
    });
    expect(redirect.startsWith(`${PUBLIC}/wechat/oauth/callback?`)).toBe(true);
    return { login, callbackPath: pathOf(redirect) };
  }

  async function logIn(client: CookieClient, opts: Parameters<typeof consent>[1] = {}) {
    const { callbackPath } = await consent(client, opts);
    const callback = await client.get(callbackPath);
    expect(callback.status).toBe(302);
    return { callbackPath, callback };
  }

  it('redirects to WeChat with exactly the expected query, in WeChat’s parameter order', async () => {
    const login = await browser().get('/wechat/oauth/login?returnTo=%2Forders');
    expect(login.status).toBe(302);
    const pattern = new RegExp(
      `^${sandbox.url.replace(/[.]/g, '\\.')}/connect/oauth2/authorize\\?appid=${ACCOUNT.appId}` +
        `&redirect_uri=${encodeURIComponent(`${PUBLIC}/wechat/oauth/callback`).replace(/[.]/g, '\\.')}` +
        '&response_type=code&scope=snsapi_userinfo&state=([A-Za-z0-9]{16,128})#wechat_redirect$',
    );
    expect(login.location).toMatch(pattern);
    const base = await browser().get('/wechat/oauth/login?scope=snsapi_base');
    expect(base.location).toContain('&response_type=code&scope=snsapi_base&state=');
    expect(sandbox.sandbox.calls()).toEqual({});
  });

  it('rejects an unknown scope with 400', async () => {
    const r = await browser().get('/wechat/oauth/login?scope=snsapi_login', 'application/json');
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('VALIDATION_FAILED');
  });

  it('completes the login with a new session id, and /me returns the mapped user', async () => {
    const client = browser();
    const { login } = await consent(client);
    const before = client.cookies.get(COOKIE);
    expect(before).toBeDefined();
    const { callbackPath } = await consent(client);
    const callback = await client.get(callbackPath);
    expect(callback).toMatchObject({ status: 302, location: '/orders' });
    expect(client.cookies.get(COOKIE)).toBeDefined();
    expect(client.cookies.get(COOKIE)).not.toBe(before);
    expect(login.status).toBe(302);

    const me = await client.get('/wechat/oauth/me', 'application/json');
    expect(me.status).toBe(200);
    expect(me.json).toEqual({
      appId: ACCOUNT.appId,
      openid: sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'),
      unionid: expect.any(String),
      nickname: 'Alice 小明',
      avatarUrl: expect.stringMatching(/^https:\/\//),
      scope: 'snsapi_userinfo',
      loggedInAt: expect.any(String),
    });
    expect(Math.abs(Date.parse(me.json.loggedInAt) - Date.now())).toBeLessThan(10_000);
    expect(me.text).not.toMatch(/access_token|refresh_token/);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, not Secure on http', async () => {
    const client = browser();
    await logIn(client);
    const header = client.setCookieHeaders.filter((h) => h.startsWith(`${COOKIE}=`)).pop()!;
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=Lax/i);
    expect(header).not.toMatch(/Secure/i);
  });

  it('snsapi_base never calls sns/userinfo', async () => {
    const client = browser();
    await logIn(client, { scope: 'snsapi_base' });
    const me = await client.get('/wechat/oauth/me', 'application/json');
    expect(me.json).toMatchObject({ openid: sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'), scope: 'snsapi_base' });
    expect(me.json.nickname).toBeUndefined();
    expect(sandbox.sandbox.calls('sns/userinfo')).toBe(0);
    expect(sandbox.sandbox.calls(EXCHANGE)).toBe(1);
  });

  it('flags a snapshot-page user on the session user', async () => {
    const client = browser();
    await logIn(client, { user: 'snapshot' });
    const me = await client.get('/wechat/oauth/me', 'application/json');
    expect(me.json.isSnapshotUser).toBe(true);
  });

  it('parses a userinfo body that carries a raw control character', async () => {
    const client = browser();
    await logIn(client, { user: 'ctrl' });
    const me = await client.get('/wechat/oauth/me', 'application/json');
    expect(me.status).toBe(200);
    expect(me.json.nickname).toContain('\u0001');
  });

  it('keeps HTML in a nickname as data in the JSON answer', async () => {
    const client = browser();
    await logIn(client, { user: 'html' });
    const me = await client.get('/wechat/oauth/me', 'application/json');
    expect(me.json.nickname).toContain('<img src=x onerror=alert(1)>');
    expect(me.headers.get('content-type')).toMatch(/application\/json/);
  });

  describe('state checks: 403 INVALID_STATE and no call to WeChat', () => {
    it('missing state', async () => {
      const client = browser();
      await consent(client);
      const r = await client.get('/wechat/oauth/callback?code=abc', 'application/json');
      expect(r.status).toBe(403);
      expect(r.json.code).toBe('INVALID_STATE');
      expect(sandbox.sandbox.calls(EXCHANGE)).toBe(0);
    });

    it('wrong state', async () => {
      const client = browser();
      const { callbackPath } = await consent(client);
      const r = await client.get(
        callbackPath.replace(/state=[A-Za-z0-9]+/, 'state=AAAAAAAAAAAAAAAAAAAAAAAA'),
        'application/json',
      );
      expect(r.status).toBe(403);
      expect(r.json.code).toBe('INVALID_STATE');
      expect(sandbox.sandbox.calls(EXCHANGE)).toBe(0);
    });

    it("another browser's state", async () => {
      const victim = browser();
      const attacker = browser();
      await consent(attacker);
      const { callbackPath } = await consent(attacker);
      await victim.get('/wechat/oauth/login?returnTo=%2F');
      const r = await victim.get(callbackPath, 'application/json');
      expect(r.status).toBe(403);
      expect(r.json.code).toBe('INVALID_STATE');
      expect(sandbox.sandbox.calls(EXCHANGE)).toBe(0);
    });

    it('a replayed state (used once already)', async () => {
      const client = browser();
      const refused = await consent(client, { decision: 'deny' });
      expect((await client.get(refused.callbackPath)).status).toBe(302);
      const replay = await client.get(refused.callbackPath, 'application/json');
      expect(replay.status).toBe(403);
      expect(replay.json.code).toBe('INVALID_STATE');
      const { callbackPath } = await logIn(client);
      sandbox.sandbox.resetCalls();
      const elsewhere = await browser().get(callbackPath, 'application/json');
      expect(elsewhere.status).toBe(403);
      expect(sandbox.sandbox.calls()).toEqual({});
    });

    it('an expired state (older than 10 minutes)', async () => {
      const svc2 = await startApp(env({ CACHE_KEY_PREFIX: `${prefix}short:` }), platform);
      try {
        const client = new CookieClient(svc2.url);
        const { callbackPath } = await consent(client);
        const realNow = Date.now;
        Date.now = () => realNow() + 601_000;
        try {
          const r = await client.get(callbackPath, 'application/json');
          expect(r.status).toBe(403);
          expect(r.json.code).toBe('INVALID_STATE');
        } finally {
          Date.now = realNow;
        }
        expect(sandbox.sandbox.calls(EXCHANGE)).toBe(0);
      } finally {
        await svc2.close();
      }
    });
  });

  it('a used code gives 401 INVALID_CODE', async () => {
    const client = browser();
    const { callbackPath } = await consent(client);
    const code = new URL(callbackPath, PUBLIC).searchParams.get('code')!;
    const used = await fetch(
      `${sandbox.url}/sns/oauth2/access_token?appid=${ACCOUNT.appId}&secret=${ACCOUNT.appSecret}&code=${code}&grant_type=authorization_code`,
    );
    expect(((await used.json()) as { openid?: string }).openid).toBeDefined();
    const r = await client.get(callbackPath, 'application/json');
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: 'INVALID_CODE', errcode: 40163 });
  });

  it('a state is spent before the code exchange: after INVALID_CODE it cannot be replayed with a good code', async () => {
    const client = browser();
    const { login, callbackPath } = await consent(client);
    const code = new URL(callbackPath, PUBLIC).searchParams.get('code')!;
    await fetch(
      `${sandbox.url}/sns/oauth2/access_token?appid=${ACCOUNT.appId}&secret=${ACCOUNT.appSecret}&code=${code}&grant_type=authorization_code`,
    );
    expect((await client.get(callbackPath, 'application/json')).json.code).toBe('INVALID_CODE');
    // WeChat gives a new code for the same authorize url, and so the same state
    const again = pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' }));
    expect(new URL(again, PUBLIC).searchParams.get('state')).toBe(new URL(callbackPath, PUBLIC).searchParams.get('state'));
    sandbox.sandbox.resetCalls();
    const replay = await client.get(again, 'application/json');
    expect(replay.status).toBe(403);
    expect(replay.json.code).toBe('INVALID_STATE');
    expect(sandbox.sandbox.calls(EXCHANGE)).toBe(0);
    expect((await client.get('/wechat/oauth/me', 'application/json')).status).toBe(401);
  });

  it('an expired code gives 401 INVALID_CODE', async () => {
    const client = browser();
    const { callbackPath } = await consent(client);
    clock = 301_000;
    const r = await client.get(callbackPath, 'application/json');
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('INVALID_CODE');
  });

  it('refusal: a browser goes back to returnTo with wechat_error, a JSON client gets 401 ACCESS_DENIED', async () => {
    const page = browser();
    const refused = await consent(page, { returnTo: '/orders?x=1', decision: 'deny' });
    expect(refused.callbackPath).not.toContain('code=');
    expect(await page.get(refused.callbackPath)).toMatchObject({
      status: 302,
      location: '/orders?x=1&wechat_error=access_denied',
    });
    const api = browser();
    const again = await consent(api, { decision: 'deny' });
    const r = await api.get(again.callbackPath, 'application/json');
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('ACCESS_DENIED');
    // a browser that also accepts JSON (as WeChat's webview does) is still a browser
    const webview = browser();
    const third = await consent(webview, { returnTo: '/p', decision: 'deny' });
    expect(
      await webview.get(third.callbackPath, 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8'),
    ).toMatchObject({ status: 302, location: '/p?wechat_error=access_denied' });
    expect(sandbox.sandbox.calls(EXCHANGE)).toBe(0);
  });

  it('a doubled callback after a successful login lands on returnTo', async () => {
    const client = browser();
    const { callbackPath } = await logIn(client, { returnTo: '/cart' });
    sandbox.sandbox.resetCalls();
    const second = await client.get(callbackPath);
    expect(second).toMatchObject({ status: 302, location: '/cart' });
    expect(sandbox.sandbox.calls()).toEqual({});
  });

  it.each(['https://evil.com', '//evil.com', '/\\evil.com', 'javascript:alert(1)', '%2F%2Fevil.com', '/%5Cevil.com'])(
    'returnTo %j ends on a local path',
    async (returnTo) => {
      const { callback } = await logIn(browser(), { returnTo });
      expect(callback.location).toBe('/');
    },
  );

  describe('the guard', () => {
    it('sends a browser navigation to the login route with returnTo', async () => {
      const r = await browser().get('/wechat/oauth/me?tab=1', 'text/html,application/xhtml+xml');
      expect(r.status).toBe(302);
      expect(r.location).toBe(`/wechat/oauth/login?returnTo=${encodeURIComponent('/wechat/oauth/me?tab=1')}`);
    });

    it('answers a request that is not a GET with 401 JSON, even from a browser that accepts HTML', async () => {
      const r = await browser().post('/wechat/media/anyMediaId0123', undefined, { accept: 'text/html,application/xhtml+xml' });
      expect(r.status).toBe(401);
      expect(r.location).toBeUndefined();
      expect(r.json).toMatchObject({ statusCode: 401, code: 'NOT_AUTHENTICATED' });
    });

    it('answers 401 JSON with loginUrl otherwise', async () => {
      const r = await browser().get('/wechat/oauth/me', 'application/json');
      expect(r.status).toBe(401);
      expect(r.json).toEqual({
        statusCode: 401,
        code: 'NOT_AUTHENTICATED',
        message: expect.any(String),
        loginUrl: `/wechat/oauth/login?returnTo=${encodeURIComponent('/wechat/oauth/me')}`,
      });
    });
  });

  it('logout destroys the session server-side: the old cookie is worthless', async () => {
    const client = browser();
    await logIn(client);
    const sid = client.cookies.get(COOKIE)!;
    const sessionsBefore = await listKeys(`${prefix}sess:`);
    const out = await client.post('/wechat/oauth/logout');
    expect(out.status).toBe(204);
    expect(client.cookies.has(COOKIE)).toBe(false);
    expect((await listKeys(`${prefix}sess:`)).length).toBe(sessionsBefore.length - 1);
    const replay = new CookieClient(svc.url);
    replay.cookies.set(COOKIE, sid);
    expect((await replay.get('/wechat/oauth/me', 'application/json')).status).toBe(401);
  });

  it('the session survives a service restart when Redis holds it', async () => {
    const first = await startApp(env(), platform);
    const client = new CookieClient(first.url);
    await logIn(client);
    await first.close();
    const second = await startApp(env(), platform);
    try {
      const again = new CookieClient(second.url);
      again.cookies.set(COOKIE, client.cookies.get(COOKIE)!);
      const me = await again.get('/wechat/oauth/me', 'application/json');
      expect(me.status).toBe(200);
      expect(me.json.nickname).toBe('Alice 小明');
    } finally {
      await second.close();
    }
  });

  it('marks the cookie Secure when the public origin is https (behind a TLS proxy)', async () => {
    const tls = await startApp(env({ PUBLIC_BASE_URL: 'https://h5.test', TRUST_PROXY: 'true' }), platform);
    try {
      const client = new CookieClient(tls.url);
      const r = await client.get('/wechat/oauth/login', 'text/html', { 'x-forwarded-proto': 'https' });
      expect(r.status).toBe(302);
      expect(client.setCookieHeaders.join('\n')).toMatch(/wechat_sid=.*; Secure/i);
    } finally {
      await tls.close();
    }
  });

  it('no response of the flow carries a web token or the AppSecret', async () => {
    const client = browser();
    const { callback } = await logIn(client);
    const me = await client.get('/wechat/oauth/me', 'application/json');
    const secrets = sandbox.sandbox.issuedSecrets();
    for (const text of [callback.text, me.text, callback.location ?? '']) {
      for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    }
  });
});

describe.each(PLATFORMS)('sessionless routes, on %s', (platform) => {
  it('signing with a session cookie sends nothing to Redis (no session, no credential read); /me does', async () => {
    const ACCOUNT2 = { appId: 'wx7777aaaa8888cccc', appSecret: 'oauth-e2e-secret-sessionless' };
    const sandbox = await startSandbox({ accounts: [ACCOUNT2] });
    const prefix = uniquePrefix('sessionless');
    // the service's own Redis traffic, through a proxy: nothing else on the server is counted
    const proxy = await new TcpProxy(REDIS_PORT, REDIS_HOST).start();
    const svc = await startApp(
      serviceEnv(sandbox.url, ACCOUNT2, {
        CACHE_KEY_PREFIX: prefix,
        PUBLIC_BASE_URL: PUBLIC,
        REDIS_URL: `redis://127.0.0.1:${proxy.port}/0`,
      }),
      platform,
    );
    const sent = () => proxy.bytesToServer;
    try {
      const client = new CookieClient(svc.url);
      const login = await client.get('/wechat/oauth/login');
      await client.get(pathOf(sandbox.sandbox.authorize(login.location!)));
      await client.post('/wechat/jssdk/config', { url: 'https://h5.example.com/' });
      const before = sent();
      for (let i = 0; i < 20; i++) {
        const r = await client.post('/wechat/jssdk/config', { url: 'https://h5.example.com/' });
        expect(r.status).toBe(200);
        expect(r.headers.get('set-cookie')).toBeNull();
      }
      expect(sent()).toBe(before);
      expect((await client.get('/wechat/oauth/me', 'application/json')).status).toBe(200);
      expect(sent()).toBeGreaterThan(before);
    } finally {
      await svc.close();
      await proxy.cut();
      await sandbox.close();
      await deleteKeys(prefix);
    }
  });
});
