import { readFile } from 'node:fs/promises';
import type { Browser, Page, Route } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';

type Win = any;

const ORIGIN = 'http://helper.test';
const ORDER = {
  outTradeNo: 'T_helper_0001',
  bridgeConfig: {
    appId: 'wxhelper00000001',
    timeStamp: '1800000000',
    nonceStr: 'n0nce',
    package: 'prepay_id=wx1',
    signType: 'RSA',
    paySign: 'c2ln',
  },
  sdkConfig: { timestamp: '1800000000', nonceStr: 'n0nce', package: 'prepay_id=wx1', signType: 'RSA', paySign: 'c2ln' },
};
/** A wx stand-in: wx.config answers wx.ready; chooseWXPay records its parameters and answers as window.sdkAnswer says. */
const FAKE_WX = `window.sdk = []; var readies = [];
window.wx = { config: function () { setTimeout(function () { readies.forEach(function (f) { f(); }); }, 0); },
  ready: function (f) { readies.push(f); }, error: function () {},
  chooseWXPay: function (o) { var p = {}; for (var k in o) if (typeof o[k] !== 'function') p[k] = o[k];
    window.sdk.push(p); setTimeout(function () { o[window.sdkAnswer || 'success']({ errMsg: 'chooseWXPay:' + (window.sdkAnswer || 'ok') }); }, 0); } };`;

/**
 * payWithWechat (the browser helper) in headless Chromium against stand-ins: a wx, a WeixinJSBridge installed
 * late, and the service's order route answering scripted states. Nothing leaves the browser.
 */
describe('payWithWechat, the browser helper, in headless Chromium', () => {
  let browser: Browser;
  let helper: string;

  beforeAll(async () => {
    helper = await readFile(new URL('../../dist/browser/index.js', import.meta.url), 'utf8');
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());

  /** A page with the helper as window.helper; GET /wechat/pay/orders/:no answers `states` in turn (the last repeats). */
  async function openPage(states: (string | 'down')[] = []) {
    const page = await browser.newPage();
    const reads: string[] = [];
    await page.route(`${ORIGIN}/**`, (route: Route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/client.js') return route.fulfill({ contentType: 'text/javascript', body: helper });
      if (path === '/wechat/jssdk/config') {
        const signed = { appId: 'wxhelper00000001', timestamp: 1, nonceStr: 'x', signature: 'y', jsApiList: ['chooseWXPay'] };
        return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ...signed, openTagList: [] }) });
      }
      if (path.startsWith('/wechat/pay/orders/')) {
        reads.push(decodeURIComponent(path.slice('/wechat/pay/orders/'.length)));
        const state = states[Math.min(reads.length - 1, states.length - 1)];
        if (state === 'down') return route.abort('connectionrefused');
        return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ outTradeNo: ORDER.outTradeNo, state }) });
      }
      return route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>helper</title><script type="module">import * as h from '/client.js'; window.helper = h;</script>`,
      });
    });
    await page.goto(`${ORIGIN}/shop`);
    await page.waitForFunction(() => (globalThis as Win).helper);
    return { page, reads };
  }
  /** Starts payWithWechat in the page; the answer lands in window.outcome. */
  const startPaying = (page: Page, options: object = {}) =>
    page.evaluate(
      ({ order, options }) => {
        const w = globalThis as Win;
        w.paying = w.helper.payWithWechat(order, options).then((r: unknown) => (w.outcome = r));
      },
      { order: ORDER, options },
    );
  const outcome = (page: Page) => page.evaluate(() => (globalThis as Win).paying);
  /** Installs a WeixinJSBridge answering `answer` and fires WeixinJSBridgeReady, as WeChat does once it has injected it. */
  const injectBridge = (page: Page, answer: object) =>
    page.evaluate((answer) => {
      const w = globalThis as Win;
      w.bridgeCalls = [];
      w.WeixinJSBridge = {
        invoke: (name: string, params: unknown, cb: (r: object) => void) => {
          w.bridgeCalls.push([name, params]);
          setTimeout(() => cb(answer), 0);
        },
      };
      w.document.dispatchEvent(new w.Event('WeixinJSBridgeReady'));
    }, answer);

  it('uses wx.chooseWXPay with sdkConfig once wx is configured for it, then reads the order until SUCCESS', async () => {
    const { page, reads } = await openPage(['NOTPAY', 'NOTPAY', 'SUCCESS']);
    await page.addScriptTag({ content: FAKE_WX });
    await injectBridge(page, { err_msg: 'get_brand_wcpay_request:fail' });
    await page.evaluate(() =>
      (globalThis as Win).helper.configureWechat({ jsApiList: ['chooseWXPay'], resignOnRouteChange: false }),
    );
    await startPaying(page);
    expect(await outcome(page)).toEqual({ status: 'paid', state: 'SUCCESS' });
    expect(await page.evaluate(() => [(globalThis as Win).sdk, (globalThis as Win).bridgeCalls])).toEqual([
      [ORDER.sdkConfig],
      [],
    ]);
    expect(reads).toEqual([ORDER.outTradeNo, ORDER.outTradeNo, ORDER.outTradeNo]);

    // cancelled on the sheet: nothing to confirm
    await page.evaluate(() => ((globalThis as Win).sdkAnswer = 'cancel'));
    await startPaying(page);
    expect(await outcome(page)).toEqual({ status: 'cancelled', errMsg: 'chooseWXPay:cancel' });
    expect(reads.length).toBe(3);
    await page.close();
  });

  it('without a configured wx, waits for WeixinJSBridgeReady and invokes getBrandWCPayRequest with bridgeConfig', async () => {
    const { page, reads } = await openPage(['SUCCESS']);
    await startPaying(page);
    expect(await page.evaluate(() => (globalThis as Win).outcome)).toBeUndefined();
    await injectBridge(page, { err_msg: 'get_brand_wcpay_request:cancel' });
    expect(await outcome(page)).toEqual({ status: 'cancelled', errMsg: 'get_brand_wcpay_request:cancel' });
    expect(await page.evaluate(() => (globalThis as Win).bridgeCalls)).toEqual([['getBrandWCPayRequest', ORDER.bridgeConfig]]);

    await injectBridge(page, { err_msg: 'get_brand_wcpay_request:fail', err_desc: '支付验证签名失败' });
    await startPaying(page);
    expect(await outcome(page)).toEqual({ status: 'failed', errMsg: 'get_brand_wcpay_request:fail 支付验证签名失败' });
    expect(reads).toEqual([]);
    await page.close();
  });

  it('an ok the service never confirms is unconfirmed after a bounded number of reads; CLOSED stops them at once', async () => {
    const waiting = await openPage(['NOTPAY']);
    await injectBridge(waiting.page, { err_msg: 'get_brand_wcpay_request:ok' });
    await startPaying(waiting.page, { confirmAttempts: 3 });
    expect(await outcome(waiting.page)).toEqual({ status: 'unconfirmed', state: 'NOTPAY' });
    expect(waiting.reads.length).toBe(3);
    await waiting.page.close();

    const closed = await openPage(['CLOSED', 'SUCCESS']);
    await injectBridge(closed.page, { err_msg: 'get_brand_wcpay_request:ok' });
    await startPaying(closed.page);
    expect(await outcome(closed.page)).toEqual({ status: 'unconfirmed', state: 'CLOSED' });
    expect(closed.reads.length).toBe(1);
    await closed.page.close();

    const down = await openPage(['down', 'SUCCESS']);
    await injectBridge(down.page, { err_msg: 'get_brand_wcpay_request:ok' });
    await startPaying(down.page, { endpoint: '/wechat/pay/' });
    expect(await outcome(down.page)).toEqual({ status: 'paid', state: 'SUCCESS' });
    expect(down.reads.length).toBe(2);
    await down.page.close();
  });

  it('fails without a bridge (outside WeChat) after bridgeTimeoutMs, and with via "sdk" when wx is missing', async () => {
    const { page, reads } = await openPage(['SUCCESS']);
    await startPaying(page, { bridgeTimeoutMs: 50 });
    expect(await outcome(page)).toEqual({
      status: 'failed',
      errMsg: 'get_brand_wcpay_request:fail WeixinJSBridge is not ready (not in WeChat?)',
    });
    await startPaying(page, { via: 'sdk' });
    expect(await outcome(page)).toEqual({ status: 'failed', errMsg: 'chooseWXPay:fail wx is not loaded' });
    expect(reads).toEqual([]);
    await page.close();
  });
});
