import { jest } from '@jest/globals';
import { createPublicKey, createVerify } from 'node:crypto';
import {
  FAKE_PLATFORM_PUBLIC_KEY,
  FAKE_PUBLIC_KEY_ID,
  FakePayHttp,
  signNotification,
} from '../../../test/support/fake-pay-http.js';
import { V6_PRIVATE_KEY } from '../../../test/support/pay-vectors.js';
import { MemoryPayOrders } from '../../ledger/memory-pay-orders.js';
import { SILENT } from '../ports.js';
import { Problem } from '../problem.js';
import { aesGcmEncrypt, apiV3KeyBytes, privateKeyFromPem } from './pay-crypto.js';
import type { PayOrder, PayRefund } from './pay-orders.js';
import { PayService, type Payer } from './pay-service.js';
import { WechatPayClient } from './wechatpay-client.js';
import { CombinedKeys } from './wechatpay-verifier.js';

const MCH = '1900000109';
const APIV3 = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
const payer: Payer = { appId: 'wxpayapp000000001', openid: 'o_payer_1' };

function world() {
  let now = Date.UTC(2026, 11, 7, 10);
  const clock = () => now;
  const merchantKey = privateKeyFromPem(V6_PRIVATE_KEY);
  const http = new FakePayHttp(createPublicKey(V6_PRIVATE_KEY), clock);
  const merchant = {
    mchId: MCH,
    privateKey: merchantKey,
    certSerial: 'ABC123',
    apiV3Key: apiV3KeyBytes(APIV3),
    baseUrl: 'https://pay.test',
  };
  const keys = new CombinedKeys({ id: FAKE_PUBLIC_KEY_ID, key: FAKE_PLATFORM_PUBLIC_KEY });
  const orders = new MemoryPayOrders();
  const paid: PayOrder[] = [];
  const refunded: PayRefund[] = [];
  const hooks = {
    onPaid: jest.fn(async (o: PayOrder) => void paid.push(o)),
    onRefunded: jest.fn(async (r: PayRefund) => void refunded.push(r)),
  };
  const events = { payOrder: jest.fn(), payNotification: jest.fn() };
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const client = new WechatPayClient(merchant, keys, http, clock, SILENT);
  const pay = new PayService({
    merchant,
    notifyUrl: 'https://shop.test/wechat/pay/notify',
    client,
    orders,
    keys,
    hooks,
    clock,
    logger,
    events,
  });
  const other = new PayService({
    merchant,
    notifyUrl: 'https://shop.test/wechat/pay/notify',
    client: new WechatPayClient(merchant, keys, http, clock, SILENT),
    orders,
    keys,
    hooks,
    clock,
    logger: SILENT,
  });
  const notify = (eventType: string, resource: object, at = now) => {
    const nonce = 'abcdefghijkl';
    const body = JSON.stringify({
      id: `EV-${eventType}-${JSON.stringify(resource).length}-${Math.random()}`,
      create_time: '2026-12-07T18:00:00+08:00',
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: aesGcmEncrypt(JSON.stringify(resource), nonce, 'transaction', apiV3KeyBytes(APIV3)),
        associated_data: 'transaction',
        nonce,
      },
    });
    return { headers: signNotification(body, at), body };
  };
  const paidTx = (outTradeNo: string, total = 100, extra: object = {}) => ({
    appid: payer.appId,
    mchid: MCH,
    out_trade_no: outTradeNo,
    transaction_id: `4200${outTradeNo}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    success_time: '2026-12-07T18:00:00+08:00',
    payer: { openid: payer.openid },
    amount: { total, payer_total: total, currency: 'CNY' },
    ...extra,
  });
  return {
    pay,
    other,
    client,
    http,
    orders,
    hooks,
    paid,
    refunded,
    events,
    logger,
    notify,
    paidTx,
    advance: (ms: number) => (now += ms),
    clock,
  };
}

const problemOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof Problem) return e.body;
    throw e;
  }
  throw new Error('expected a Problem');
};

describe('PayService: JSAPI orders', () => {
  it('records the order NOTPAY, orders it signed, and signs the page parameters with the merchant key', async () => {
    const w = world();
    const created = await w.pay.createJsapiOrder(payer, { description: 'Coffee', amount: 100, outTradeNo: 'order_000001' });
    expect(created).toMatchObject({
      created: true,
      outTradeNo: 'order_000001',
      bridgeConfig: { appId: payer.appId, package: 'prepay_id=wx_prepay_1', signType: 'RSA' },
    });
    const { bridgeConfig: b, sdkConfig: s } = created;
    expect(b.timeStamp).toBe(String(Math.floor(w.clock() / 1000)));
    expect(s).toEqual({ timestamp: b.timeStamp, nonceStr: b.nonceStr, package: b.package, signType: 'RSA', paySign: b.paySign });
    const message = `${b.appId}\n${b.timeStamp}\n${b.nonceStr}\n${b.package}\n`;
    expect(createVerify('RSA-SHA256').update(message).verify(createPublicKey(V6_PRIVATE_KEY), b.paySign, 'base64')).toBe(true);
    expect(w.http.calls[0].body).toEqual({
      appid: payer.appId,
      mchid: MCH,
      description: 'Coffee',
      out_trade_no: 'order_000001',
      notify_url: 'https://shop.test/wechat/pay/notify',
      amount: { total: 100, currency: 'CNY' },
      payer: { openid: payer.openid },
    });
    expect(await w.orders.findOrder(MCH, 'order_000001')).toMatchObject({
      state: 'NOTPAY',
      amount: 100,
      appId: payer.appId,
      openid: payer.openid,
      prepayId: 'wx_prepay_1',
    });
    expect(w.events.payOrder).toHaveBeenCalledWith('NOTPAY');
  });

  it('makes an unguessable outTradeNo when the page gives none', async () => {
    const w = world();
    const a = await w.pay.createJsapiOrder(payer, { description: 'Tea', amount: 1 });
    const b = await w.pay.createJsapiOrder(payer, { description: 'Tea', amount: 1 });
    expect(a.outTradeNo).toMatch(/^20261207[A-Za-z0-9]{24}$/);
    expect(a.outTradeNo).not.toBe(b.outTradeNo);
  });

  it('answers the same order for the same outTradeNo and parameters, 409 for other parameters', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'Coffee', amount: 100, outTradeNo: 'order_000002' });
    const again = await w.pay.createJsapiOrder(payer, { description: 'Coffee', amount: 100, outTradeNo: 'order_000002' });
    expect(again).toMatchObject({ created: false, bridgeConfig: { package: 'prepay_id=wx_prepay_1' } });
    expect(
      await problemOf(w.pay.createJsapiOrder(payer, { description: 'Coffee', amount: 101, outTradeNo: 'order_000002' })),
    ).toMatchObject({ statusCode: 409, code: 'OUT_TRADE_NO_USED' });
    expect(
      await problemOf(
        w.pay.createJsapiOrder(
          { ...payer, openid: 'o_other' },
          { description: 'Coffee', amount: 100, outTradeNo: 'order_000002' },
        ),
      ),
    ).toMatchObject({ code: 'OUT_TRADE_NO_USED' });
  });

  it.each([
    [{ description: '', amount: 1 }],
    [{ description: 'x'.repeat(128), amount: 1 }],
    [{ description: 'ok', amount: 0 }],
    [{ description: 'ok', amount: 1.5 }],
    [{ description: 'ok', amount: 1, outTradeNo: 'short' }],
    [{ description: 'ok', amount: 1, outTradeNo: 'has space 123' }],
    [{ description: 'ok', amount: 1, attach: 'a'.repeat(129) }],
    [{ description: 'ok', amount: 1, timeExpire: '2026-12-07 10:00' }],
    [{ description: 'ok', amount: 1, timeExpire: '2020-01-01T00:00:00+08:00' }],
  ])('refuses %j with 400 before anything is recorded or sent', async (input) => {
    const w = world();
    expect(await problemOf(w.pay.createJsapiOrder(payer, input as any))).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(w.http.calls).toHaveLength(0);
  });

  it("turns WeChat Pay's refusal into 502 WECHAT_PAY_ERROR with its code, and a forged answer into UNVERIFIED_ANSWER", async () => {
    const w = world();
    w.http.next.push(() => ({ status: 400, body: { code: 'OPENID_MISMATCH', message: 'openid和appid不匹配' } }));
    expect(await problemOf(w.pay.createJsapiOrder(payer, { description: 'x', amount: 1 }))).toEqual({
      statusCode: 502,
      code: 'WECHAT_PAY_ERROR',
      payCode: 'OPENID_MISMATCH',
      message: 'WeChat Pay pay/transactions/jsapi answered OPENID_MISMATCH',
    });
    w.http.tamper = true;
    expect(await problemOf(w.pay.createJsapiOrder(payer, { description: 'x', amount: 1 }))).toMatchObject({
      statusCode: 502,
      payCode: 'UNVERIFIED_ANSWER',
    });
  });

  it('does not believe an unsigned 204 when closing', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 1, outTradeNo: 'order_close1' });
    w.http.tamper = true;
    expect(await problemOf(w.pay.close('order_close1', payer))).toMatchObject({ payCode: 'UNVERIFIED_ANSWER' });
    expect((await w.orders.findOrder(MCH, 'order_close1'))?.state).toBe('NOTPAY');
    w.http.tamper = false;
    await w.pay.close('order_close1', payer);
    expect((await w.orders.findOrder(MCH, 'order_close1'))?.state).toBe('CLOSED');
    await w.pay.close('order_close1');
    expect(await problemOf(w.pay.close('order_close1', { ...payer, openid: 'someone' }))).toMatchObject({
      statusCode: 404,
      code: 'ORDER_NOT_FOUND',
    });
  });

  it('sends attach and time_expire when the order has them, and leaves the keys out when it has not', async () => {
    const w = world();
    const sent = jest.spyOn(w.client, 'jsapiOrder');
    await w.pay.createJsapiOrder(payer, {
      description: 'Coffee',
      amount: 100,
      outTradeNo: 'order_attach1',
      attach: 'table=7',
      timeExpire: '2026-12-08T10:34:56+08:00',
    });
    expect(w.http.calls[0].body).toMatchObject({ attach: 'table=7', time_expire: '2026-12-08T10:34:56+08:00' });
    await w.pay.createJsapiOrder(payer, { description: 'Coffee', amount: 100, outTradeNo: 'order_attach2' });
    // strictly: a field the order lacks is no key at all in the request, not a key holding undefined
    expect(sent.mock.calls[1][0]).toStrictEqual({
      appid: payer.appId,
      mchid: MCH,
      description: 'Coffee',
      out_trade_no: 'order_attach2',
      notify_url: 'https://shop.test/wechat/pay/notify',
      amount: { total: 100, currency: 'CNY' },
      payer: { openid: payer.openid },
    });
  });

  it('answers 409 ORDER_NOT_PAYABLE, with the state, for a repeat of an order that was paid, asking WeChat Pay nothing', async () => {
    const w = world();
    const input = { description: 'Coffee', amount: 100, outTradeNo: 'order_paid01' };
    await w.pay.createJsapiOrder(payer, input);
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_paid01'));
    await w.pay.handleNotification(n.headers, n.body);
    expect(await problemOf(w.pay.createJsapiOrder(payer, input))).toEqual({
      statusCode: 409,
      code: 'ORDER_NOT_PAYABLE',
      message: 'this order is SUCCESS',
      state: 'SUCCESS',
    });
    expect(w.http.calls).toHaveLength(1);
  });

  const sameInput = {
    description: 'Coffee',
    amount: 100,
    outTradeNo: 'order_same01',
    attach: 'table=7',
    timeExpire: '2026-12-08T10:34:56+08:00',
  };
  it.each([
    ['appId', { ...payer, appId: 'wxpayapp000000002' }, sameInput],
    ['description', payer, { ...sameInput, description: 'Tea' }],
    ['attach', payer, { ...sameInput, attach: 'table=8' }],
    ['timeExpire', payer, { ...sameInput, timeExpire: '2026-12-08T11:00:00+08:00' }],
  ])(
    'answers 409 OUT_TRADE_NO_USED for a repeat that differs only in %s, asking WeChat Pay nothing',
    async (_what, who, input) => {
      const w = world();
      await w.pay.createJsapiOrder(payer, sameInput);
      expect(await problemOf(w.pay.createJsapiOrder(who, input))).toMatchObject({ statusCode: 409, code: 'OUT_TRADE_NO_USED' });
      expect(w.http.calls).toHaveLength(1);
    },
  );

  it('writes the prepay_id to the ledger only when WeChat Pay answers one the order does not hold', async () => {
    const w = world();
    const input = { description: 'Coffee', amount: 100, outTradeNo: 'order_prep01' };
    const writes = jest.spyOn(w.orders, 'setPrepayId');
    await w.pay.createJsapiOrder(payer, input);
    // WeChat Pay answers an identical repeat with the prepay_id it gave before: nothing new to write
    await w.pay.createJsapiOrder(payer, input);
    expect(writes).toHaveBeenCalledTimes(1);
    w.http.next.push(() => ({ status: 200, body: { prepay_id: 'wx_prepay_renewed' } }));
    expect((await w.pay.createJsapiOrder(payer, input)).bridgeConfig.package).toBe('prepay_id=wx_prepay_renewed');
    expect(writes).toHaveBeenCalledTimes(2);
    expect((await w.orders.findOrder(MCH, 'order_prep01'))?.prepayId).toBe('wx_prepay_renewed');
  });

  it('reports each state an order moves to: NOTPAY when recorded, SUCCESS when paid', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_evt001' });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_evt001'));
    await w.pay.handleNotification(n.headers, n.body);
    expect(w.events.payOrder.mock.calls).toEqual([['NOTPAY'], ['SUCCESS']]);
  });

  it('refuses to close a paid order with 409 ORDER_NOT_CLOSABLE and its state, asking WeChat Pay nothing', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_close2' });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_close2'));
    await w.pay.handleNotification(n.headers, n.body);
    expect(await problemOf(w.pay.close('order_close2', payer))).toEqual({
      statusCode: 409,
      code: 'ORDER_NOT_CLOSABLE',
      message: 'this order is SUCCESS',
      state: 'SUCCESS',
    });
    expect(w.http.calls).toHaveLength(1);
    expect((await w.orders.findOrder(MCH, 'order_close2'))?.state).toBe('SUCCESS');
  });

  it('reports CLOSED when it closed the order, and not when a payment reached the ledger while WeChat Pay closed it', async () => {
    const w = world();
    const closedEvents = () => w.events.payOrder.mock.calls.filter(([state]) => state === 'CLOSED').length;
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 1, outTradeNo: 'order_close3' });
    await w.pay.close('order_close3', payer);
    expect(closedEvents()).toBe(1);
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 1, outTradeNo: 'order_close4' });
    // the payment lands in the ledger during the call to WeChat Pay, so the order is no longer NOTPAY to close
    w.http.next.push(() => {
      void w.orders.transition(MCH, 'order_close4', ['NOTPAY'], { state: 'SUCCESS' }, w.clock());
      return { status: 204 };
    });
    await w.pay.close('order_close4', payer);
    expect((await w.orders.findOrder(MCH, 'order_close4'))?.state).toBe('SUCCESS');
    expect(closedEvents()).toBe(1);
  });
});

describe('PayService: the state of an order', () => {
  it('shows an order only to its payer', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 5, outTradeNo: 'order_view01' });
    expect(await w.pay.query('order_view01', payer)).toEqual({ outTradeNo: 'order_view01', state: 'NOTPAY', amount: 5 });
    expect(await problemOf(w.pay.query('order_view01', { ...payer, appId: 'wxother' }))).toMatchObject({
      statusCode: 404,
      code: 'ORDER_NOT_FOUND',
    });
  });

  it('confirms an unpaid order older than 10 s with a query, at most once per 5 s', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 5, outTradeNo: 'order_conf01' });
    w.http.pay('order_conf01');
    expect((await w.pay.query('order_conf01', payer)).state).toBe('NOTPAY');
    const queries = () => w.http.calls.filter((c) => c.method === 'GET').length;
    expect(queries()).toBe(0);
    w.advance(10_000);
    w.http.next.push(() => ({
      status: 200,
      body: { appid: payer.appId, mchid: MCH, out_trade_no: 'order_conf01', trade_state: 'NOTPAY', amount: { total: 5 } },
    }));
    expect((await w.pay.query('order_conf01', payer)).state).toBe('NOTPAY');
    expect((await w.pay.query('order_conf01', payer)).state).toBe('NOTPAY');
    expect(queries()).toBe(1);
    w.advance(5_000);
    expect(await w.pay.query('order_conf01', payer)).toEqual({
      outTradeNo: 'order_conf01',
      state: 'SUCCESS',
      amount: 5,
      transactionId: '42000order_conf01',
      paidAt: '2026-12-07T10:00:00+08:00',
    });
    expect(queries()).toBe(2);
    expect(w.hooks.onPaid).toHaveBeenCalledTimes(1);
  });

  it('answers the ledger state when the confirming query fails', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 5, outTradeNo: 'order_conf02' });
    w.advance(10_000);
    w.http.next.push(() => ({ status: 404, body: { code: 'ORDER_NOT_EXIST', message: '订单不存在' } }));
    expect(await w.pay.query('order_conf02', payer)).toEqual({ outTradeNo: 'order_conf02', state: 'NOTPAY', amount: 5 });
  });

  it('logs why the confirming query failed', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 5, outTradeNo: 'order_conf03' });
    w.advance(10_000);
    w.http.next.push(() => ({ status: 404, body: { code: 'ORDER_NOT_EXIST', message: '订单不存在' } }));
    await w.pay.query('order_conf03', payer);
    expect(w.logger.warn).toHaveBeenCalledTimes(1);
    expect(w.logger.warn).toHaveBeenCalledWith(expect.stringContaining('answered ORDER_NOT_EXIST'));
  });

  it('answers the ledger state, logging a stand-in reason, when the transport fails without an error object', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 5, outTradeNo: 'order_conf04' });
    w.advance(10_000);
    jest.spyOn(w.http, 'send').mockRejectedValueOnce(undefined);
    expect(await w.pay.query('order_conf04', payer)).toEqual({ outTradeNo: 'order_conf04', state: 'NOTPAY', amount: 5 });
    expect(w.logger.warn).toHaveBeenCalledWith(expect.stringContaining('(error)'));
  });

  it('does not ask WeChat Pay about an order that is no longer unpaid, however old it is', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_conf05' });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_conf05'));
    await w.pay.handleNotification(n.headers, n.body);
    // only an unpaid order can be stale; the state of a paid one is final as far as this query goes
    w.advance(60_000);
    expect((await w.pay.query('order_conf05', payer)).state).toBe('SUCCESS');
    expect(w.http.calls.filter((c) => c.method === 'GET')).toHaveLength(0);
  });
});

describe('PayService: notifications', () => {
  it('applies TRANSACTION.SUCCESS once and runs onPaid once, however often and concurrently it repeats', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_note01' });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_note01'));
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => w.pay.handleNotification(n.headers, n.body)));
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect(w.hooks.onPaid).toHaveBeenCalledTimes(1);
    expect(w.paid[0]).toMatchObject({ outTradeNo: 'order_note01', state: 'SUCCESS', transactionId: '4200order_note01' });
    expect(await w.pay.handleNotification(n.headers, n.body)).toBe('duplicate');
    expect(w.hooks.onPaid).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['amount', { amount: { total: 99 } }],
    ['appid', { appid: 'wxsomeoneelse0001' }],
    ['mchid', { mchid: '1900000999' }],
  ])('puts an order whose %s differs into REVIEW, never SUCCESS, and still answers', async (_what, extra) => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_rev001' });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_rev001', 100, extra));
    expect(await w.pay.handleNotification(n.headers, n.body)).toBe('review');
    expect((await w.orders.findOrder(MCH, 'order_rev001'))?.state).toBe('REVIEW');
    expect(w.hooks.onPaid).not.toHaveBeenCalled();
  });

  it('refuses a bad signature, a probe, a stale or future timestamp and an unknown serial with 401 FAIL, changing nothing', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_bad001' });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_bad001'));
    const stale = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_bad001'), w.clock() - 301_000);
    const future = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_bad001'), w.clock() + 301_000);
    for (const [headers, body] of [
      [
        {
          ...n.headers,
          'wechatpay-signature': n.headers['wechatpay-signature'].replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A')),
        },
        n.body,
      ],
      [{ ...n.headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/' + n.headers['wechatpay-signature'] }, n.body],
      [{ ...n.headers, 'wechatpay-serial': 'PUB_KEY_ID_0000000000000000000000000002' }, n.body],
      [stale.headers, stale.body],
      [future.headers, future.body],
      [n.headers, n.body.replace('"summary":"支付成功"', '"summary":"支付成功 "')],
    ] as const) {
      expect(await problemOf(w.pay.handleNotification(headers, body))).toMatchObject({ statusCode: 401, code: 'FAIL' });
    }
    expect((await w.orders.findOrder(MCH, 'order_bad001'))?.state).toBe('NOTPAY');
    expect(w.events.payNotification).toHaveBeenCalledWith('refused');
  });

  it('answers 400 for an authentic body that does not decrypt', async () => {
    const w = world();
    const body = JSON.stringify({
      id: 'EV-1',
      event_type: 'TRANSACTION.SUCCESS',
      resource: {
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: Buffer.alloc(40).toString('base64'),
        nonce: 'abcdefghijkl',
        associated_data: 'transaction',
      },
    });
    expect(await problemOf(w.pay.handleNotification(signNotification(body, w.clock()), body))).toMatchObject({
      statusCode: 400,
      code: 'FAIL',
    });
  });

  it("answers 500 when the host's hook fails, and runs it again on the next repeat until it succeeds", async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_hook01' });
    w.hooks.onPaid.mockRejectedValueOnce(new Error('host database down'));
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_hook01'));
    expect(await problemOf(w.pay.handleNotification(n.headers, n.body))).toMatchObject({ statusCode: 500, code: 'FAIL' });
    expect((await w.orders.findOrder(MCH, 'order_hook01'))?.state).toBe('SUCCESS');
    await w.pay.handleNotification(n.headers, n.body);
    await w.pay.handleNotification(n.headers, n.body);
    expect(w.hooks.onPaid).toHaveBeenCalledTimes(2);
    expect(w.paid).toHaveLength(1);
  });

  it('counts a notification whose hook failed as failed, not as refused', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_hook02' });
    w.hooks.onPaid.mockRejectedValueOnce(new Error('host database down'));
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_hook02'));
    expect(await problemOf(w.pay.handleNotification(n.headers, n.body))).toMatchObject({ statusCode: 500 });
    expect(w.events.payNotification.mock.calls).toEqual([['failed']]);
  });

  it('ignores an event it does not handle, on the first copy and on every repeat, changing nothing', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_ign001' });
    const n = w.notify('PAYSCORE.USER_OPEN_SERVICE', {
      appid: payer.appId,
      mchid: MCH,
      openid: payer.openid,
      service_id: '500001',
      user_service_status: 'USER_OPEN_SERVICE',
    });
    expect(await w.pay.handleNotification(n.headers, n.body)).toBe('ignored');
    expect(await w.pay.handleNotification(n.headers, n.body)).toBe('ignored');
    expect(w.events.payNotification.mock.calls).toEqual([['ignored'], ['ignored']]);
    expect((await w.orders.findOrder(MCH, 'order_ign001'))?.state).toBe('NOTPAY');
  });

  it('answers 500 FAIL when the ledger fails, logging the name of its error and nothing of its message', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_led001' });
    jest.spyOn(w.orders, 'recordNotification').mockRejectedValueOnce(new TypeError('connect ECONNREFUSED 10.0.0.5:5432'));
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_led001'));
    expect(await problemOf(w.pay.handleNotification(n.headers, n.body))).toEqual({
      statusCode: 500,
      code: 'FAIL',
      message: 'the notification could not be applied; repeat it',
    });
    expect(w.logger.error).toHaveBeenCalledWith(expect.stringContaining('(TypeError)'));
    expect(JSON.stringify(w.logger.error.mock.calls)).not.toContain('ECONNREFUSED');
    expect(w.events.payNotification.mock.calls).toEqual([['failed']]);
  });

  it('answers 500 FAIL also when the ledger fails without an error object', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_led002' });
    jest.spyOn(w.orders, 'recordNotification').mockRejectedValueOnce(undefined);
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_led002'));
    expect(await problemOf(w.pay.handleNotification(n.headers, n.body))).toMatchObject({ statusCode: 500, code: 'FAIL' });
    expect(w.logger.error).toHaveBeenCalledWith(expect.stringContaining('(error)'));
  });
});

describe('PayService: two instances on one ledger', () => {
  it("answers a copy on the other instance only once the claimer's hook is done, and takes over a hook that failed", async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_twin01' });
    let finishFirst!: (ok: boolean) => void;
    const firstRun = new Promise<boolean>((resolve) => (finishFirst = resolve));
    w.hooks.onPaid.mockImplementationOnce(async () => {
      if (!(await firstRun)) throw new Error('host down');
    });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_twin01'));
    const first = w.pay.handleNotification(n.headers, n.body).catch((e: Problem) => e.body);
    await new Promise((resolve) => setImmediate(resolve));
    let secondDone = false;
    const second = w.other.handleNotification(n.headers, n.body).finally(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(secondDone).toBe(false);
    finishFirst(false);
    expect(await first).toMatchObject({ statusCode: 500, code: 'FAIL' });
    await second;
    expect(w.hooks.onPaid).toHaveBeenCalledTimes(2);
    expect(w.paid).toHaveLength(1);
  });
});

describe('PayService: refunds', () => {
  async function paidOrder(w: ReturnType<typeof world>, outTradeNo: string) {
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx(outTradeNo));
    await w.pay.handleNotification(n.headers, n.body);
  }

  it('refunds within what was paid, 409 past it, and applies REFUND.SUCCESS once with onRefunded once', async () => {
    const w = world();
    await paidOrder(w, 'order_ref001');
    const first = await w.pay.refund({ outTradeNo: 'order_ref001', amount: 60, outRefundNo: 'refund_0001' });
    expect(first).toMatchObject({ outRefundNo: 'refund_0001', status: 'PROCESSING', amount: 60, refundId: 'rf_refund_0001' });
    expect(w.http.calls.at(-1)?.body).toMatchObject({
      out_trade_no: 'order_ref001',
      out_refund_no: 'refund_0001',
      amount: { refund: 60, total: 100, currency: 'CNY' },
    });
    expect(await problemOf(w.pay.refund({ outTradeNo: 'order_ref001', amount: 41 }))).toMatchObject({
      statusCode: 409,
      code: 'REFUND_EXCEEDS_PAID',
      refundable: 40,
    });
    const notice = {
      mchid: MCH,
      out_trade_no: 'order_ref001',
      out_refund_no: 'refund_0001',
      refund_id: 'rf_refund_0001',
      refund_status: 'SUCCESS',
      success_time: '2026-12-07T18:10:00+08:00',
      amount: { total: 100, refund: 60 },
    };
    const n = w.notify('REFUND.SUCCESS', notice);
    await Promise.all([w.pay.handleNotification(n.headers, n.body), w.pay.handleNotification(n.headers, n.body)]);
    expect(w.hooks.onRefunded).toHaveBeenCalledTimes(1);
    expect(await w.pay.getRefund('refund_0001')).toMatchObject({ status: 'SUCCESS', successTime: '2026-12-07T18:10:00+08:00' });
    expect((await w.orders.findOrder(MCH, 'order_ref001'))?.state).toBe('REFUND');
    const late = w.notify('REFUND.SUCCESS', { ...notice, refund_status: 'PROCESSING' });
    expect(await w.pay.handleNotification(late.headers, late.body)).toBe('unchanged');
    expect((await w.pay.getRefund('refund_0001')).status).toBe('SUCCESS');
  });

  it('refuses to refund an unpaid order, and frees the amount of a refund WeChat Pay refused', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_ref002' });
    expect(await problemOf(w.pay.refund({ outTradeNo: 'order_ref002', amount: 1 }))).toMatchObject({
      statusCode: 409,
      code: 'REFUND_EXCEEDS_PAID',
      refundable: 0,
    });
    expect(await problemOf(w.pay.refund({ outTradeNo: 'order_nope01', amount: 1 }))).toMatchObject({ statusCode: 404 });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_ref002'));
    await w.pay.handleNotification(n.headers, n.body);
    w.http.next.push(() => ({ status: 403, body: { code: 'NOT_ENOUGH', message: '余额不足' } }));
    expect(await problemOf(w.pay.refund({ outTradeNo: 'order_ref002', amount: 100, outRefundNo: 'refund_0002' }))).toMatchObject({
      statusCode: 502,
      payCode: 'NOT_ENOUGH',
    });
    expect(await w.pay.refund({ outTradeNo: 'order_ref002', amount: 100, outRefundNo: 'refund_0003' })).toMatchObject({
      status: 'PROCESSING',
    });
  });

  it('keeps the amount of a refund whose refusal was not signed by WeChat Pay (it may exist after all)', async () => {
    const w = world();
    await w.pay.createJsapiOrder(payer, { description: 'x', amount: 100, outTradeNo: 'order_ref003' });
    const n = w.notify('TRANSACTION.SUCCESS', w.paidTx('order_ref003'));
    await w.pay.handleNotification(n.headers, n.body);
    w.http.tamper = true;
    w.http.next.push(() => ({ status: 403, body: { code: 'NOT_ENOUGH', message: '余额不足' } }));
    expect(await problemOf(w.pay.refund({ outTradeNo: 'order_ref003', amount: 100, outRefundNo: 'refund_0004' }))).toMatchObject({
      payCode: 'NOT_ENOUGH',
    });
    w.http.tamper = false;
    expect((await w.pay.getRefund('refund_0004')).status).toBe('PROCESSING');
    expect(await problemOf(w.pay.refund({ outTradeNo: 'order_ref003', amount: 1 }))).toMatchObject({
      code: 'REFUND_EXCEEDS_PAID',
    });
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])(
    'refuses a refund of %p fen with 400 before the ledger or WeChat Pay sees it',
    async (amount) => {
      const w = world();
      await paidOrder(w, 'order_ref010');
      const inserts = jest.spyOn(w.orders, 'insertRefund');
      const calls = w.http.calls.length;
      expect(await problemOf(w.pay.refund({ outTradeNo: 'order_ref010', amount, outRefundNo: 'refund_0010' }))).toMatchObject({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(inserts).not.toHaveBeenCalled();
      expect(w.http.calls).toHaveLength(calls);
    },
  );

  it('passes a reason to WeChat Pay and the ledger, and sends no reason when none is given', async () => {
    const w = world();
    await paidOrder(w, 'order_ref011');
    await w.pay.refund({ outTradeNo: 'order_ref011', amount: 10, outRefundNo: 'refund_0011', reason: 'out of stock' });
    expect(w.http.calls.at(-1)?.body).toMatchObject({ out_refund_no: 'refund_0011', reason: 'out of stock' });
    expect((await w.pay.getRefund('refund_0011')).reason).toBe('out of stock');
    await w.pay.refund({ outTradeNo: 'order_ref011', amount: 10, outRefundNo: 'refund_0012' });
    expect(w.http.calls.at(-1)?.body).not.toHaveProperty('reason');
  });

  it('answers a repeated refund as it stands, without asking WeChat Pay again once WeChat Pay has answered it', async () => {
    const w = world();
    await paidOrder(w, 'order_ref012');
    const refundCalls = () => w.http.calls.filter((c) => c.path === '/v3/refund/domestic/refunds').length;
    const ask = { outTradeNo: 'order_ref012', amount: 60, outRefundNo: 'refund_0013' };
    const first = await w.pay.refund(ask);
    // WeChat Pay has given it a refund_id: the repeat is answered from the ledger
    expect(await w.pay.refund(ask)).toEqual(first);
    expect(refundCalls()).toBe(1);
    const n = w.notify('REFUND.SUCCESS', {
      mchid: MCH,
      out_trade_no: 'order_ref012',
      out_refund_no: 'refund_0013',
      refund_id: 'rf_refund_0013',
      refund_status: 'SUCCESS',
      success_time: '2026-12-07T18:10:00+08:00',
      amount: { total: 100, refund: 60 },
    });
    await w.pay.handleNotification(n.headers, n.body);
    expect(await w.pay.refund(ask)).toMatchObject({ status: 'SUCCESS', refundId: 'rf_refund_0013' });
    expect(refundCalls()).toBe(1);
  });

  it('answers 409 OUT_REFUND_NO_USED when the outRefundNo is taken by a refund of another amount or another order', async () => {
    const w = world();
    await paidOrder(w, 'order_ref013');
    await paidOrder(w, 'order_ref014');
    await w.pay.refund({ outTradeNo: 'order_ref013', amount: 30, outRefundNo: 'refund_0014' });
    const calls = w.http.calls.length;
    for (const ask of [
      { outTradeNo: 'order_ref013', amount: 31, outRefundNo: 'refund_0014' },
      { outTradeNo: 'order_ref014', amount: 30, outRefundNo: 'refund_0014' },
    ]) {
      expect(await problemOf(w.pay.refund(ask))).toMatchObject({ statusCode: 409, code: 'OUT_REFUND_NO_USED' });
    }
    expect(w.http.calls).toHaveLength(calls);
    expect(await w.pay.getRefund('refund_0014')).toMatchObject({ outTradeNo: 'order_ref013', amount: 30 });
  });

  it('sends again a refund WeChat Pay never answered, and answers one it refused without sending it again', async () => {
    const w = world();
    await paidOrder(w, 'order_ref015');
    w.http.tamper = true;
    w.http.next.push(() => ({ status: 403, body: { code: 'NOT_ENOUGH', message: '余额不足' } }));
    await problemOf(w.pay.refund({ outTradeNo: 'order_ref015', amount: 60, outRefundNo: 'refund_0015' }));
    w.http.tamper = false;
    // an unbelieved answer leaves the refund PROCESSING without a refund_id: the repeat must ask WeChat Pay again
    expect(await w.pay.getRefund('refund_0015')).not.toHaveProperty('refundId');
    expect(await w.pay.refund({ outTradeNo: 'order_ref015', amount: 60, outRefundNo: 'refund_0015' })).toMatchObject({
      status: 'PROCESSING',
      refundId: 'rf_refund_0015',
    });
    // a signed refusal closes the refund for good: its repeat is answered from the ledger
    w.http.next.push(() => ({ status: 403, body: { code: 'NOT_ENOUGH', message: '余额不足' } }));
    await problemOf(w.pay.refund({ outTradeNo: 'order_ref015', amount: 40, outRefundNo: 'refund_0016' }));
    const calls = w.http.calls.length;
    expect(await w.pay.refund({ outTradeNo: 'order_ref015', amount: 40, outRefundNo: 'refund_0016' })).toMatchObject({
      status: 'CLOSED',
    });
    expect(w.http.calls).toHaveLength(calls);
  });
});
