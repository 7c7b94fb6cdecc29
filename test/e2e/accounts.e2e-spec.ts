import { Controller, Get, UseGuards } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemFilter } from '../../src/nest/http/problem.filter.js';
import { OAuthModule } from '../../src/nest/oauth/oauth.module.js';
import type { SessionUser } from '../../src/core/oauth/session-user.js';
import { WechatAuthGuard } from '../../src/nest/oauth/wechat-auth.guard.js';
import { WechatUser } from '../../src/nest/oauth/wechat-user.decorator.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { WechatModule } from '../../src/nest/wechat.module.js';
import { getJson, postJson, serviceEnv, startApp, type RunningApp, PLATFORMS } from '../support/app.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { cookieHeader, loggedInClient } from '../support/media-client.js';
import { type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';

const A = { appId: 'wxa1a1a1a1a1a1a1a1', appSecret: 'accounts-e2e-secret-of-a-0123' };
const B = { appId: 'wxb2b2b2b2b2b2b2b2', appSecret: 'accounts-e2e-secret-of-b-4567' };
const C = { appId: 'wxc3c3c3c3c3c3c3c3', appSecret: 'accounts-e2e-secret-of-c-89ab' };
/** A is the default account (WECHAT_APP_ID); B and C come from WECHAT_ACCOUNTS; shared.example.com is both B's and C's. */
const ACCOUNTS_JSON = JSON.stringify([
  { ...B, jsDomains: ['b.example.com', 'shared.example.com'] },
  { ...C, jsDomains: ['*.c.example.com', 'shared.example.com'] },
]);

describe.each(PLATFORMS)('several Official Accounts in one service, on %s', (platform) => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  let mediaDir: string;
  const prefix = uniquePrefix('accounts');
  const env = () =>
    serviceEnv(sandbox.url, A, {
      WECHAT_JS_DOMAINS: 'a.example.com',
      WECHAT_ACCOUNTS: ACCOUNTS_JSON,
      CACHE_KEY_PREFIX: prefix,
      PUBLIC_BASE_URL: 'http://h5.test',
      MEDIA_DIR: mediaDir,
    });
  const ticketOf = (appId: string) => sandbox.sandbox.currentTicket(appId, 'jsapi')!;
  const expectSignedBy = (r: { status: number; json: any }, appId: string, url: string) => {
    expect(r.status).toBe(200);
    expect(r.json.appId).toBe(appId);
    expect(r.json.signature).toBe(expectedSignature(ticketOf(appId), r.json.nonceStr, r.json.timestamp, url));
  };

  beforeAll(async () => {
    mediaDir = await mkdtemp(join(tmpdir(), 'accounts-media-'));
    sandbox = await startSandbox({ accounts: [A, B, C] });
    svc = await startApp(env(), platform);
  });
  afterAll(async () => {
    await svc?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
    await rm(mediaDir, { recursive: true, force: true });
  });

  it('signs for each account with its own ticket when the appId is named', async () => {
    for (const [account, url] of [
      [A, 'https://a.example.com/p'],
      [B, 'https://b.example.com/p'],
      [C, 'https://x.c.example.com/p'],
    ] as const) {
      expectSignedBy(await postJson(`${svc.url}/wechat/jssdk/config`, { url, appId: account.appId }), account.appId, url);
    }
    const get = await getJson(
      `${svc.url}/wechat/jssdk/config?url=${encodeURIComponent('https://b.example.com/q')}&appId=${B.appId}`,
    );
    expectSignedBy(get, B.appId, 'https://b.example.com/q');
    expect(new Set([A, B, C].map((a) => ticketOf(a.appId))).size).toBe(3);
  });

  it('chooses the account by the page host when no appId is named, else the default', async () => {
    expectSignedBy(
      await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://b.example.com/route' }),
      B.appId,
      'https://b.example.com/route',
    );
    expectSignedBy(
      await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://deep.c.example.com/x?y=1' }),
      C.appId,
      'https://deep.c.example.com/x?y=1',
    );
    expectSignedBy(
      await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://a.example.com/' }),
      A.appId,
      'https://a.example.com/',
    );
    // no account names this host: the default account decides, and it does not allow it
    const other = await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://other.example.org/' });
    expect(other).toMatchObject({ status: 400, json: { code: 'DOMAIN_NOT_ALLOWED' } });
  });

  it('answers 400 ACCOUNT_REQUIRED for a host of several accounts, and signs once the appId is named', async () => {
    const url = 'https://shared.example.com/both';
    const ambiguous = await postJson(`${svc.url}/wechat/jssdk/config`, { url });
    expect(ambiguous).toMatchObject({ status: 400, json: { code: 'ACCOUNT_REQUIRED' } });
    expectSignedBy(await postJson(`${svc.url}/wechat/jssdk/config`, { url, appId: C.appId }), C.appId, url);
  });

  it('answers 400 UNKNOWN_ACCOUNT for an appId that is not configured, on signing and login alike', async () => {
    const calls = sandbox.sandbox.calls();
    const sign = await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://b.example.com/', appId: 'wxnotconfigured000' });
    expect(sign).toMatchObject({ status: 400, json: { code: 'UNKNOWN_ACCOUNT' } });
    const card = await postJson(`${svc.url}/wechat/jssdk/card-config`, { appId: 'wxnotconfigured000' });
    expect(card).toMatchObject({ status: 400, json: { code: 'UNKNOWN_ACCOUNT' } });
    const login = await new CookieClient(svc.url).get('/wechat/oauth/login?appId=wxnotconfigured000');
    expect(login).toMatchObject({ status: 400, json: { code: 'UNKNOWN_ACCOUNT' } });
    expect(login.headers.get('set-cookie')).toBeNull();
    expect(sandbox.sandbox.calls()).toEqual(calls);
  });

  it("logs in through account B: WeChat sees B's appId, and the session user carries it", async () => {
    const client = new CookieClient(svc.url);
    const login = await client.get(`/wechat/oauth/login?appId=${B.appId}&returnTo=%2Fdone`);
    expect(login.status).toBe(302);
    expect(login.location).toContain(`/connect/oauth2/authorize?appid=${B.appId}&`);
    const callback = await client.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
    expect(callback).toMatchObject({ status: 302, location: '/done' });
    const me = await client.get('/wechat/oauth/me', 'application/json');
    expect(me.json).toMatchObject({ appId: B.appId, openid: sandbox.sandbox.openidOf(B.appId, 'alice') });
    expect(me.json.openid).not.toBe(sandbox.sandbox.openidOf(A.appId, 'alice'));
  });

  it("saves a media of account B with B's token for a user of B, apart from the default account's media", async () => {
    const ofB = new CookieClient(svc.url);
    const login = await ofB.get(`/wechat/oauth/login?appId=${B.appId}`);
    await ofB.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
    const mediaId = sandbox.sandbox.registerMedia(B.appId, { type: 'voice', size: 1024 });
    const saved = await ofB.post(`/wechat/media/${mediaId}?appId=${B.appId}`);
    expect(saved.status).toBe(201);
    expect(await readdir(join(mediaDir, B.appId))).toEqual(expect.arrayContaining([`${mediaId}.json`, `${mediaId}.media`]));
    const read = await fetch(`${svc.url}/wechat/media/${mediaId}`, { headers: { cookie: cookieHeader(ofB) } });
    expect(read.status).toBe(200);
    // a user of the default account cannot save or read through B
    const ofA = await loggedInClient(svc.url, sandbox.sandbox, 'alice');
    const refused = await ofA.post(`/wechat/media/${mediaId}?appId=${B.appId}`);
    expect(refused).toMatchObject({ status: 403, json: { code: 'ACCOUNT_NOT_ALLOWED' } });
    const elsewhere = await fetch(`${svc.url}/wechat/media/${mediaId}`, { headers: { cookie: cookieHeader(ofA) } });
    expect(elsewhere.status).toBe(404);
  });

  it('labels the metrics by app_id', async () => {
    const text = (await getJson(`${svc.url}/metrics`)).text;
    for (const { appId } of [A, B, C]) {
      expect(text).toMatch(new RegExp(`wechat_signatures_total\\{app_id="${appId}",kind="jsapi"\\} [1-9]`));
      expect(text).toMatch(
        new RegExp(`wechat_credential_refreshes_total\\{app_id="${appId}",credential="jsapi_ticket",result="ok"\\} 1`),
      );
    }
    expect(text).toContain(`wechat_api_calls_total{app_id="${B.appId}",endpoint="cgi-bin/media/get",outcome="ok"} 1`);
    expect(text).toContain(`wechat_logins_total{app_id="${B.appId}",outcome="success"} 2`);
  });

  describe('a cold burst over 3 processes spread over the 3 accounts', () => {
    const burstPrefix = uniquePrefix('accounts-burst');
    const processes: ServiceProcess[] = [];
    beforeAll(async () => {
      sandbox.sandbox.resetCalls();
      const processEnv = { ...env(), LOG_LEVEL: 'info', CACHE_KEY_PREFIX: burstPrefix } as Record<string, string>;
      processes.push(...(await Promise.all([1, 2, 3].map(() => startServiceProcess(processEnv)))));
    }, 60_000);
    afterAll(async () => {
      await Promise.all(processes.map((p) => p.stop()));
      await deleteKeys(burstPrefix);
    });

    it('makes exactly 3 token and 3 ticket fetches', async () => {
      const pages = ['https://a.example.com/b', 'https://b.example.com/b', 'https://x.c.example.com/b'];
      const results = await Promise.all(
        processes.flatMap((p) =>
          Array.from({ length: 90 }, (_, i) => {
            const url = `${pages[i % 3]}?n=${i}`;
            return postJson(`${p.url}/wechat/jssdk/config`, { url }).then((r) => ({ ...r, url }));
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
      for (const r of results) {
        const appId = [A, B, C][pages.findIndex((page) => r.url.startsWith(page))]!.appId;
        expectSignedBy(r, appId, r.url);
      }
      expect(sandbox.sandbox.calls('cgi-bin/stable_token')).toBe(3);
      expect(sandbox.sandbox.calls('cgi-bin/ticket/getticket')).toBe(3);
    }, 60_000);
  });
});

describe('the accounts of a host app: forRoot({ accounts }) and WechatAuthGuard.for(appId)', () => {
  let sandbox: SandboxServer;
  let app: NestFastifyApplication;
  let base: string;
  const prefix = uniquePrefix('accounts-host');

  @Controller('c-only')
  class COnlyController {
    @Get()
    @UseGuards(WechatAuthGuard.for(C.appId))
    who(@WechatUser() user: SessionUser) {
      return { appId: user.appId, openid: user.openid };
    }
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [A, B, C] });
    const moduleRef = await Test.createTestingModule({
      imports: [
        // no appId of its own: the first listed account is the default
        WechatModule.forRoot({ accounts: [B, C], apiBaseUrl: sandbox.url, redisUrl: REDIS_URL, keyPrefix: prefix }),
        OAuthModule.forRoot({
          publicBaseUrl: 'https://h5.test',
          openBaseUrl: sandbox.url,
          session: { secret: 'accounts-host-session-secret-0123456789' },
        }),
      ],
      controllers: [COnlyController],
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
  });

  it('admits only users of that account, and sends others to its login', async () => {
    const client = new CookieClient(base);
    const anonymous = await client.get('/c-only', 'application/json');
    expect(anonymous).toMatchObject({
      status: 401,
      json: { loginUrl: `/wechat/oauth/login?returnTo=%2Fc-only&appId=${C.appId}` },
    });

    // logged in through B (the default here): still not C's user
    const loginB = await client.get('/wechat/oauth/login');
    expect(loginB.location).toContain(`appid=${B.appId}&`);
    await client.get(pathOf(sandbox.sandbox.authorize(loginB.location!, { user: 'alice' })));
    expect((await client.get('/c-only', 'application/json')).status).toBe(401);

    const loginC = await client.get(`/wechat/oauth/login?appId=${C.appId}`);
    await client.get(pathOf(sandbox.sandbox.authorize(loginC.location!, { user: 'alice' })));
    const admitted = await client.get('/c-only', 'application/json');
    expect(admitted).toMatchObject({ status: 200, json: { appId: C.appId, openid: sandbox.sandbox.openidOf(C.appId, 'alice') } });
  });
});
