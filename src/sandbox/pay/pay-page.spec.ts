import { Sandbox } from '../sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT } from '../sandbox.options.js';
import { SandboxPayError } from './pay-simulator.js';
import { WECHATPAY_VECTORS as V } from '../../../test/support/pay-vectors.js';

const { appId } = SANDBOX_DEFAULT_ACCOUNT;

describe('what a page’s pay needs: paySign and pay directories', () => {
  // the merchant key is V1's, so V8's paySign is the merchant's own
  const sandbox = new Sandbox({
    pay: {
      keys: { merchantPrivateKey: V.v1.privateKey },
      payDirectories: ['https://h5.example.com/shop/', 'http://127.0.0.1/', 'https://pay.example.com:8443/m'],
    },
  });

  it('checkPaySign verifies V8’s paySign with the merchant’s key over appId, timeStamp, nonceStr, package', () => {
    const params = V.v8.payParams;
    expect(sandbox.pay.checkPaySign({ ...params, signType: 'RSA' })).toBe(true);
    expect(sandbox.pay.checkPaySign({ ...params, package: 'prepay_id=wx2014102720093955226570000000000000' })).toBe(false);
    expect(sandbox.pay.checkPaySign({ ...params, timeStamp: '' })).toBe(false);
    expect(sandbox.pay.checkPaySign({ ...params, timeStamp: 1414561699 as unknown as string })).toBe(false);
    expect(sandbox.pay.checkPaySign({ ...params, paySign: 'WECHATPAY/SIGNTEST/x' })).toBe(false);
  });

  it('isUnderPayDirectory: same scheme and host, the named port, a path inside the directory', () => {
    const under = [
      'https://h5.example.com/shop/cart.html?x=1#top',
      'https://h5.example.com/shop/a/b',
      'http://127.0.0.1:3000/demo',
      'https://pay.example.com:8443/m/i',
    ];
    const outside = [
      'http://h5.example.com/shop/cart.html',
      'https://h5.example.com/shopping',
      'https://h5.example.com/',
      'https://h5.example.com.evil.cn/shop/',
      'https://pay.example.com/m/i',
      'http://localhost:3000/',
      'not a url',
    ];
    for (const url of under) expect([url, sandbox.pay.isUnderPayDirectory(url)]).toEqual([url, true]);
    for (const url of outside) expect([url, sandbox.pay.isUnderPayDirectory(url)]).toEqual([url, false]);
    expect(new Sandbox().pay.isUnderPayDirectory('http://localhost:5173/index.html')).toBe(true);
  });
});

describe('paying as the test user', () => {
  const clock = { t: Date.UTC(2025, 6, 1, 1, 0, 0) };
  const sandbox = new Sandbox({ now: () => clock.t, pay: { notifyTimeScale: 0 } });
  afterAll(() => sandbox.pay.stop());
  let seq = 0;
  const order = (notify = 'http://127.0.0.1:9/notify') => {
    const out_trade_no = `PAGE_${++seq}_x`;
    const body = {
      appid: appId,
      mchid: sandbox.pay.merchant.mchId,
      description: 'page',
      out_trade_no,
      notify_url: notify,
      amount: { total: 1 },
      payer: { openid: sandbox.openidOf(appId, 'alice') },
    };
    const result = sandbox.pay.prepay(body);
    if (!result.ok) throw new Error(result.body.code);
    return { body, outTradeNo: out_trade_no, prepayId: result.body.prepay_id };
  };
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return err instanceof SandboxPayError ? err.code : String(err);
    }
    return 'paid';
  };

  it('only the order’s payer may pay it', () => {
    const { prepayId } = order();
    expect(refusal(() => sandbox.pay.pay(prepayId, 'html'))).toBe('PAYER_MISMATCH');
    expect(refusal(() => sandbox.pay.pay(prepayId, 'nobody'))).toBe('PAYER_MISMATCH');
    expect(refusal(() => sandbox.pay.pay('wx_unknown_prepay'))).toBe('ORDER_NOT_EXIST');
  });

  it('a prepay_id lasts 2 hours; the identical repeat then hands out a new one', () => {
    const { body, prepayId } = order();
    clock.t += 2 * 3600_000;
    try {
      expect(refusal(() => sandbox.pay.pay(prepayId))).toBe('PREPAY_EXPIRED');
      const again = sandbox.pay.prepay(body);
      expect(again.ok && again.body.prepay_id).not.toBe(prepayId);
      expect(refusal(() => sandbox.pay.pay(prepayId))).toBe('PREPAY_EXPIRED');
      expect(refusal(() => sandbox.pay.pay(again.ok ? again.body.prepay_id : ''))).toBe('paid');
      expect(refusal(() => sandbox.pay.pay(body.out_trade_no))).toBe('ORDERPAID');
    } finally {
      clock.t -= 2 * 3600_000;
    }
  });

  it('an unpaid order dies after 7 days without time_expire', () => {
    const { outTradeNo } = order();
    clock.t += 7 * 24 * 3600_000;
    try {
      expect(refusal(() => sandbox.pay.pay(outTradeNo))).toBe('ORDER_CLOSED');
      expect(sandbox.pay.query(outTradeNo, sandbox.pay.merchant.mchId)).toMatchObject({
        ok: true,
        body: { trade_state: 'CLOSED' },
      });
    } finally {
      clock.t -= 7 * 24 * 3600_000;
    }
  });
});
