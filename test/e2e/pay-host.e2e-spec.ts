import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import { WechatAccounts } from '../../src/core/accounts/wechat-accounts.js';
import type { PayOrder } from '../../src/core/pay/pay-orders.js';
import { OAuthModule } from '../../src/nest/oauth/oauth.module.js';
import { PayModule } from '../../src/nest/pay/pay.module.js';
import type { PayModuleOptions } from '../../src/nest/pay/pay.options.js';
import { WechatModule } from '../../src/nest/wechat.module.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { PLATFORMS, type Platform } from '../support/app.js';
import { DATABASE_URL, paidNotification, type SignedNotification } from '../support/pay-world.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wxpayhost00000001', appSecret: 'pay-host-secret-0123456789' };

/** Two host applications (two instances) importing PayModule with an onPaid hook, on one PostgreSQL ledger. */
describe.each(PLATFORMS)('a %s host with PayModule and its own hooks', (platform: Platform) => {
  let sandbox: SandboxServer;
  const apps: INestApplication[] = [];
  const urls: string[] = [];
  const paid: PayOrder[] = [];
  const schema = `pay_host_${randomBytes(6).toString('hex')}`;
  const prefix = uniquePrefix('payhost');

  function payOptions(): PayModuleOptions {
    const m = sandbox.sandbox.pay.merchant;
    return {
      mchId: m.mchId,
      privateKey: m.privateKey,
      certSerial: m.certSerial,
      apiV3Key: m.apiV3Key,
      publicKey: m.publicKey,
      publicKeyId: m.publicKeyId,
      baseUrl: sandbox.url,
      notifyUrl: 'https://h5.test/wechat/pay/notify',
      databaseUrl: DATABASE_URL,
      ledgerSchema: schema,
      onPaid: async (order) => {
        paid.push(order);
      },
    };
  }

  async function hostApp(rawBody: boolean, async = false): Promise<string> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({
          appId: ACCOUNT.appId,
          appSecret: ACCOUNT.appSecret,
          apiBaseUrl: sandbox.url,
          redisUrl: REDIS_URL,
          keyPrefix: prefix,
        }),
        OAuthModule.forRoot({
          publicBaseUrl: 'https://h5.test',
          openBaseUrl: sandbox.url,
          session: { secret: 'pay-host-session-secret-0123456789' },
        }),
        // one instance configured at once, the other through a factory, as a host reading its config would
        async ? PayModule.forRootAsync({ useFactory: async () => payOptions() }) : PayModule.forRoot(payOptions()),
      ],
    }).compile();
    const app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication(new ExpressAdapter(), { logger: false, rawBody });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }

  const notification = (outTradeNo: string, total: number) => paidNotification(sandbox.sandbox, ACCOUNT.appId, outTradeNo, total);

  const post = (url: string, n: SignedNotification) =>
    fetch(`${url}/wechat/pay/notify`, { method: 'POST', headers: n.headers, body: n.body }).then(async (r) => ({
      status: r.status,
      json: await r.json().catch(() => undefined),
    }));

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT], pay: { notifyTimeScale: 0.001 } });
    urls.push(await hostApp(true), await hostApp(true, true));
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await sandbox?.close();
    await deleteKeys(prefix);
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('orders through accounts.get(appId).pay and runs onPaid once for five copies of a notification on two instances', async () => {
    const accounts = apps[0]!.get(WechatAccounts);
    const openid = sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice');
    const order = await accounts.get(ACCOUNT.appId).pay.createJsapiOrder(openid, { description: 'host order', amount: 300 });
    expect(order).toMatchObject({ created: true, bridgeConfig: { appId: ACCOUNT.appId } });
    expect(sandbox.sandbox.pay.checkPaySign(order.bridgeConfig)).toBe(true);
    const n = notification(order.outTradeNo, 300);
    const answers = await Promise.all([0, 1, 0, 1, 0].map((i) => post(urls[i]!, n)));
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204, 204, 204]);
    expect(paid.map((o) => [o.outTradeNo, o.state, o.amount])).toEqual([[order.outTradeNo, 'SUCCESS', 300]]);
    expect(await apps[1]!.get(WechatAccounts).get(ACCOUNT.appId).pay.query(order.outTradeNo, openid)).toMatchObject({
      state: 'SUCCESS',
    });
  });

  it('answers 401 in WeChat Pay’s shape for a notification whose signature fails', async () => {
    const n = notification('whatever_order_1', 1);
    const answer = await post(urls[0]!, { ...n, headers: { ...n.headers, 'Wechatpay-Nonce': 'another-nonce' } });
    expect(answer).toEqual({ status: 401, json: { code: 'FAIL', message: expect.stringContaining('signature') } });
  });

  if (platform === 'express') {
    it('answers 500 (so that WeChat Pay repeats) when the Express app was created without rawBody', async () => {
      const url = await hostApp(false);
      const n = notification('whatever_order_2', 1);
      expect(await post(url, n)).toEqual({ status: 500, json: { code: 'FAIL', message: 'the raw body is not available' } });
    });
  }
});
