import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { SANDBOX_WEBSITE_APP } from '../../src/sandbox/default-account.js';
import { type RunningApp, serviceEnv, startApp, PLATFORMS } from '../support/app.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { OAuthModule } from '../../src/nest/oauth/oauth.module.js';
import { WechatModule } from '../../src/nest/wechat.module.js';

const ACCOUNT = { appId: 'wx2929aaaa8888cccc', appSecret: 'handoff-e2e-secret-0123456789' };
const PUBLIC = 'http://h5.test';
const COOKIE = 'wechat_sid';
const COMPUTER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 HandoffTest';
const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) MicroMessenger/8.0.50';

/** The events of one Server-Sent Events stream, as they arrive. */
function follow(url: string, cookie: string) {
  const events: string[] = [];
  const controller = new AbortController();
  let notify = () => {};
  const done = (async () => {
    const response = await fetch(url, { headers: { cookie, accept: 'text/event-stream' }, signal: controller.signal });
    if (response.status !== 200) {
      events.push(`HTTP ${response.status}`);
      return response;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const name = /^event: (.*)$/m.exec(buffer.slice(0, end))?.[1];
        if (name) events.push(name);
        buffer = buffer.slice(end + 2);
        notify();
      }
    }
    return response;
  })().catch((error: Error) => {
    if (error.name !== 'AbortError') throw error;
    return undefined;
  });
  /** resolves once `name` has arrived (the stream pushes it: no polling here) */
  const seen = (name: string) =>
    new Promise<void>((resolve) => {
      const check = () => (events.includes(name) ? resolve() : (notify = check));
      check();
    });
  return { events, done, seen, stop: () => controller.abort() };
}

const unescape = (html: string) =>
  html
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');
const linkOf = (html: string, id: string) => unescape(new RegExp(`id="${id}" href="([^"]+)"`).exec(html)![1]);
const formOf = (html: string) => unescape(/<form method="post" action="([^"]+)"/.exec(html)![1]);
const cookieHeader = (client: CookieClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

describe.each(PLATFORMS)('logging in on a computer through a phone (two instances, one Redis), on %s', (platform) => {
  let sandbox: SandboxServer;
  let a: RunningApp;
  let b: RunningApp;
  const prefix = uniquePrefix('handoff');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    const env = serviceEnv(sandbox.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix, PUBLIC_BASE_URL: PUBLIC });
    [a, b] = await Promise.all([startApp(env, platform), startApp(env, platform)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  /** The computer (on instance A) asks for a ticket. */
  async function computerAsks() {
    const computer = new CookieClient(a.url);
    const created = await computer.post('/wechat/oauth/handoff', undefined, { 'user-agent': COMPUTER_UA });
    expect(created.status).toBe(201);
    return { computer, ...(created.json as { ticket: string; qrUrl: string; expiresIn: number }), created };
  }

  /** The phone (on instance B) opens the QR code's url, and gets the confirm page. */
  async function phoneOpens(qrUrl: string) {
    const phone = new CookieClient(b.url);
    const page = await phone.get(pathOf(qrUrl), 'text/html', { 'user-agent': PHONE_UA });
    return { phone, page };
  }

  /** The phone confirms: WeChat's authorize page (the sandbox) and the callback on instance B. */
  async function phoneConfirms(phone: CookieClient, pageHtml: string, user = 'alice') {
    const callbackUrl = sandbox.sandbox.authorize(linkOf(pageHtml, 'confirm'), { user, decision: 'allow' });
    expect(callbackUrl.startsWith(`${PUBLIC}/wechat/oauth/callback?`)).toBe(true);
    return phone.get(pathOf(callbackUrl), 'text/html', { 'user-agent': PHONE_UA });
  }

  it('logs the computer in: the phone on another instance confirms, the computer follows by SSE and redeems once', async () => {
    const { computer, ticket, qrUrl, expiresIn, created } = await computerAsks();
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(qrUrl).toBe(`${PUBLIC}/wechat/oauth/handoff/${ticket}`);
    expect(expiresIn).toBe(120);
    const binding = computer.setCookieHeaders.find((h) => h.startsWith(`${COOKIE}=`))!;
    expect(binding).toMatch(/HttpOnly/i);
    expect(created.text).not.toContain(computer.cookies.get(COOKIE)!);

    const stream = follow(`${a.url}/wechat/oauth/handoff/${ticket}/events`, cookieHeader(computer));
    await stream.seen('pending');

    const { phone, page } = await phoneOpens(qrUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    // who asks, shown to the phone's user
    expect(page.text).toContain(COMPUTER_UA);
    expect(page.text).toMatch(/id="ip">[^<]*127\.0\.0\.1/);
    await stream.seen('scanned');
    expect((await computer.get(`/wechat/oauth/handoff/${ticket}`, 'application/json')).json).toEqual({ state: 'scanned' });

    const callback = await phoneConfirms(phone, page.text);
    expect(callback).toMatchObject({ status: 302, location: `/wechat/oauth/handoff/${ticket}` });
    const after = await phone.get(callback.location!, 'text/html', { 'user-agent': PHONE_UA });
    expect(after.text).toContain('You are logged in on the computer');
    // the phone itself is not logged in by this
    expect((await phone.get('/wechat/oauth/me', 'application/json')).status).toBe(401);

    await stream.seen('confirmed');
    await stream.done;
    expect(stream.events).toEqual(['pending', 'scanned', 'confirmed']);

    // nothing of the user reached the computer before it redeemed
    const openid = sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice');
    const beforeRedeem = await computer.get(`/wechat/oauth/handoff/${ticket}`, 'application/json');
    expect(beforeRedeem.json).toEqual({ state: 'confirmed' });
    expect(beforeRedeem.text).not.toContain(openid);
    expect((await computer.get('/wechat/oauth/me', 'application/json')).status).toBe(401);

    // redeemed on the other instance: a new session id holding the phone's user
    const sessionBefore = computer.cookies.get(COOKIE);
    const redeemed = await computer.post(`${b.url}/wechat/oauth/handoff/${ticket}/redeem`);
    expect(redeemed.status).toBe(204);
    expect(computer.cookies.get(COOKIE)).not.toBe(sessionBefore);
    const me = await computer.get('/wechat/oauth/me', 'application/json');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ appId: ACCOUNT.appId, openid });

    const again = await computer.post(`/wechat/oauth/handoff/${ticket}/redeem`);
    expect(again.status).toBe(410);
    expect(again.json.code).toBe('HANDOFF_USED');
  });

  it('answers a stranger who knows the ticket 404, on every route of the computer, and that spends nothing', async () => {
    const { computer, ticket, qrUrl } = await computerAsks();
    const stranger = new CookieClient(b.url);
    await stranger.post('/wechat/oauth/handoff'); // a session and a handoff of its own
    for (const path of [`/wechat/oauth/handoff/${ticket}`, `/wechat/oauth/handoff/${ticket}/events`]) {
      const r = await stranger.get(path, 'application/json');
      expect(r.status).toBe(404);
      expect(r.json.code).toBe('HANDOFF_NOT_FOUND');
    }
    const { phone, page } = await phoneOpens(qrUrl);
    expect((await phoneConfirms(phone, page.text)).status).toBe(302);
    const stolen = await stranger.post(`/wechat/oauth/handoff/${ticket}/redeem`);
    expect(stolen.status).toBe(404);
    expect(stolen.json.code).toBe('HANDOFF_NOT_FOUND');
    expect((await stranger.get('/wechat/oauth/me', 'application/json')).status).toBe(401);
    expect((await computer.post(`/wechat/oauth/handoff/${ticket}/redeem`)).status).toBe(204);
  });

  it('takes "Not me" on the phone: the computer sees refused and cannot redeem', async () => {
    const { computer, ticket, qrUrl } = await computerAsks();
    const { phone, page } = await phoneOpens(qrUrl);
    const refused = await phone.request('POST', formOf(page.text), undefined, { accept: 'text/html' });
    expect(refused.status).toBe(200);
    expect(refused.text).toContain('The computer was not logged in');
    expect((await computer.get(`/wechat/oauth/handoff/${ticket}`, 'application/json')).json).toEqual({ state: 'refused' });
    const redeem = await computer.post(`/wechat/oauth/handoff/${ticket}/redeem`);
    expect(redeem.status).toBe(409);
    expect(redeem.json.code).toBe('HANDOFF_NOT_CONFIRMED');
    // and the confirm link it had shown no longer binds anyone: "Not me" spent its state
    const late = await phoneConfirms(phone, page.text);
    expect(late.status).toBe(403);
    expect(late.json.code).toBe('INVALID_STATE');
    expect((await computer.get(`/wechat/oauth/handoff/${ticket}`, 'application/json')).json).toEqual({ state: 'refused' });
  });

  it('refuses "Not me" without the state of the phone’s own page (anyone can read the ticket from the QR)', async () => {
    const { computer, ticket, qrUrl } = await computerAsks();
    await phoneOpens(qrUrl);
    const forged = await new CookieClient(b.url).request('POST', `/wechat/oauth/handoff/${ticket}/refuse?state=x`, undefined, {
      accept: 'application/json',
    });
    expect(forged.status).toBe(403);
    expect(forged.json.code).toBe('INVALID_STATE');
    expect((await computer.get(`/wechat/oauth/handoff/${ticket}`, 'application/json')).json).toEqual({ state: 'scanned' });
  });

  it('binds one user only: a second phone sees the login done, a second callback is refused', async () => {
    const { computer, ticket, qrUrl } = await computerAsks();
    const first = await phoneOpens(qrUrl);
    const second = await phoneOpens(qrUrl);
    expect((await phoneConfirms(first.phone, first.page.text, 'alice')).status).toBe(302);
    const late = await phoneConfirms(second.phone, second.page.text, 'html');
    expect(late.status).toBe(409);
    expect(late.json.code).toBe('HANDOFF_ALREADY_DECIDED');
    const third = await phoneOpens(qrUrl);
    expect(third.page.text).toContain('You are logged in on the computer');
    expect(third.page.text).not.toContain('id="confirm"');
    await computer.post(`/wechat/oauth/handoff/${ticket}/redeem`);
    const me = await computer.get('/wechat/oauth/me', 'application/json');
    expect(me.json.openid).toBe(sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'));
  });

  it('takes "Deny" on WeChat’s consent page as a refusal the computer sees', async () => {
    const { computer, ticket, qrUrl } = await computerAsks();
    const { phone, page } = await phoneOpens(qrUrl);
    const callbackUrl = sandbox.sandbox.authorize(linkOf(page.text, 'confirm'), { user: 'alice', decision: 'deny' });
    const back = await phone.get(pathOf(callbackUrl), 'text/html', { 'user-agent': PHONE_UA });
    expect(back.status).toBe(302);
    expect(back.location).toContain(`/wechat/oauth/handoff/${ticket}`);
    expect((await computer.get(`/wechat/oauth/handoff/${ticket}`, 'application/json')).json).toEqual({ state: 'refused' });
    expect((await computer.post(`/wechat/oauth/handoff/${ticket}/redeem`)).status).toBe(409);
  });

  it('keeps the computer’s session as long as the ticket answers: 410 through its grace, not 404', async () => {
    const { computer } = await computerAsks();
    const header = computer.setCookieHeaders.filter((h) => h.startsWith(`${COOKIE}=`)).pop()!;
    const expires = Date.parse(/Expires=([^;]+)/i.exec(header)![1]);
    // TTL (120 s) + grace (10 min), within the second the cookie's date is rounded to
    expect(Math.abs(expires - Date.now() - (120_000 + 600_000))).toBeLessThan(5_000);
  });

  it('refuses a snapshot-page user, leaving the ticket open', async () => {
    const { computer, ticket, qrUrl } = await computerAsks();
    const { phone, page } = await phoneOpens(qrUrl);
    const callback = await phoneConfirms(phone, page.text, 'snapshot');
    expect(callback.status).toBe(403);
    expect(callback.json.code).toBe('SNAPSHOT_USER');
    expect((await computer.get(`/wechat/oauth/handoff/${ticket}`, 'application/json')).json).toEqual({ state: 'scanned' });
  });

  it('shows the phone a page for an unknown ticket (404), and answers a poll of a malformed one 404', async () => {
    const page = await new CookieClient(b.url).get(`/wechat/oauth/handoff/${'A'.repeat(43)}`);
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('No such login');
    expect(page.text).toContain('Ask the computer for a new one');
    const poll = await new CookieClient(a.url).get('/wechat/oauth/handoff/..%2F..%2Fx', 'application/json');
    expect(poll.status).toBe(404);
  });
});

describe.each(PLATFORMS)('website QR login with the website application (sandbox upstream), on %s', (platform) => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  let without: RunningApp;
  const prefix = uniquePrefix('qrlogin');
  const WEB = SANDBOX_WEBSITE_APP;
  const CALLBACK = `${PUBLIC}/wechat/oauth/callback`;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    const env = serviceEnv(sandbox.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix, PUBLIC_BASE_URL: PUBLIC });
    [svc, without] = await Promise.all([
      startApp({ ...env, WECHAT_WEB_APP_ID: WEB.appId, WECHAT_WEB_APP_SECRET: WEB.appSecret }, platform),
      startApp(env, platform),
    ]);
  });
  afterAll(async () => {
    await svc?.close();
    await without?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  /** What WeChat's own login of the same person through the account says: its unionid. */
  async function accountUnionid(): Promise<string> {
    const client = new CookieClient(svc.url);
    const login = await client.get('/wechat/oauth/login?scope=snsapi_userinfo');
    await client.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
    return (await client.get('/wechat/oauth/me', 'application/json')).json.unionid;
  }

  it('redirects to qrconnect with the website application, and logs in with its openid and the person’s unionid', async () => {
    const computer = new CookieClient(svc.url);
    const login = await computer.get('/wechat/oauth/qr-login?returnTo=%2Fdesk');
    expect(login.status).toBe(302);
    expect(login.location).toMatch(
      new RegExp(
        `^${sandbox.url.replace(/[.]/g, '\\.')}/connect/qrconnect\\?appid=${WEB.appId}` +
          `&redirect_uri=${encodeURIComponent(CALLBACK).replace(/[.]/g, '\\.')}` +
          '&response_type=code&scope=snsapi_login&state=[A-Za-z0-9]{32}#wechat_redirect$',
      ),
    );
    // the sandbox's QR page, as a desktop browser gets it
    const page = await fetch(login.location!.replace('#wechat_redirect', ''));
    expect(await page.text()).toContain('Scan as test user');

    const callback = await computer.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
    expect(callback).toMatchObject({ status: 302, location: '/desk' });
    const me = await computer.get('/wechat/oauth/me', 'application/json');
    expect(me.json).toMatchObject({
      appId: WEB.appId,
      openid: sandbox.sandbox.openidOf(WEB.appId, 'alice'),
      scope: 'snsapi_login',
      nickname: 'Alice 小明',
    });
    expect(me.json.openid).not.toBe(sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'));
    expect(me.json.unionid).toEqual(expect.any(String));
    expect(me.json.unionid).toBe(await accountUnionid());
  });

  it('gives a page the wxLogin.js settings with a state bound to its session', async () => {
    const computer = new CookieClient(svc.url);
    const config = await computer.get('/wechat/oauth/qr-login/config?returnTo=%2Fdesk', 'application/json');
    expect(config.status).toBe(200);
    expect(config.headers.get('cache-control')).toContain('no-store');
    expect(config.json).toEqual({
      appid: WEB.appId,
      scope: 'snsapi_login',
      redirect_uri: encodeURIComponent(CALLBACK),
      state: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
    });
    // the url wxLogin.js opens in its iframe (redirect_uri concatenated as given)
    const { appid, scope, redirect_uri: redirectUri, state } = config.json;
    const frame = `${sandbox.url}/connect/qrconnect?appid=${appid}&scope=${scope}&redirect_uri=${redirectUri}&state=${state}&login_type=jssdk&response_type=code`;
    const callbackPath = pathOf(sandbox.sandbox.authorize(frame, { user: 'alice' }));
    // another browser cannot use this state (login CSRF)
    const other = await new CookieClient(svc.url).get(callbackPath, 'application/json');
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('INVALID_STATE');
    expect(await computer.get(callbackPath)).toMatchObject({ status: 302, location: '/desk' });
    expect((await computer.get('/wechat/oauth/me', 'application/json')).json.openid).toBe(
      sandbox.sandbox.openidOf(WEB.appId, 'alice'),
    );
  });

  it('takes a refusal (a callback without code) back to returnTo with wechat_error', async () => {
    const computer = new CookieClient(svc.url);
    const login = await computer.get('/wechat/oauth/qr-login?returnTo=%2Fdesk');
    const back = await computer.get(pathOf(sandbox.sandbox.authorize(login.location!, { decision: 'deny' })));
    expect(back).toMatchObject({ status: 302, location: '/desk?wechat_error=access_denied' });
    expect((await computer.get('/wechat/oauth/me', 'application/json')).status).toBe(401);
  });

  it('answers 404 QR_LOGIN_NOT_CONFIGURED without a website application', async () => {
    for (const path of ['/wechat/oauth/qr-login', '/wechat/oauth/qr-login/config']) {
      const r = await new CookieClient(without.url).get(path, 'application/json');
      expect(r.status).toBe(404);
      expect(r.json.code).toBe('QR_LOGIN_NOT_CONFIGURED');
    }
  });
});

describe.each(PLATFORMS)('a handoff in a host app: expiry and rate limits, on %s', (platform) => {
  let sandbox: SandboxServer;
  const apps: INestApplication[] = [];
  const prefixes: string[] = [];

  /** A host with WechatModule and OAuthModule, a handoff TTL of 1.5 s unless told. */
  async function host(rateLimitPerMinute: number, handoffTtlMs = 1500): Promise<string> {
    const keyPrefix = uniquePrefix('handoff-host');
    prefixes.push(keyPrefix);
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({ ...ACCOUNT, apiBaseUrl: sandbox.url, redisUrl: REDIS_URL, keyPrefix, rateLimitPerMinute }),
        OAuthModule.forRoot({
          publicBaseUrl: PUBLIC,
          openBaseUrl: sandbox.url,
          handoffTtlMs,
          session: { secret: 'handoff-host-session-secret-0123456789' },
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication(platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(), {
      logger: false,
    });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await sandbox?.close();
    for (const prefix of prefixes) await deleteKeys(prefix);
  });

  it('expires: the stream says expired when the TTL passes, then redeem and the phone page answer 410', async () => {
    const base = await host(0);
    const computer = new CookieClient(base);
    const { ticket, expiresIn } = (await computer.post('/wechat/oauth/handoff')).json;
    expect(expiresIn).toBe(2);
    const stream = follow(`${base}/wechat/oauth/handoff/${ticket}/events`, cookieHeader(computer));
    await stream.seen('expired');
    await stream.done;
    expect(stream.events).toEqual(['pending', 'expired']);
    expect((await computer.get(`/wechat/oauth/handoff/${ticket}`, 'application/json')).json).toEqual({ state: 'expired' });
    const redeem = await computer.post(`/wechat/oauth/handoff/${ticket}/redeem`);
    expect(redeem.status).toBe(410);
    expect(redeem.json.code).toBe('HANDOFF_EXPIRED');
    const page = await new CookieClient(base).get(`/wechat/oauth/handoff/${ticket}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain('no longer valid');
  });

  it('ends an open stream when the application closes (a close does not wait for the ticket to expire)', async () => {
    const base = await host(0, 600_000);
    const computer = new CookieClient(base);
    const { ticket } = (await computer.post('/wechat/oauth/handoff')).json;
    const stream = follow(`${base}/wechat/oauth/handoff/${ticket}/events`, cookieHeader(computer));
    await stream.seen('pending');
    await apps.pop()!.close();
    await stream.done;
    expect(stream.events).toEqual(['pending']);
  });

  it('limits creating handoffs per client (the login budget) and polling them, with Retry-After', async () => {
    const base = await host(3);
    const computer = new CookieClient(base);
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await computer.post('/wechat/oauth/handoff'));
    expect(created.map((r) => r.status)).toEqual([201, 201, 201]);
    const refused = await computer.post('/wechat/oauth/handoff');
    expect(refused.status).toBe(429);
    expect(refused.json.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const { ticket } = created[0].json;
    const polls = [];
    for (let i = 0; i < 4; i++) polls.push((await computer.get(`/wechat/oauth/handoff/${ticket}`, 'application/json')).status);
    expect(polls).toEqual([200, 200, 200, 429]);
  });
});
