import { createPrivateKey, type KeyObject } from 'node:crypto';
import { PAY_SHEET_REASONS as REASON, SHEET_TTL_MS } from './pay-sheet.routes.js';
import {
  decryptWechatPayResource,
  sandboxTestMerchant,
  sha256RsaBase64,
  startNotifyReceiver,
} from './pay/merchant-client.spec.helper.js';
import { SANDBOX_DEFAULT_ACCOUNT } from './sandbox.options.js';
import { startSandbox, type SandboxServer } from './start-sandbox.js';

const { appId } = SANDBOX_DEFAULT_ACCOUNT;
const OTHER = { appId: 'wx00000000000000c3', appSecret: 'other-sheet-secret' };
const PAGE = 'http://127.0.0.1:8080/shop/cart?item=1';

type Answer = { status: number; headers: Headers; text: string; json: any };

describe('the simulated pay sheet over HTTP (POST /__sandbox/pay/sheet, …/:id/pay, …/:id/cancel)', () => {
  const clock = { t: Date.now() };
  let server: SandboxServer;
  let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  let merchantCall: ReturnType<typeof sandboxTestMerchant>;
  let merchantKey: KeyObject;
  let seq = 0;

  beforeAll(async () => {
    receiver = await startNotifyReceiver([204]);
    server = await startSandbox({
      now: () => clock.t,
      accounts: [SANDBOX_DEFAULT_ACCOUNT, OTHER],
      pay: { notifyTimeScale: 0, payDirectories: ['http://127.0.0.1/shop/'] },
    });
    const merchant = server.sandbox.pay.merchant;
    merchantKey = createPrivateKey(merchant.privateKey);
    merchantCall = sandboxTestMerchant(server.url, merchant, () => clock.t);
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  /** A JSAPI order of alice's, made by the merchant over HTTP, and the page's bridge parameters signed with its key. */
  async function order(total = 1) {
    const out_trade_no = `SHEET_${clock.t}_${++seq}`;
    const answer = await merchantCall('POST', '/v3/pay/transactions/jsapi', {
      appid: appId,
      mchid: server.sandbox.pay.merchant.mchId,
      description: 'Sheet 测试商品',
      out_trade_no,
      notify_url: receiver.url,
      amount: { total },
      payer: { openid: server.sandbox.openidOf(appId, 'alice') },
    });
    expect(answer.status).toBe(200);
    return { outTradeNo: out_trade_no, params: payParams(appId, `prepay_id=${answer.json.prepay_id}`) };
  }
  function payParams(forAppId: string, pkg: string, timeStamp = String(Math.floor(clock.t / 1000))) {
    const nonceStr = `n${++seq}x7k2`;
    const paySign = sha256RsaBase64(`${forAppId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, merchantKey);
    return { appId: forAppId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
  }
  async function post(path: string, body: unknown): Promise<Answer> {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: JSON.parse(text) };
  }
  const open = (params: object) => post('/__sandbox/pay/sheet', { ...params, url: PAGE });
  const tradeState = (outTradeNo: string) => {
    const result = server.sandbox.pay.query(outTradeNo, server.sandbox.pay.merchant.mchId);
    return result.ok ? result.body.trade_state : undefined;
  };

  it('opens a sheet for a signed order on a page under a pay directory, and Pay pays it as its payer', async () => {
    const { outTradeNo, params } = await order(1234);
    const sheet = await open(params);
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get('access-control-allow-origin')).toBe('*');
    expect(sheet.json).toEqual({
      ok: true,
      sheet: expect.stringMatching(/^[\w-]{16}$/),
      description: 'Sheet 测试商品',
      amount: 1234,
      outTradeNo,
      payer: { key: 'alice', nickname: 'Alice 小明' },
    });
    expect(sheet.text).not.toContain(params.paySign);
    expect(tradeState(outTradeNo)).toBe('NOTPAY');

    const paid = await post(`/__sandbox/pay/sheet/${sheet.json.sheet}/pay`, {});
    expect(paid.json).toEqual({ ok: true, outTradeNo });
    expect(tradeState(outTradeNo)).toBe('SUCCESS');
    // the notification goes to the order's notify_url as usual
    const notification = JSON.parse((await receiver.next()).body);
    const transaction = JSON.parse(decryptWechatPayResource(notification.resource, server.sandbox.pay.merchant.apiV3Key));
    expect([notification.event_type, transaction.out_trade_no, transaction.trade_state]).toEqual([
      'TRANSACTION.SUCCESS',
      outTradeNo,
      'SUCCESS',
    ]);
    await server.sandbox.pay.idle();

    // a sheet answers once; the paid order opens no other
    expect((await post(`/__sandbox/pay/sheet/${sheet.json.sheet}/pay`, {})).json).toEqual({ ok: false, reason: REASON.sheet });
    expect((await open(params)).json).toEqual({ ok: false, reason: REASON.ORDERPAID });
  });

  it('Cancel drops the sheet: it cannot be paid afterwards, the order stays NOTPAY and nothing is notified', async () => {
    const before = receiver.received.length;
    const { outTradeNo, params } = await order();
    const sheet = await open(params);
    expect((await post(`/__sandbox/pay/sheet/${sheet.json.sheet}/cancel`, {})).json).toEqual({ ok: true });
    expect((await post(`/__sandbox/pay/sheet/${sheet.json.sheet}/pay`, {})).json).toEqual({ ok: false, reason: REASON.sheet });
    await server.sandbox.pay.idle();
    expect(tradeState(outTradeNo)).toBe('NOTPAY');
    expect(receiver.received.length).toBe(before);
    expect(server.sandbox.pay.deliveries(outTradeNo)).toEqual([]);
  });

  it('a page outside every pay directory gets 当前页面的URL未注册', async () => {
    const { params } = await order();
    for (const url of [
      'http://127.0.0.1:8080/shopping',
      'https://127.0.0.1/shop/a',
      'http://localhost:8080/shop/a',
      'x',
      undefined,
    ])
      expect([url, (await post('/__sandbox/pay/sheet', { ...params, url })).json]).toEqual([
        url,
        { ok: false, reason: REASON.directory },
      ]);
  });

  it('a paySign that is not the merchant’s over appId, timeStamp, nonceStr and package gets 支付验证签名失败', async () => {
    const { params } = await order();
    const flipped = params.paySign.startsWith('A') ? `B${params.paySign.slice(1)}` : `A${params.paySign.slice(1)}`;
    const wrong = [
      { ...params, paySign: flipped },
      { ...params, timeStamp: String(Number(params.timeStamp) + 1) },
      { ...params, nonceStr: 'another' },
      { ...params, appId: OTHER.appId },
      { ...params, signType: 'MD5' },
      { ...params, timeStamp: Number(params.timeStamp) },
      { ...params, paySign: undefined },
    ];
    for (const body of wrong) expect((await open(body)).json).toEqual({ ok: false, reason: REASON.signature });
  });

  it('refuses, like WeChat, an order that cannot be paid behind a good signature', async () => {
    const { outTradeNo, params } = await order();
    const pkg = params.package;
    expect((await open(payParams(appId, pkg.replace('prepay_id=', 'prepay=')))).json.reason).toBe(REASON.package);
    expect((await open(payParams(appId, 'prepay_id=wx_no_such_prepay'))).json.reason).toBe(REASON.ORDER_NOT_EXIST);
    // signed for the other account of the merchant, ordered for this one
    expect((await open(payParams(OTHER.appId, pkg))).json.reason).toBe(REASON.appId);
    // a sheet opened before the order was closed cannot pay it
    const sheet = await open(params);
    expect(server.sandbox.pay.close(outTradeNo, server.sandbox.pay.merchant.mchId)).toBeUndefined();
    expect((await post(`/__sandbox/pay/sheet/${sheet.json.sheet}/pay`, {})).json).toEqual({
      ok: false,
      reason: REASON.ORDER_CLOSED,
    });
    expect((await open(params)).json.reason).toBe(REASON.ORDER_CLOSED);
  });

  it('a sheet left open lapses after SHEET_TTL_MS, a prepay_id after 2 hours', async () => {
    const { outTradeNo, params } = await order();
    const sheet = await open(params);
    clock.t += SHEET_TTL_MS;
    expect((await post(`/__sandbox/pay/sheet/${sheet.json.sheet}/pay`, {})).json).toEqual({ ok: false, reason: REASON.sheet });
    clock.t += 2 * 3600_000;
    expect((await open(params)).json.reason).toBe(REASON.PREPAY_EXPIRED);
    expect(tradeState(outTradeNo)).toBe('NOTPAY');
  });

  it('answers 400 to a body that is not a JSON object, and serves the pay APIs in jweixin.js', async () => {
    expect((await post('/__sandbox/pay/sheet', 'not json')).status).toBe(400);
    expect((await post('/__sandbox/pay/sheet', [])).status).toBe(400);
    const script = await (await fetch(`${server.url}/jweixin.js`)).text();
    for (const part of ['chooseWXPay: chooseWXPay', "'getBrandWCPayRequest'", "new Event('WeixinJSBridgeReady')", 'simulator'])
      expect(script).toContain(part);
  });
});
