import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunningApp } from '../support/app.js';
import { launchChromium, startSandboxModeService } from '../support/chromium.js';
import { eventually } from '../support/eventually.js';

const OUTPUT = join(tmpdir(), 'nest-wechat-h5-pay-browser');
const SHEET = { name: 'WeChat Pay (simulator)' };
type Win = any;
type Order = { outTradeNo: string; bridgeConfig: Record<string, string>; sdkConfig: Record<string, string> };

/**
 * WeChat Pay as a person meets it in sandbox mode: the demo page logs in, orders one fen from the service, and the
 * simulated jweixin.js shows its pay sheet; Pay pays (the sandbox notifies the service), Cancel does not. The page
 * shows what the service confirmed, and the service's API agrees.
 */
describe('WeChat Pay in headless Chromium (sandbox mode): demo page, pay sheet, browser helper', () => {
  let svc: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    svc = await startSandboxModeService();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 420, height: 820 } })).newPage();
    await page.goto(`${svc.url}/`);
    await page.click('#login');
    await page.click('#allow');
    await page.waitForSelector('#logged-in:not([hidden])');
    await page.waitForSelector('#jssdk:has-text("wx.ready")');
    // count the page's wx.chooseWXPay calls: with wx configured for it the helper must use it
    await page.evaluate(() => {
      const w = globalThis as Win;
      const original = w.wx.chooseWXPay;
      w.sdkCalls = 0;
      w.wx.chooseWXPay = (o: unknown) => (w.sdkCalls++, original(o));
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.close();
  });

  /** The service's answer for an order of the logged-in user, asked from the page (its session cookie). */
  const orderState = (outTradeNo: string) =>
    page.evaluate(async (no) => {
      const response = await fetch(`/wechat/pay/orders/${no}`, { headers: { accept: 'application/json' } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }, outTradeNo);
  const deliveries = async (outTradeNo: string): Promise<{ kind: string; status?: number }[]> =>
    ((await (await fetch(`${svc.url}/sandbox/__sandbox/pay/deliveries/${outTradeNo}`)).json()) as { deliveries: [] }).deliveries;
  /** A new order through the page's session, as the demo page makes it. */
  const newOrder = (): Promise<Order> =>
    page.evaluate(async () => {
      const response = await fetch('/wechat/pay/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ description: 'pay-browser e2e', amount: 2 }),
      });
      return (await response.json()) as Order;
    });
  const payState = async () => ({
    status: await page.getAttribute('#pay-state', 'data-status'),
    text: await page.textContent('#pay-state'),
    outTradeNo: (await page.getAttribute('#pay-state', 'data-out-trade-no'))!,
  });

  it('Pay on the sheet pays the order: the page shows SUCCESS, the API says SUCCESS, the service was notified', async () => {
    await page.getByRole('button', { name: 'Pay ¥0.01 (sandbox)' }).click();
    const sheet = page.getByRole('dialog', SHEET);
    await sheet.waitFor();
    const shown = await sheet.textContent();
    for (const part of [
      'simulator',
      'no real money',
      'nest-wechat-h5 demo order (sandbox)',
      '¥0.01',
      'Paying as Alice 小明 (alice)',
    ])
      expect(shown).toContain(part);
    await page.screenshot({ path: join(OUTPUT, '1-pay-sheet.png') });

    // the sheet is modal: the page's own "Pay ¥0.01" button is hidden from the accessibility tree meanwhile
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForSelector('#pay-state[data-status="paid"]');
    const { text, outTradeNo } = await payState();
    expect(text).toBe(`paid: SUCCESS (${outTradeNo})`);
    expect(await page.evaluate(() => (globalThis as Win).sdkCalls)).toBe(1);
    expect(await sheet.count()).toBe(0);
    await page.screenshot({ path: join(OUTPUT, '2-paid.png'), fullPage: true });

    const api = await orderState(outTradeNo);
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ outTradeNo, state: 'SUCCESS', amount: 1, transactionId: expect.any(String) });
    expect(await eventually(async () => (await deliveries(outTradeNo)).some((d) => d.status === 204), 5000)).toBe(true);
  }, 60_000);

  it('Cancel on the sheet: the page shows cancelled, the order stays NOTPAY and nothing is notified', async () => {
    await page.getByRole('button', { name: 'Pay ¥0.01 (sandbox)' }).click();
    await page.getByRole('dialog', SHEET).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForSelector('#pay-state[data-status="cancelled"]');
    const { text, outTradeNo } = await payState();
    expect(text).toBe(`cancelled: chooseWXPay:cancel (${outTradeNo})`);
    expect(await page.getByRole('dialog', SHEET).count()).toBe(0);
    await page.screenshot({ path: join(OUTPUT, '3-cancelled.png'), fullPage: true });
    expect((await orderState(outTradeNo)).body).toMatchObject({ outTradeNo, state: 'NOTPAY' });
    expect(await deliveries(outTradeNo)).toEqual([]);
  }, 60_000);

  it('a tampered paySign, or timeStamp where chooseWXPay wants timestamp, gets 支付验证签名失败 and no sheet', async () => {
    const order = await newOrder();
    const flipped = order.sdkConfig.paySign.startsWith('A') ? 'B' : 'A';
    await page.evaluate(
      async ({ order, flipped }) => {
        const w = globalThis as Win;
        const { payWithWechat } = await import('/wechat/jssdk/client.js' as string);
        const sdkConfig = { ...order.sdkConfig, paySign: flipped + order.sdkConfig.paySign.slice(1) };
        w.tampered = payWithWechat({ ...order, sdkConfig });
        w.tampered.then((r: unknown) => (w.tamperedResult = r));
      },
      { order, flipped },
    );
    // either the answer comes or a sheet opens: whichever happens first decides
    await page.waitForFunction(
      () => (globalThis as Win).tamperedResult || (globalThis as Win).document.querySelector('[role="dialog"]'),
    );
    expect(await page.getByRole('dialog', SHEET).count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as Win).tamperedResult)).toEqual({
      status: 'failed',
      errMsg: 'chooseWXPay:fail 支付验证签名失败',
    });

    const renamed = await page.evaluate(
      (order) =>
        new Promise((resolve) => {
          const { timestamp, ...rest } = order.sdkConfig;
          (globalThis as Win).wx.chooseWXPay({ ...rest, timeStamp: timestamp, success: resolve, fail: resolve, cancel: resolve });
        }),
      order,
    );
    expect(renamed).toEqual({ errMsg: 'chooseWXPay:fail 支付验证签名失败' });
    expect((await orderState(order.outTradeNo)).body.state).toBe('NOTPAY');
  }, 60_000);

  it('the same bridge parameters open the sheet on the demo page but fail on a page outside every pay directory', async () => {
    const order = await newOrder();
    const invoke = (on: Page) =>
      on.evaluate(
        (config) =>
          new Promise((resolve) => {
            const w = globalThis as Win;
            const go = () => w.WeixinJSBridge.invoke('getBrandWCPayRequest', config, resolve);
            if (w.WeixinJSBridge) go();
            else w.document.addEventListener('WeixinJSBridgeReady', go);
          }),
        order.bridgeConfig,
      );
    // a shop page on another host (a real loopback server: Chromium lets only those call 127.0.0.1)
    const html = `<!doctype html><meta charset="utf-8"><title>shop</title><h1>Checkout</h1><script src="${svc.url}/sandbox/jweixin.js"></script>`;
    const shop = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.2', resolve));
    const outside = await page.context().newPage();
    await outside.goto(`http://127.0.0.2:${(shop.address() as AddressInfo).port}/elsewhere/checkout`);
    await outside.waitForFunction(() => (globalThis as Win).WeixinJSBridge, undefined, { timeout: 10_000 });
    expect(await invoke(outside)).toEqual({ err_msg: 'get_brand_wcpay_request:fail', err_desc: '当前页面的URL未注册' });
    expect(await outside.getByRole('dialog', SHEET).count()).toBe(0);
    // wx.chooseWXPay needs a wx.config with chooseWXPay first, as in WeChat
    const unconfigured = await outside.evaluate(
      (config) => new Promise((resolve) => (globalThis as Win).wx.chooseWXPay({ ...config, success: resolve, fail: resolve })),
      order.sdkConfig,
    );
    expect(unconfigured).toEqual({ errMsg: 'chooseWXPay:permission denied' });
    await outside.close();
    shop.close();

    // on the demo page (under the sandbox's pay directory) the same parameters open the sheet
    const answered = invoke(page);
    await page.getByRole('dialog', SHEET).waitFor();
    expect(await page.getByRole('dialog', SHEET).textContent()).toContain('¥0.02');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await answered).toEqual({ err_msg: 'get_brand_wcpay_request:cancel' });
    expect((await orderState(order.outTradeNo)).body.state).toBe('NOTPAY');
  }, 60_000);
});
