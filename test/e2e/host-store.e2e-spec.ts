import { Controller, Get, UseGuards, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { OAuthModule } from '../../src/nest/oauth/oauth.module.js';
import type { SessionUser } from '../../src/core/oauth/session-user.js';
import { WechatAuthGuard } from '../../src/nest/oauth/wechat-auth.guard.js';
import { WechatUser } from '../../src/nest/oauth/wechat-user.decorator.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import type { StoreHit, StoreLock, WechatStore } from '../../src/core/wechat-store.js';
import { WechatModule } from '../../src/nest/wechat.module.js';
import { CookieClient, pathOf } from '../support/browser-client.js';

const ACCOUNT = { appId: 'wx5c5c6d6d7e7e8f8f', appSecret: 'host-store-e2e-secret-0123' };

/** A store of the host's own, written against the WechatStore interface only: plain maps with expiry. */
class MapStore implements WechatStore {
  readonly kind = 'memory' as const;
  readonly values = new Map<string, { value: unknown; until: number }>();
  private readonly counters = new Map<string, { count: number; until: number }>();

  async get(key: string): Promise<unknown> {
    const entry = this.values.get(key);
    return entry && entry.until > Date.now() ? structuredClone(entry.value) : undefined;
  }
  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.values.set(key, { value: structuredClone(value), until: Date.now() + ttlMs });
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
  async lock(key: string, ttlMs: number): Promise<StoreLock | null> {
    if (await this.isLocked(key)) return null;
    const mark = Symbol(key);
    this.values.set(key, { value: String(mark.description), until: Date.now() + ttlMs });
    const entry = this.values.get(key);
    return {
      release: async () => {
        if (this.values.get(key) === entry) this.values.delete(key);
      },
      extend: async (ms) => {
        if (this.values.get(key) !== entry) return false;
        entry!.until = Date.now() + ms;
        return true;
      },
    };
  }
  async isLocked(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }
  async hit(key: string, windowMs: number, by = 1): Promise<StoreHit> {
    let window = this.counters.get(key);
    if (!window || window.until <= Date.now()) this.counters.set(key, (window = { count: 0, until: Date.now() + windowMs }));
    window.count += by;
    return { count: window.count, resetMs: window.until - Date.now() };
  }
  async ping(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}

@Controller('orders')
class OrdersController {
  @Get()
  @UseGuards(WechatAuthGuard)
  list(@WechatUser() user: SessionUser) {
    return { owner: user.openid };
  }
}

const platforms = [
  ['Fastify', () => new FastifyAdapter()],
  ['Express', () => new ExpressAdapter()],
] as const;

describe.each(platforms)("a %s host's own store carries the sessions too", (_name, adapter) => {
  let sandbox: SandboxServer;
  const store = new MapStore();
  const apps: INestApplication[] = [];
  const bases: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    for (let i = 0; i < 2; i++) {
      const moduleRef = await Test.createTestingModule({
        imports: [
          WechatModule.forRoot({ ...ACCOUNT, apiBaseUrl: sandbox.url, store, keyPrefix: 'host:' }),
          OAuthModule.forRoot({
            publicBaseUrl: 'http://h5.test',
            openBaseUrl: sandbox.url,
            session: { secret: 'host-store-session-secret-0123456789abc' },
          }),
        ],
        controllers: [OrdersController],
      }).compile();
      const app = moduleRef.createNestApplication(adapter() as FastifyAdapter, { logger: false });
      await app.listen(0, '127.0.0.1');
      apps.push(app);
      bases.push((await app.getUrl()).replace('[::1]', '127.0.0.1'));
    }
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await sandbox?.close();
  });

  it('a login on one instance is a session on the other, kept in the host store', async () => {
    const onA = new CookieClient(bases[0]!);
    const login = await onA.get('/wechat/oauth/login?returnTo=%2Forders');
    expect(login.status).toBe(302);
    const callback = await onA.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
    expect(callback).toMatchObject({ status: 302, location: '/orders' });

    // the same cookie, sent to the other instance
    const onB = new CookieClient(bases[1]!);
    for (const [name, value] of onA.cookies) onB.cookies.set(name, value);
    const orders = await onB.get('/orders', 'application/json');
    expect(orders).toMatchObject({ status: 200, json: { owner: sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice') } });

    const sessions = [...store.values.keys()].filter((key) => key.startsWith('host:sess:'));
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    // logging out on B ends it on A too
    expect((await onB.post('/wechat/oauth/logout', {})).status).toBe(204);
    expect((await onA.get('/orders', 'application/json')).status).toBe(401);
  });
});
