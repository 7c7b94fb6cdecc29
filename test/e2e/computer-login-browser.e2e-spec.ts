import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { RunningApp } from '../support/app.js';
import { launchChromium, startSandboxModeService } from '../support/chromium.js';

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', 'computer-login-browser');
const COMPUTER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 DeskTest';
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50';

/** A computer and a phone, each its own browser context, as two people's devices are. */
describe('logging in on a computer in headless Chromium (sandbox mode)', () => {
  let svc: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    svc = await startSandboxModeService();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('the computer shows a QR code, the phone confirms and logs in, the computer’s page is logged in without a reload', async () => {
    const computer = await (await browser.newContext({ userAgent: COMPUTER_UA })).newPage();
    await computer.goto(`${svc.url}/`);
    await computer.waitForSelector('#anonymous:not([hidden])');
    // a mark that a reload would wipe
    await computer.evaluate('window.notReloaded = true');
    await computer.click('#handoff');
    await computer.waitForSelector('#handoff-box:not([hidden])');
    await computer.waitForFunction(
      "(() => { const img = document.getElementById('handoff-qr'); return !!img && img.complete && img.naturalWidth > 0; })()",
    );
    await computer.screenshot({ path: join(OUTPUT, '1-computer-qr.png'), fullPage: true });
    const phoneUrl = (await computer.getAttribute('#phone-link', 'href'))!;
    expect(phoneUrl).toMatch(new RegExp(`^${svc.url}/wechat/oauth/handoff/[A-Za-z0-9_-]{43}$`));

    const phoneContext = await browser.newContext({ userAgent: PHONE_UA, viewport: { width: 390, height: 844 }, isMobile: true });
    const phone = await phoneContext.newPage();
    await phone.goto(phoneUrl);
    await phone.waitForSelector('#confirm');
    expect(await phone.textContent('#browser')).toBe(COMPUTER_UA);
    expect(await phone.textContent('#ip')).toBe('127.0.0.1');
    await computer.waitForSelector('#handoff-state:has-text("scanned")');
    await phone.screenshot({ path: join(OUTPUT, '2-phone-confirm.png'), fullPage: true });

    await phone.click('#confirm');
    // the sandbox's consent page of the account's OAuth
    await phone.waitForSelector('#allow');
    await phone.check('input[name="user"][value="alice"]');
    await phone.click('#allow');
    await phone.waitForSelector('#done');
    expect(await phone.textContent('#done')).toContain('You are logged in on the computer');
    await phone.screenshot({ path: join(OUTPUT, '3-phone-done.png'), fullPage: true });

    await computer.waitForSelector('#logged-in:not([hidden])');
    expect(await computer.textContent('#nickname')).toBe('Alice 小明');
    expect(await computer.evaluate('window.notReloaded')).toBe(true);
    await computer.screenshot({ path: join(OUTPUT, '4-computer-logged-in.png'), fullPage: true });
    // the phone's own session stays logged out
    const phoneMe = (
      await phoneContext.request.get(`${svc.url}/wechat/oauth/me`, { headers: { accept: 'application/json' } })
    ).status();
    expect(phoneMe).toBe(401);
    await phoneContext.close();
  }, 60_000);

  it('logs in with the website application’s QR page', async () => {
    const page = await (await browser.newContext({ userAgent: COMPUTER_UA })).newPage();
    await page.goto(`${svc.url}/`);
    await page.click('#qr-login');
    await page.waitForSelector('#qr');
    await page.check('input[name="user"][value="alice"]');
    await page.screenshot({ path: join(OUTPUT, '5-website-qr-page.png'), fullPage: true });
    await page.click('#allow');
    await page.waitForSelector('#logged-in:not([hidden])');
    expect(JSON.parse((await page.textContent('#me'))!)).toMatchObject({ scope: 'snsapi_login', nickname: 'Alice 小明' });
  }, 60_000);
});
