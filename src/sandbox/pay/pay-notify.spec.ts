import { X509Certificate } from 'node:crypto';
import { Sandbox } from '../sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT } from '../sandbox.options.js';
import { startSandbox, type SandboxServer } from '../start-sandbox.js';
import {
  decryptWechatPayResource,
  sandboxTestMerchant,
  startNotifyReceiver,
  wechatPayAnswerVerifies,
} from './merchant-client.spec.helper.js';
import { NOTIFY_RETRY_SCHEDULE_SEC } from './notifier.js';
import { WECHATPAY_VECTORS as V } from '../../../test/support/pay-vectors.js';

const { appId } = SANDBOX_DEFAULT_ACCOUNT;
// WeChat Pay's key is V1's, so wechatpay-go's certificate (V2) verifies what the sandbox sends: a check by the world
const V2_KEY = new X509Certificate(V.v2Certificate).publicKey;
const PAY_KEYS = { wechatPayPrivateKey: V.v1.privateKey, apiV3Key: V.v8.notification.apiV3Key };
type Receiver = Awaited<ReturnType<typeof startNotifyReceiver>>;

describe('sandbox WeChat Pay notifications', () => {
  const clock = { t: Date.UTC(2025, 4, 20, 6, 30, 0) };
  let server: SandboxServer;
  let receiver: Receiver | undefined;
  let seq = 0;
  const pay = () => server.sandbox.pay;

  /** An order of `total` fen notifying `url`, made through the signed HTTP API; returns its out_trade_no and prepay_id. */
  const newOrder = async (url: string, total = 100) => {
    const out_trade_no = `NTF_${++seq}_${clock.t}`;
    const res = await sandboxTestMerchant(server.url, pay().merchant, () => clock.t)('POST', '/v3/pay/transactions/jsapi', {
      appid: appId,
      mchid: pay().merchant.mchId,
      description: '通知测试',
      out_trade_no,
      notify_url: url,
      amount: { total },
      payer: { openid: server.sandbox.openidOf(appId, 'alice') },
    });
    return { outTradeNo: out_trade_no, prepayId: res.json.prepay_id as string };
  };
  const receive = async (statuses: number[], body = '') => (receiver = await startNotifyReceiver(statuses, body));
  const statuses = (outTradeNo: string) =>
    pay()
      .deliveries(outTradeNo)
      .map((d) => [d.kind, d.status]);

  beforeAll(async () => {
    server = await startSandbox({ now: () => clock.t, pay: { notifyTimeScale: 0.001, keys: PAY_KEYS } });
  });
  afterEach(async () => {
    await pay().idle();
    await receiver?.close();
    receiver = undefined;
  });
  afterAll(() => server.close());

  it('TRANSACTION.SUCCESS: signed with WeChat Pay’s key (V2 certificate verifies), encrypted with the APIv3 key', async () => {
    const r = await receive([204]);
    const { outTradeNo, prepayId } = await newOrder(r.url);
    const transaction = pay().pay(prepayId, 'alice', { duplicate: false });
    const n = await r.next();
    expect(n.headers).toMatchObject({
      'content-type': 'application/json',
      'wechatpay-serial': pay().merchant.publicKeyId,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      'wechatpay-timestamp': String(clock.t / 1000),
      'wechatpay-nonce': expect.stringMatching(/^[A-Za-z0-9]{32}$/),
    });
    expect(wechatPayAnswerVerifies(n.headers, n.body, V2_KEY)).toBe(true);
    const body = JSON.parse(n.body);
    expect(Object.keys(body)).toEqual(['id', 'create_time', 'resource_type', 'event_type', 'summary', 'resource']);
    expect(body).toMatchObject({
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      create_time: '2025-05-20T14:30:00+08:00',
    });
    expect(body.resource).toMatchObject({
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      associated_data: 'transaction',
      nonce: expect.stringMatching(/^[A-Za-z0-9]{12}$/),
    });
    const resource = JSON.parse(decryptWechatPayResource(body.resource, V.v8.notification.apiV3Key));
    expect(resource).toEqual(transaction);
    expect(resource).toMatchObject({
      out_trade_no: outTradeNo,
      trade_state: 'SUCCESS',
      amount: { total: 100, payer_total: 100 },
    });
    await pay().idle();
    expect(pay().deliveries(outTradeNo)).toEqual([
      {
        eventId: body.id,
        eventType: 'TRANSACTION.SUCCESS',
        outTradeNo,
        kind: 'notification',
        attempt: 1,
        at: clock.t,
        url: r.url,
        status: 204,
        accepted: true,
      },
    ]);
  });

  it('repeats on failure until the receiver answers 200/204, then stops', async () => {
    const r = await receive([500, 503, 404, 401, 204]);
    const { outTradeNo, prepayId } = await newOrder(r.url);
    pay().pay(prepayId, undefined, { duplicate: false });
    await pay().idle();
    expect(r.received).toHaveLength(5);
    expect(new Set(r.received.map((n) => n.body)).size).toBe(1);
    expect(r.received.every((n) => wechatPayAnswerVerifies(n.headers, n.body, V2_KEY))).toBe(true);
    const records = pay().deliveries(outTradeNo);
    expect(records.map((d) => [d.attempt, d.status, d.accepted])).toEqual([
      [1, 500, false],
      [2, 503, false],
      [3, 404, false],
      [4, 401, false],
      [5, 204, true],
    ]);
  });

  it('a 200 whose body says FAIL counts as received (the status decides)', async () => {
    const r = await receive([200], '{"code":"FAIL","message":"失败"}');
    const { outTradeNo, prepayId } = await newOrder(r.url);
    pay().pay(prepayId, undefined, { duplicate: false });
    await pay().idle();
    expect(statuses(outTradeNo)).toEqual([['notification', 200]]);
  });

  it('sends the same event again about duplicateAfterMs (scaled) after the first delivery', async () => {
    const r = await receive([204]);
    const { outTradeNo, prepayId } = await newOrder(r.url);
    pay().pay(prepayId);
    await pay().idle();
    expect(statuses(outTradeNo).sort()).toEqual([
      ['duplicate', 204],
      ['notification', 204],
    ]);
    expect(r.received[0]!.body).toBe(r.received[1]!.body);
    expect(r.received[0]!.headers['wechatpay-nonce']).not.toBe(r.received[1]!.headers['wechatpay-nonce']);
  });

  it('on request, a WECHATPAY/SIGNTEST/ probe comes first; refusing it is right, and the real one follows', async () => {
    const r = await receive([401, 204]);
    const { outTradeNo, prepayId } = await newOrder(r.url);
    pay().pay(prepayId, undefined, { probe: true, duplicate: false });
    const probe = await r.next();
    expect(probe.headers['wechatpay-signature']).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(wechatPayAnswerVerifies(probe.headers, probe.body, V2_KEY)).toBe(false);
    const real = await r.next();
    expect(real.body).toBe(probe.body);
    expect(wechatPayAnswerVerifies(real.headers, real.body, V2_KEY)).toBe(true);
    await pay().idle();
    expect(
      pay()
        .deliveries(outTradeNo)
        .map((d) => [d.kind, d.attempt, d.status, d.accepted]),
    ).toEqual([
      ['probe', 1, 401, false],
      ['notification', 2, 204, true],
    ]);
  });

  it('control routes: POST /__sandbox/pay plays the user, GET /__sandbox/pay/deliveries/:no lists the POSTs', async () => {
    const r = await receive([204]);
    const { outTradeNo } = await newOrder(r.url);
    const post = (body: unknown) =>
      fetch(`${server.url}/__sandbox/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ order: outTradeNo, user: 'html' })).status).toBe(400);
    const paid = await post({ order: outTradeNo, user: 'alice', duplicate: false });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ transaction: { out_trade_no: outTradeNo, trade_state: 'SUCCESS' } });
    expect(await (await post({ order: outTradeNo })).json()).toMatchObject({ code: 'ORDERPAID' });
    expect(await (await post({ order: 'NOPE_123456' })).json()).toMatchObject({ code: 'ORDER_NOT_EXIST' });
    expect((await post({ order: 5 })).status).toBe(400);
    expect((await post({ order: outTradeNo, probe: 'yes' })).status).toBe(400);
    await pay().idle();
    const list = (await (await fetch(`${server.url}/__sandbox/pay/deliveries/${outTradeNo}`)).json()) as {
      deliveries: unknown[];
    };
    expect(list.deliveries).toEqual([expect.objectContaining({ kind: 'notification', status: 204, accepted: true, outTradeNo })]);
  });

  it('REFUND.SUCCESS goes to the refund’s notify_url once the refund settles, recorded under the order', async () => {
    const r = await receive([204]);
    const { outTradeNo, prepayId } = await newOrder(r.url, 500);
    pay().pay(prepayId, undefined, { duplicate: false });
    await pay().idle();
    const refund = pay().refund({
      out_trade_no: outTradeNo,
      out_refund_no: `RF_${outTradeNo}`,
      notify_url: r.url,
      amount: { refund: 120, total: 500, currency: 'CNY' },
    });
    expect(refund).toMatchObject({ ok: true, body: { status: 'PROCESSING' } });
    await pay().idle();
    const n = r.received.at(-1)!;
    expect(wechatPayAnswerVerifies(n.headers, n.body, V2_KEY)).toBe(true);
    const body = JSON.parse(n.body);
    expect(body).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      summary: '退款成功',
      resource: { original_type: 'refund', associated_data: 'refund' },
    });
    expect(JSON.parse(decryptWechatPayResource(body.resource, V.v8.notification.apiV3Key))).toMatchObject({
      mchid: pay().merchant.mchId,
      out_trade_no: outTradeNo,
      out_refund_no: `RF_${outTradeNo}`,
      refund_status: 'SUCCESS',
      amount: { total: 500, refund: 120, payer_total: 500, payer_refund: 120 },
    });
    expect(
      statuses(outTradeNo)
        .map(([kind]) => kind)
        .sort(),
    ).toEqual(['duplicate', 'notification', 'notification']);
    expect(
      pay()
        .deliveries(outTradeNo)
        .filter((d) => d.outRefundNo === `RF_${outTradeNo}`),
    ).toHaveLength(2);
  });
});

describe('sandbox WeChat Pay notification schedule and stopping', () => {
  const order = (sandbox: Sandbox, url: string, no: string) => {
    const result = sandbox.pay.prepay({
      appid: appId,
      mchid: sandbox.pay.merchant.mchId,
      description: 'schedule',
      out_trade_no: no,
      notify_url: url,
      amount: { total: 1 },
      payer: { openid: sandbox.openidOf(appId, 'alice') },
    });
    if (!result.ok) throw new Error(result.body.code);
    return result.body.prepay_id;
  };

  it('follows WeChat Pay’s 15 intervals (24 h 4 min), then gives up', async () => {
    expect(NOTIFY_RETRY_SCHEDULE_SEC.reduce((a, b) => a + b, 0)).toBe(24 * 3600 + 4 * 60);
    const r = await startNotifyReceiver([500]);
    const sandbox = new Sandbox({ pay: { notifyTimeScale: 0 } });
    sandbox.pay.pay(order(sandbox, r.url, 'GIVEUP_1'), undefined, { duplicate: false });
    await sandbox.pay.idle();
    await r.close();
    expect(sandbox.pay.deliveries('GIVEUP_1').map((d) => d.attempt)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('an unreachable receiver is recorded as a connection failure', async () => {
    const r = await startNotifyReceiver([204]);
    await r.close();
    const sandbox = new Sandbox({ pay: { notifyTimeScale: 0 } });
    sandbox.pay.pay(order(sandbox, r.url, 'GONE_123'), undefined, { duplicate: false });
    await sandbox.pay.idle();
    expect(sandbox.pay.deliveries('GONE_123')[0]).toMatchObject({ error: 'connection failed', accepted: false });
  });

  it('closing the sandbox server cancels pending retries at once', async () => {
    const r = await startNotifyReceiver([500]);
    const server = await startSandbox({ pay: { notifyTimeScale: 1 } });
    try {
      server.sandbox.pay.pay(order(server.sandbox, r.url, 'STOP_123'), undefined, { duplicate: false });
      await r.next();
    } finally {
      await server.close();
    }
    // the next try was 15 s away: idle now means it was cancelled
    await server.sandbox.pay.idle();
    await r.close();
    expect(r.received).toHaveLength(1);
    expect(server.sandbox.pay.deliveries('STOP_123')).toHaveLength(1);
  });
});
