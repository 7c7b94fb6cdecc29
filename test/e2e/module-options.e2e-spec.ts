import { Injectable, Module } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { caching } from 'cache-manager';
import { redisStore } from 'cache-manager-redis-yet';
import { ProblemFilter } from '../../src/nest/http/problem.filter.js';
import { OAuthModule } from '../../src/nest/oauth/oauth.module.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { WechatAccounts } from '../../src/core/accounts/wechat-accounts.js';
import type { WechatModuleOptions } from '../../src/nest/wechat.options.js';
import { WechatModule } from '../../src/nest/wechat.module.js';
import { getJson, postJson } from '../support/app.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { deleteKeys, listKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wx2468aceb1357bdfa', appSecret: 'module-options-secret-0123' };

describe('module options: useClass, routePrefix, a cache the host already has', () => {
  let sandbox: SandboxServer;
  let app: NestFastifyApplication;
  let base: string;
  const prefix = uniquePrefix('modopts');
  const hostCache = redisStore({ url: REDIS_URL }).then((store) => caching(store));

  @Injectable()
  class WechatConfig {
    async createWechatOptions(): Promise<WechatModuleOptions> {
      return {
        appId: ACCOUNT.appId,
        appSecret: ACCOUNT.appSecret,
        apiBaseUrl: sandbox.url,
        keyPrefix: prefix,
        cache: await hostCache,
      };
    }
  }
  @Module({ providers: [WechatConfig], exports: [WechatConfig] })
  class HostConfigModule {}

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRootAsync({ imports: [HostConfigModule], useClass: WechatConfig, routePrefix: '/api/js/' }),
        OAuthModule.forRoot({
          publicBaseUrl: 'https://h5.test',
          openBaseUrl: sandbox.url,
          routePrefix: 'api/login',
          session: { secret: 'module-options-session-secret-0123456789' },
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new ProblemFilter());
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
    await (await hostCache).store.client.quit();
  });

  it('mounts the JS-SDK routes under the prefix and nowhere else', async () => {
    expect((await postJson(`${base}/api/js/config`, { url: 'https://h5.example.com/' })).status).toBe(200);
    expect((await postJson(`${base}/wechat/jssdk/config`, { url: 'https://h5.example.com/' })).status).toBe(404);
  });

  it('moves the OAuth routes, the redirect_uri and the guard’s loginUrl with the prefix', async () => {
    const client = new CookieClient(base);
    const login = await client.get('/api/login/login?returnTo=%2Fx');
    expect(login.status).toBe(302);
    expect(login.location).toContain(`&redirect_uri=${encodeURIComponent('https://h5.test/api/login/callback')}&`);
    const callback = await client.get(pathOf(sandbox.sandbox.authorize(login.location!)));
    expect(callback).toMatchObject({ status: 302, location: '/x' });
    expect((await client.get('/api/login/me', 'application/json')).json.openid).toBe(
      sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'),
    );
    const anonymous = await getJson(`${base}/api/login/me`, { accept: 'application/json' });
    expect(anonymous.json.loginUrl).toBe('/api/login/login?returnTo=%2Fapi%2Flogin%2Fme');
  });

  it('keeps the credentials in the cache the host passed in, and injects the services anywhere', async () => {
    await app.get(WechatAccounts).get().signature.configFor('https://h5.example.com/');
    const keys = await listKeys(prefix);
    expect(keys).toEqual(
      expect.arrayContaining([`${prefix}{${ACCOUNT.appId}}:access_token`, `${prefix}{${ACCOUNT.appId}}:jsapi_ticket`]),
    );
    const stored = await (await hostCache).get<{ value: string; expiresAt: number }>(`${prefix}{${ACCOUNT.appId}}:jsapi_ticket`);
    expect(stored?.value).toBe(sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi'));
  });
});
