import { Controller, Get, Query, UseGuards, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { OAuthModule } from '../../src/oauth/oauth.module.js';
import type { SessionUser } from '../../src/oauth/session-user.js';
import { WechatAuthGuard } from '../../src/oauth/wechat-auth.guard.js';
import { WechatUser } from '../../src/oauth/wechat-user.decorator.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { SignatureService } from '../../src/wechat/jssdk/signature.service.js';
import { WechatModule } from '../../src/wechat/wechat.module.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';

const ACCOUNT = { appId: 'wx9d9d8c8c7b7b6a6a', appSecret: 'any-host-e2e-secret-0123456789' };
const PUBLIC = 'https://h5.test';

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
  constructor(private readonly signatures: SignatureService) {}

  @Get()
  config(@Query('url') url: string) {
    return this.signatures.signConfig(url, { jsApiList: ['updateAppMessageShareData'] });
  }
}

const platforms = [['Fastify', () => new FastifyAdapter()]] as const;

describe.each(platforms)('a %s host with setGlobalPrefix("api") and no global filter', (_name, adapter) => {
  let sandbox: SandboxServer;
  let app: INestApplication;
  let base: string;
  const prefix = uniquePrefix('any-host');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({ ...ACCOUNT, apiBaseUrl: sandbox.url, redisUrl: REDIS_URL, keyPrefix: prefix, jsDomains: ['h5.example.com'] }),
        OAuthModule.forRoot({ publicBaseUrl: PUBLIC, openBaseUrl: sandbox.url, session: { secret: 'any-host-session-secret-0123456789abcdef' } }),
      ],
      controllers: [OrdersController, ShareController],
    }).compile();
    app = moduleRef.createNestApplication(adapter(), { logger: false });
    app.setGlobalPrefix('api');
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  it("signs through the host's own route, and refuses a foreign host with 400 DOMAIN_NOT_ALLOWED as JSON", async () => {
    const page = 'https://h5.example.com/item?id=1';
    const signed = await new CookieClient(base).get(`/api/share?url=${encodeURIComponent(page)}`, 'application/json');
    expect(signed.status).toBe(200);
    expect(signed.json.signature).toBe(expectedSignature(sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!, signed.json.nonceStr, signed.json.timestamp, page));
    const refused = await new CookieClient(base).get(`/api/share?url=${encodeURIComponent('https://evil.example.org/')}`, 'application/json');
    expect(refused).toMatchObject({ status: 400, json: { statusCode: 400, code: 'DOMAIN_NOT_ALLOWED' } });
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
    expect(denied).toMatchObject({ status: 401, json: { statusCode: 401, code: 'NOT_AUTHENTICATED', loginUrl: '/api/wechat/oauth/login?returnTo=%2Fapi%2Forders' } });
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
    expect(orders).toMatchObject({ status: 200, json: { owner: sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'), appId: ACCOUNT.appId } });
    expect((await client.post('/api/wechat/oauth/logout', {})).status).toBe(204);
    expect((await client.get('/api/orders', 'application/json')).status).toBe(401);
  });
});
