import {
  ADMIN_BEARER,
  type LedgerKind,
  PAY_ACCOUNT,
  paidNotification,
  type PayWorld,
  type SignedNotification,
  startPayWorld,
} from '../support/pay-world.js';
import { PLATFORMS } from '../support/app.js';

const order = { description: 'A cup of coffee', amount: 100 };

describe.each(PLATFORMS)('WeChat Pay for the page on %s', (platform) => {
  describe.each<LedgerKind>(['embedded', 'postgres'])('with the %s ledger', (ledger) => {
    let world: PayWorld;
    beforeAll(async () => {
      world = await startPayWorld(platform, ledger);
    });
    afterAll(() => world?.close());

    it('orders for the logged-in user, signs both client shapes, and shows SUCCESS only after WeChat Pay says so', async () => {
      const alice = await world.login('alice');
      const created = await alice.post('/wechat/pay/orders', order);
      expect(created.status).toBe(201);
      const { outTradeNo, bridgeConfig, sdkConfig } = created.json;
      expect(bridgeConfig).toMatchObject({
        appId: world.apps[0]!.config.appId,
        signType: 'RSA',
        package: expect.stringMatching(/^prepay_id=/),
      });
      expect(typeof bridgeConfig.timeStamp).toBe('string');
      expect(sdkConfig).toEqual({
        timestamp: bridgeConfig.timeStamp,
        nonceStr: bridgeConfig.nonceStr,
        package: bridgeConfig.package,
        signType: 'RSA',
        paySign: bridgeConfig.paySign,
      });
      // the simulator checks the paySign with its own code and the merchant's public key
      expect(world.sandbox.sandbox.pay.checkPaySign(bridgeConfig)).toBe(true);
      expect(JSON.stringify(created.json)).not.toContain(world.sandbox.sandbox.pay.merchant.apiV3Key);

      expect((await alice.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json')).json).toEqual({
        outTradeNo,
        state: 'NOTPAY',
        amount: 100,
      });
      world.sandbox.sandbox.pay.pay(outTradeNo, 'alice');
      await world.sandbox.sandbox.pay.idle();
      const deliveries = world.sandbox.sandbox.pay.deliveries(outTradeNo);
      expect(deliveries.map((d) => [d.kind, d.status])).toEqual([
        ['notification', 204],
        ['duplicate', 204],
      ]);
      const paid = (await alice.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json')).json;
      expect(paid).toMatchObject({
        outTradeNo,
        state: 'SUCCESS',
        amount: 100,
        transactionId: expect.any(String),
        paidAt: expect.any(String),
      });

      const bob = await world.login('html');
      expect((await bob.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json')).status).toBe(404);
    });

    it('answers the same order for the same outTradeNo and 409 OUT_TRADE_NO_USED for other parameters', async () => {
      const alice = await world.login('alice');
      const outTradeNo = `same_${platform}_${ledger}`.slice(0, 32);
      const first = await alice.post('/wechat/pay/orders', { ...order, outTradeNo });
      const again = await alice.post('/wechat/pay/orders', { ...order, outTradeNo });
      expect([first.status, again.status]).toEqual([201, 200]);
      expect(again.json.bridgeConfig.package).toBe(first.json.bridgeConfig.package);
      const other = await alice.post('/wechat/pay/orders', { ...order, amount: 99, outTradeNo });
      expect([other.status, other.json.code]).toEqual([409, 'OUT_TRADE_NO_USED']);
    });

    it('refuses bad input with 400, an anonymous order with 401, and records nothing', async () => {
      const alice = await world.login('alice');
      for (const body of [
        { description: '', amount: 1 },
        { description: 'x', amount: 0 },
        { description: 'x', amount: 1.5 },
        { description: 'x', amount: 1, extra: 1 },
        'not json',
      ]) {
        const answer = await alice.post('/wechat/pay/orders', body);
        expect([answer.status, answer.json?.code]).toEqual([
          400,
          expect.stringMatching(/VALIDATION_FAILED|INVALID_JSON|BAD_REQUEST/),
        ]);
      }
      const anonymous = await fetch(`${world.apps[0]!.url}/wechat/pay/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(order),
      });
      expect(anonymous.status).toBe(401);
    });

    it('refunds for pay admins only, never past what was paid, and applies REFUND.SUCCESS', async () => {
      const alice = await world.login('alice');
      const { outTradeNo } = (await alice.post('/wechat/pay/orders', order)).json;
      world.sandbox.sandbox.pay.pay(outTradeNo, 'alice');
      await world.sandbox.sandbox.pay.idle();
      expect((await alice.post('/wechat/pay/refunds', { outTradeNo, amount: 10 })).status).toBe(401);
      const tooMuch = await alice.post('/wechat/pay/refunds', { outTradeNo, amount: 101 }, ADMIN_BEARER);
      expect([tooMuch.status, tooMuch.json.code]).toEqual([409, 'REFUND_EXCEEDS_PAID']);
      const refund = await alice.post('/wechat/pay/refunds', { outTradeNo, amount: 60 }, ADMIN_BEARER);
      expect(refund.status).toBe(201);
      // the simulator settles refunds in a few ms (time-scaled): its REFUND.SUCCESS may be applied before this answer
      expect(refund.json).toEqual({ outRefundNo: expect.any(String), status: expect.stringMatching(/^(PROCESSING|SUCCESS)$/) });
      await world.sandbox.sandbox.pay.idle();
      const settled = await alice.get(`/wechat/pay/refunds/${refund.json.outRefundNo}`, 'application/json', ADMIN_BEARER);
      expect(settled.json).toMatchObject({ outRefundNo: refund.json.outRefundNo, outTradeNo, amount: 60, status: 'SUCCESS' });
      expect((await alice.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json')).json.state).toBe('REFUND');
      const rest = await alice.post('/wechat/pay/refunds', { outTradeNo, amount: 41 }, ADMIN_BEARER);
      expect([rest.status, rest.json.refundable]).toEqual([409, 40]);
    });

    it('closes an unpaid order for its payer or a pay admin; another user cannot', async () => {
      const alice = await world.login('alice');
      const bob = await world.login('html');
      const { outTradeNo } = (await alice.post('/wechat/pay/orders', order)).json;
      expect((await bob.post(`/wechat/pay/orders/${outTradeNo}/close`)).status).toBe(404);
      expect((await alice.post(`/wechat/pay/orders/${outTradeNo}/close`)).status).toBe(204);
      expect((await alice.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json')).json.state).toBe('CLOSED');
      const second = (await alice.post('/wechat/pay/orders', order)).json.outTradeNo;
      expect((await bob.post(`/wechat/pay/orders/${second}/close`, undefined, { authorization: 'Bearer wrong' })).status).toBe(
        401,
      );
      expect((await bob.post(`/wechat/pay/orders/${second}/close`, undefined, ADMIN_BEARER)).status).toBe(204);
      expect((await alice.get(`/wechat/pay/orders/${second}`, 'application/json')).json.state).toBe('CLOSED');
    });
  });
});

const paidNotificationOf = (world: PayWorld, outTradeNo: string, total: number, signerOffsetMs = 0) =>
  paidNotification(world.sandbox.sandbox, PAY_ACCOUNT.appId, outTradeNo, total, signerOffsetMs);

const notify = (world: PayWorld, n: SignedNotification, app = 0) =>
  fetch(`${world.apps[app]!.url}/wechat/pay/notify`, { method: 'POST', headers: n.headers, body: n.body }).then(async (r) => ({
    status: r.status,
    text: await r.text(),
  }));

describe.each(PLATFORMS)('notifications from WeChat Pay on %s, two instances on one PostgreSQL ledger', (platform) => {
  let world: PayWorld;
  beforeAll(async () => {
    world = await startPayWorld(platform, 'postgres', 2);
  });
  afterAll(() => world?.close());

  it('refuses a forged, tampered, re-serialised, stale, probing or unknown-serial notification with 401 and changes nothing', async () => {
    const alice = await world.login('alice');
    const { outTradeNo } = (await alice.post('/wechat/pay/orders', order)).json;
    const good = paidNotificationOf(world, outTradeNo, 100);
    const flip = (s: string) => s.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const attacks = [
      { ...good, headers: { ...good.headers, 'Wechatpay-Signature': flip(good.headers['Wechatpay-Signature']!) } },
      {
        ...good,
        headers: { ...good.headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${good.headers['Wechatpay-Signature']}` },
      },
      { ...good, headers: { ...good.headers, 'Wechatpay-Serial': 'PUB_KEY_ID_0000000000000000000000000000099' } },
      { ...good, body: JSON.stringify(JSON.parse(good.body), null, 2) },
      { ...good, body: good.body.replace('"支付成功"', '"支付失败"') },
      // seconds are whole on the wire: 310 s stays past the 300 s window whatever the rounding
      paidNotificationOf(world, outTradeNo, 100, -310_000),
      paidNotificationOf(world, outTradeNo, 100, +310_000),
      { body: good.body, headers: { 'content-type': 'application/json' } },
    ];
    for (const attack of attacks) {
      const answer = await notify(world, attack);
      expect([answer.status, JSON.parse(answer.text).code]).toEqual([401, 'FAIL']);
    }
    expect((await alice.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json')).json.state).toBe('NOTPAY');
  });

  it('puts an order whose paid amount differs into REVIEW, never SUCCESS, and still answers 204', async () => {
    const alice = await world.login('alice');
    const { outTradeNo } = (await alice.post('/wechat/pay/orders', order)).json;
    expect((await notify(world, paidNotificationOf(world, outTradeNo, 1))).status).toBe(204);
    expect((await alice.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json')).json.state).toBe('REVIEW');
  });

  it('applies one notification once when five copies reach two instances at once', async () => {
    const alice = await world.login('alice');
    const { outTradeNo } = (await alice.post('/wechat/pay/orders', order)).json;
    const n = paidNotificationOf(world, outTradeNo, 100);
    const before = await appliedCounts(world);
    const answers = await Promise.all([0, 1, 0, 1, 0].map((app) => notify(world, n, app)));
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204, 204, 204]);
    const after = await appliedCounts(world);
    expect(after - before).toBe(1);
    expect((await alice.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json', {})).json.state).toBe('SUCCESS');
  });
});

/** wechat_pay_notifications_total{result="applied"} summed over the world's instances. */
async function appliedCounts(world: PayWorld): Promise<number> {
  let sum = 0;
  for (const app of world.apps) {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const match = /wechat_pay_notifications_total\{result="applied"\} (\d+)/.exec(text);
    sum += match ? Number(match[1]) : 0;
  }
  return sum;
}

describe.each(PLATFORMS)('a merchant of platform certificates (WECHAT_PAY_PLATFORM_CERTS=auto) on %s', (platform) => {
  let world: PayWorld;
  beforeAll(async () => {
    world = await startPayWorld(platform, 'embedded', 1, { certificates: true });
  });
  afterAll(() => world?.close());

  it('downloads the certificates once at start, pays with them, and never downloads on a caller’s unknown serial', async () => {
    const calls = () => world.sandbox.sandbox.calls('v3/certificates');
    expect(calls()).toBe(1);
    const alice = await world.login('alice');
    const { outTradeNo } = (await alice.post('/wechat/pay/orders', order)).json;
    const good = paidNotificationOf(world, outTradeNo, 100);
    for (let i = 0; i < 10; i++) {
      const serial = `${i}A`.repeat(8);
      const answer = await notify(world, { ...good, headers: { ...good.headers, 'Wechatpay-Serial': serial } });
      expect(answer.status).toBe(401);
    }
    expect(calls()).toBe(1);
    expect((await notify(world, good)).status).toBe(204);
    expect((await alice.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json')).json.state).toBe('SUCCESS');
  });
});
