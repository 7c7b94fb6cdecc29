import { Controller, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ProblemFilter } from '../../src/nest/http/problem.filter.js';
import { OAuthModule } from '../../src/nest/oauth/oauth.module.js';
import {
  type SessionUser,
  WECHAT_USER_MAPPER,
  type WechatProfile,
  type WechatUserMapper,
} from '../../src/core/oauth/session-user.js';
import { WechatAuthGuard } from '../../src/nest/oauth/wechat-auth.guard.js';
import { WechatUser } from '../../src/nest/oauth/wechat-user.decorator.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { WechatModule } from '../../src/nest/wechat.module.js';
import { CookieClient, pathOf } from '../support/browser-client.js';

const ACCOUNT = { appId: 'wx9999cccc0000dddd', appSecret: 'mapper-e2e-secret-0123456789' };

/** A host's own account store, reached from inside the mapper. */
@Injectable()
class Accounts {
  readonly seen: WechatProfile[] = [];
  upsert(profile: WechatProfile): number {
    this.seen.push(profile);
    return 1000 + this.seen.length;
  }
}

@Injectable()
class HostMapper implements WechatUserMapper {
  constructor(private readonly accounts: Accounts) {}
  map(profile: WechatProfile): SessionUser {
    return {
      openid: profile.openid,
      scope: profile.scope,
      loggedInAt: new Date().toISOString(),
      id: this.accounts.upsert(profile),
      displayName: `${profile.nickname ?? 'anon'}!`,
      virtual: profile.isSnapshotUser,
    };
  }
}

@Controller('account')
class AccountController {
  @Get()
  @UseGuards(WechatAuthGuard)
  mine(@WechatUser() user: SessionUser, @WechatUser('id') id: number) {
    return { id, name: user.displayName };
  }
}

@Module({ providers: [Accounts, { provide: WECHAT_USER_MAPPER, useClass: HostMapper }], exports: [WECHAT_USER_MAPPER, Accounts] })
class AccountsModule {}

describe('a host-supplied user mapper (injectable provider)', () => {
  let sandbox: SandboxServer;
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({ appId: ACCOUNT.appId, appSecret: ACCOUNT.appSecret, apiBaseUrl: sandbox.url }),
        AccountsModule,
        OAuthModule.forRootAsync({
          imports: [AccountsModule],
          useFactory: () => ({
            publicBaseUrl: 'http://host.test',
            openBaseUrl: sandbox.url,
            session: { secret: 'host-session-secret-0123456789-abcdef' },
          }),
        }),
      ],
      controllers: [AccountController],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new ProblemFilter());
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it("puts the mapper's fields on the session user and reaches the host's own guarded route", async () => {
    const client = new CookieClient(base);
    const login = await client.get('/wechat/oauth/login?returnTo=%2Faccount');
    const callback = await client.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'snapshot' })));
    expect(callback).toMatchObject({ status: 302, location: '/account' });
    const me = await client.get('/wechat/oauth/me', 'application/json');
    expect(me.json).toMatchObject({ id: 1001, displayName: '微信用户!', virtual: true });
    const own = await client.get('/account', 'application/json');
    expect(own.json).toEqual({ id: 1001, name: '微信用户!' });
    expect(app.get(Accounts).seen[0]).toMatchObject({ isSnapshotUser: true, scope: 'snsapi_userinfo' });
  });

  it("protects the host's own route with the guard", async () => {
    const r = await new CookieClient(base).get('/account', 'application/json');
    expect(r.status).toBe(401);
    expect(r.json.loginUrl).toBe('/wechat/oauth/login?returnTo=%2Faccount');
  });
});
