import { Controller, Get, Injectable, Query, UseGuards, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialApiModule } from '../../src/nest/credential-api/credential-api.module.js';
import { MediaModule } from '../../src/nest/media/media.module.js';
import { OAuthModule } from '../../src/nest/oauth/oauth.module.js';
import type { SessionUser } from '../../src/core/oauth/session-user.js';
import { WechatAuthGuard } from '../../src/nest/oauth/wechat-auth.guard.js';
import { WechatUser } from '../../src/nest/oauth/wechat-user.decorator.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { WechatAccounts } from '../../src/core/accounts/wechat-accounts.js';
import type { WechatModuleOptions } from '../../src/nest/wechat.options.js';
import { WechatModule } from '../../src/nest/wechat.module.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { cookieHeader } from '../support/media-client.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';

const ACCOUNT = { appId: 'wx9d9d8c8c7b7b6a6a', appSecret: 'any-host-e2e-secret-0123456789' };
const SECOND = { appId: 'wx1a1a2b2b3c3c4d4d', appSecret: 'any-host-second-secret-0123456' };
const CONSUMER = { name: 'billing', secret: 'billing-service-secret-0123456789abcdef' };
// http: express-session sends a Secure cookie only over https, and these requests are plain http
const PUBLIC = 'http://h5.test';

@Controller('orders')
class OrdersController {
  @Get()
  @UseGuards(WechatAuthGuard)
  list(@WechatUser() user: SessionUser) {
    return { owner: user.openid, appId: user.appId };
  }
}

@Controller('share')
class ShareController {
  constructor(private readonly accounts: WechatAccounts) {}

  /** A host's own route reading through the one per-account door, with no filter of its own. */
  @Get('token-of')
  async tokenOf(@Query('appId') appId: string) {
    return { length: (await this.accounts.get(appId).tokens.getAccessToken()).length };
  }

  @Get()
  config(@Query('url') url: string) {
    return this.accounts.select(undefined, url).signature.configFor(url, { jsApiList: ['updateAppMessageShareData'] });
  }
}

/** The session id inside a signed session cookie (`s:<id>.<signature>` on Express, `<id>.<signature>` on Fastify). */
const sessionIdOf = (cookie: string) => decodeURIComponent(cookie).replace(/^s:/, '').split('.')[0];

const platforms = [
  ['Fastify', () => new FastifyAdapter()],
  ['Express', () => new ExpressAdapter()],
] as const;

describe.each(platforms)('a %s host with setGlobalPrefix("api") and no global filter', (_name, adapter) => {
  let sandbox: SandboxServer;
  let app: INestApplication;
  let base: string;
  let mediaDir: string;
  const prefix = uniquePrefix('any-host');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT, SECOND] });
    mediaDir = await mkdtemp(join(tmpdir(), 'any-host-media-'));
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({
          ...ACCOUNT,
          accounts: [SECOND],
          apiBaseUrl: sandbox.url,
          redisUrl: REDIS_URL,
          keyPrefix: prefix,
          jsDomains: ['h5.example.com'],
          rateLimitPerMinute: 20,
        }),
        MediaModule.forRoot({ dir: mediaDir }),
        OAuthModule.forRoot({
          publicBaseUrl: PUBLIC,
          openBaseUrl: sandbox.url,
          session: { secret: 'any-host-session-secret-0123456789abcdef' },
        }),
        CredentialApiModule.forRoot({ consumers: [CONSUMER] }),
      ],
      controllers: [OrdersController, ShareController],
    }).compile();
    app = moduleRef.createNestApplication(adapter() as FastifyAdapter, { logger: false });
    app.setGlobalPrefix('api');
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
    await rm(mediaDir, { recursive: true, force: true });
  });

  it("signs through the host's own route, and refuses a foreign host with 400 DOMAIN_NOT_ALLOWED as JSON", async () => {
    const page = 'https://h5.example.com/item?id=1';
    const signed = await new CookieClient(base).get(`/api/share?url=${encodeURIComponent(page)}`, 'application/json');
    expect(signed.status).toBe(200);
    expect(signed.json.signature).toBe(
      expectedSignature(
        sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!,
        signed.json.nonceStr,
        signed.json.timestamp,
        page,
      ),
    );
    const refused = await new CookieClient(base).get(
      `/api/share?url=${encodeURIComponent('https://evil.example.org/')}`,
      'application/json',
    );
    expect(refused).toMatchObject({ status: 400, json: { statusCode: 400, code: 'DOMAIN_NOT_ALLOWED' } });
  });

  it('serves the credential API under the global prefix: the token, 401 without a bearer, a report, bad JSON', async () => {
    const url = `${base}/api/wechat/credentials/${ACCOUNT.appId}`;
    const auth = { authorization: `Bearer ${CONSUMER.secret}` };
    const token = await fetch(`${url}/access_token`, { headers: auth });
    expect(token.status).toBe(200);
    expect(token.headers.get('cache-control')).toBe('no-store');
    const body = (await token.json()) as { value: string };
    expect(body.value).toBe(sandbox.sandbox.currentStableToken(ACCOUNT.appId));
    const refused = await fetch(`${url}/access_token`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await refused.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    const post = (payload: string) =>
      fetch(`${url}/access_token/invalid`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: payload,
      });
    const reported = await post(JSON.stringify({ value: 'some-token-no-longer-cached-0123' }));
    expect(reported.status).toBe(200);
    expect(((await reported.json()) as { value: string }).value).toBe(body.value);
    const garbled = await post('{"value":');
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ code: 'INVALID_JSON' });
    expect(await (await fetch(`${base}/wechat/credentials/${ACCOUNT.appId}/access_token`, { headers: auth })).status).toBe(404);
  });

  it("answers the core's errors in a host's own route as their JSON, with no filter of the host's", async () => {
    const client = new CookieClient(base);
    const unknown = await client.get('/api/share/token-of?appId=wxnobody00000000', 'application/json');
    expect(unknown).toMatchObject({ status: 400, json: { statusCode: 400, code: 'UNKNOWN_ACCOUNT' } });
    // the second account's token was never fetched: WeChat refusing it reaches the host's route as 502 JSON
    sandbox.sandbox.injectFault('cgi-bin/stable_token', {
      kind: 'errcode',
      errcode: 40164,
      errmsg: 'ip 10.0.0.1 not in whitelist',
    });
    const refused = await client.get(`/api/share/token-of?appId=${SECOND.appId}`, 'application/json');
    expect(refused).toMatchObject({ status: 502, json: { statusCode: 502, code: 'WECHAT_API_ERROR', errcode: 40164 } });
    expect(refused.text).not.toContain('10.0.0.1');
  });

  it('serves the built-in signing route under the global prefix', async () => {
    const page = 'https://h5.example.com/built-in';
    const r = await new CookieClient(base).post('/api/wechat/jssdk/config', { url: page });
    expect(r.status).toBe(200);
    expect(r.json.appId).toBe(ACCOUNT.appId);
    expect((await new CookieClient(base).post('/wechat/jssdk/config', { url: page })).status).toBe(404);
  });

  it('guards the route: 401 JSON with a prefixed loginUrl for an API client, 302 there for a browser', async () => {
    const client = new CookieClient(base);
    const denied = await client.get('/api/orders', 'application/json');
    expect(denied).toMatchObject({
      status: 401,
      json: { statusCode: 401, code: 'NOT_AUTHENTICATED', loginUrl: '/api/wechat/oauth/login?returnTo=%2Fapi%2Forders' },
    });
    const browser = await client.get('/api/orders', 'text/html');
    expect(browser).toMatchObject({ status: 302, location: '/api/wechat/oauth/login?returnTo=%2Fapi%2Forders' });
  });

  it('logs in under the prefix: the redirect_uri follows it, and the guarded route lets the user in', async () => {
    const client = new CookieClient(base);
    const login = await client.get('/api/wechat/oauth/login?returnTo=%2Fapi%2Forders');
    expect(login.status).toBe(302);
    expect(login.location).toContain(`&redirect_uri=${encodeURIComponent(`${PUBLIC}/api/wechat/oauth/callback`)}&`);
    const callback = await client.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
    expect(callback).toMatchObject({ status: 302, location: '/api/orders' });
    const orders = await client.get('/api/orders', 'application/json');
    expect(orders).toMatchObject({
      status: 200,
      json: { owner: sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'), appId: ACCOUNT.appId },
    });
    expect((await client.post('/api/wechat/oauth/logout', {})).status).toBe(204);
    expect((await client.get('/api/orders', 'application/json')).status).toBe(401);
  });

  it('the login renews the session id, and the session cookie is HttpOnly and SameSite=Lax', async () => {
    const client = new CookieClient(base);
    const login = await client.get('/api/wechat/oauth/login');
    const before = client.cookies.get('wechat_sid');
    expect(before).toBeDefined();
    const callback = await client.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
    // one Set-Cookie per cookie name in a response (RFC 6265 4.1.1): the new id only
    expect(callback.headers.getSetCookie().filter((h) => h.startsWith('wechat_sid='))).toHaveLength(1);
    const after = client.cookies.get('wechat_sid');
    expect(after).toBeDefined();
    expect(sessionIdOf(after!)).not.toBe(sessionIdOf(before!));
    // the id planted before the login is worth nothing now
    const planted = await fetch(`${base}/api/orders`, {
      headers: { cookie: `wechat_sid=${before}`, accept: 'application/json' },
    });
    expect(planted.status).toBe(401);
    expect(client.setCookieHeaders.length).toBeGreaterThan(0);
    for (const header of client.setCookieHeaders.filter((h) => h.startsWith('wechat_sid='))) {
      expect(header).toMatch(/;\s*HttpOnly/i);
      expect(header).toMatch(/;\s*SameSite=Lax/i);
    }
  });

  it('answers the signing routes in the JSON error shape: bad JSON, validation, an unknown account, the GET form', async () => {
    const raw = await fetch(`${base}/api/wechat/jssdk/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"url":',
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('cache-control')).toBe('no-store');
    expect(await raw.json()).toMatchObject({ statusCode: 400, code: 'INVALID_JSON' });
    const client = new CookieClient(base);
    expect(await client.post('/api/wechat/jssdk/config', { url: 'https://h5.example.com/', debug: 'yes' })).toMatchObject({
      status: 400,
      json: { code: 'VALIDATION_FAILED' },
    });
    expect(
      await client.post('/api/wechat/jssdk/config', { url: 'https://h5.example.com/', appId: 'wxnobody00000000' }),
    ).toMatchObject({ status: 400, json: { code: 'UNKNOWN_ACCOUNT' } });
    const page = 'https://h5.example.com/get?x=1';
    const get = await client.get(
      `/api/wechat/jssdk/config?url=${encodeURIComponent(page)}&jsApiList=chooseImage`,
      'application/json',
    );
    expect(get).toMatchObject({ status: 200, json: { jsApiList: ['chooseImage'] } });
    expect(get.json.signature).toBe(
      expectedSignature(sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!, get.json.nonceStr, get.json.timestamp, page),
    );
    expect((await client.post('/api/wechat/jssdk/card-config', {})).json).toMatchObject({ signType: 'SHA1' });
  });

  it('saves a media once for the logged-in user and streams it back with its headers; others get 404', async () => {
    const alice = new CookieClient(base);
    const login = await alice.get('/api/wechat/oauth/login');
    await alice.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
    const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size: 3000 });
    expect((await alice.post(`/api/wechat/media/${mediaId}`)).status).toBe(201);
    expect((await alice.post(`/api/wechat/media/${mediaId}`)).status).toBe(200);
    const read = await fetch(`${base}/api/wechat/media/${mediaId}`, { headers: { cookie: cookieHeader(alice) } });
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toMatch(/^audio\/amr/);
    expect(read.headers.get('content-length')).toBe('3000');
    expect(read.headers.get('x-content-type-options')).toBe('nosniff');
    const whole = Buffer.from(await read.arrayBuffer());
    expect(whole.length).toBe(3000);
    // a Range, one past the end, and the mp3 a browser plays, on this platform too
    const headers = (range: string) => ({ cookie: cookieHeader(alice), range });
    const part = await fetch(`${base}/api/wechat/media/${mediaId}`, { headers: headers('bytes=100-199') });
    expect([part.status, part.headers.get('content-range'), part.headers.get('content-length')]).toEqual([
      206,
      'bytes 100-199/3000',
      '100',
    ]);
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(100, 200))).toBe(true);
    const past = await fetch(`${base}/api/wechat/media/${mediaId}`, { headers: headers('bytes=3000-') });
    expect([past.status, past.headers.get('content-range'), ((await past.json()) as { code: string }).code]).toEqual([
      416,
      'bytes */3000',
      'RANGE_NOT_SATISFIABLE',
    ]);
    const mp3 = await fetch(`${base}/api/wechat/media/${mediaId}?format=mp3`, { headers: { cookie: cookieHeader(alice) } });
    expect([mp3.status, mp3.headers.get('content-type')]).toEqual([200, 'audio/mpeg']);
    expect((await mp3.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const bob = new CookieClient(base);
    const bobLogin = await bob.get('/api/wechat/oauth/login');
    await bob.get(pathOf(sandbox.sandbox.authorize(bobLogin.location!, { user: 'html' })));
    expect((await fetch(`${base}/api/wechat/media/${mediaId}`, { headers: { cookie: cookieHeader(bob) } })).status).toBe(404);
    expect(sandbox.sandbox.calls('cgi-bin/media/get')).toBe(1);
  });

  it('limits logins per client: 429 RATE_LIMITED with Retry-After past the limit', async () => {
    const answers = [];
    for (let i = 0; i < 25; i++) answers.push(await new CookieClient(base).get('/api/wechat/oauth/login'));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.json).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe.each(platforms)('a %s host: each route family has its own exact budget per client', (_name, adapter) => {
  const LIMIT = 5;
  const OTHER_CONSUMER = { name: 'reports', secret: 'reports-service-secret-0123456789abcdef' };
  let sandbox: SandboxServer;
  let app: INestApplication;
  let base: string;
  const prefix = uniquePrefix('any-host-limits');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({
          ...ACCOUNT,
          apiBaseUrl: sandbox.url,
          redisUrl: REDIS_URL,
          keyPrefix: prefix,
          rateLimitPerMinute: LIMIT,
        }),
        OAuthModule.forRoot({
          publicBaseUrl: PUBLIC,
          openBaseUrl: sandbox.url,
          session: { secret: 'any-host-session-secret-0123456789abcdef' },
        }),
        CredentialApiModule.forRoot({ consumers: [CONSUMER, OTHER_CONSUMER] }),
      ],
    }).compile();
    app = moduleRef.createNestApplication(adapter() as FastifyAdapter, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  const credential = (kind: string, secret: string) =>
    fetch(`${base}/wechat/credentials/${ACCOUNT.appId}/${kind}`, { headers: { authorization: `Bearer ${secret}` } });

  it(`logins: exactly ${LIMIT} per minute, then 429 with the window's Retry-After; X-Forwarded-For changes nothing`, async () => {
    const statuses = [];
    let last: Response | undefined;
    for (let i = 0; i <= LIMIT; i++) {
      // without a trusted proxy the client's own header is not its address
      last = await fetch(`${base}/wechat/oauth/login`, { redirect: 'manual', headers: { 'x-forwarded-for': `198.51.100.${i}` } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(302), 429]);
    expect(await last!.json()).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(last!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // another family is untouched
    const diagnose = await fetch(`${base}/wechat/jssdk/diagnose`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://h5.example.com/' }),
    });
    expect(diagnose.status).toBe(200);
  });

  it('credentials: one budget per consumer over every kind, tickets included; another consumer keeps its own', async () => {
    const statuses = [];
    for (const kind of ['access_token', 'jsapi_ticket', 'wx_card_ticket', 'jsapi_ticket', 'wx_card_ticket', 'jsapi_ticket'])
      statuses.push((await credential(kind, CONSUMER.secret)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
    expect((await credential('wx_card_ticket', OTHER_CONSUMER.secret)).status).toBe(200);
  });

  it('failed bearers: a small budget per address, then 429; a valid bearer from that address still passes', async () => {
    const statuses = [];
    for (let i = 0; i <= LIMIT; i++)
      statuses.push((await credential('access_token', `wrong-secret-${i}-0123456789abcdef0123`)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);
    const again = await credential('jsapi_ticket', 'wrong-secret-again-0123456789abcdef01');
    expect([again.status, ((await again.json()) as { code: string }).code]).toEqual([429, 'RATE_LIMITED']);
    expect((await credential('access_token', OTHER_CONSUMER.secret)).status).toBe(200);
  });
});

@Injectable()
class WechatOptionsFactory {
  static apiBaseUrl = '';
  static keyPrefix = '';
  createWechatOptions(): WechatModuleOptions {
    return {
      ...ACCOUNT,
      apiBaseUrl: WechatOptionsFactory.apiBaseUrl,
      redisUrl: REDIS_URL,
      keyPrefix: WechatOptionsFactory.keyPrefix,
    };
  }
}

describe.each(platforms)('a %s host with routePrefix on both modules and forRootAsync({ useClass })', (_name, adapter) => {
  let sandbox: SandboxServer;
  let app: INestApplication;
  let base: string;
  const prefix = uniquePrefix('any-host-prefixes');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    WechatOptionsFactory.apiBaseUrl = sandbox.url;
    WechatOptionsFactory.keyPrefix = prefix;
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRootAsync({ useClass: WechatOptionsFactory, routePrefix: 'js' }),
        OAuthModule.forRoot({
          publicBaseUrl: PUBLIC,
          openBaseUrl: sandbox.url,
          routePrefix: 'auth',
          session: { secret: 'any-host-session-secret-0123456789abcdef' },
        }),
      ],
      controllers: [OrdersController],
    }).compile();
    app = moduleRef.createNestApplication(adapter() as FastifyAdapter, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  it('mounts the signing routes under their prefix and nowhere else', async () => {
    const client = new CookieClient(base);
    expect((await client.post('/js/config', { url: 'https://h5.example.com/' })).status).toBe(200);
    expect((await client.post('/wechat/jssdk/config', { url: 'https://h5.example.com/' })).status).toBe(404);
  });

  it('moves the login routes, the redirect_uri and the loginUrl with the OAuth prefix', async () => {
    const client = new CookieClient(base);
    expect((await client.get('/orders', 'application/json')).json.loginUrl).toBe('/auth/login?returnTo=%2Forders');
    const login = await client.get('/auth/login?returnTo=%2Forders');
    expect(login.location).toContain(`&redirect_uri=${encodeURIComponent(`${PUBLIC}/auth/callback`)}&`);
    const callback = await client.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
    expect(callback).toMatchObject({ status: 302, location: '/orders' });
    expect((await client.get('/auth/me', 'application/json')).json.openid).toBe(sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'));
  });
});
