import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { type RunningApp, startApp } from '../support/app.js';
import { freePort } from '../support/processes.js';

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', 'oauth-browser');

/** The whole login as a person does it: demo page → sandbox consent page → back, logged in. */
describe('OAuth login in headless Chromium (sandbox mode)', () => {
  let svc: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const port = await freePort();
    const { createApp } = await import('../../src/bootstrap.js');
    const env = {
      NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(port), WECHAT_SANDBOX: 'true',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, SESSION_SECRET: 'browser-test-session-secret-0123456789',
    };
    const { app, config } = await createApp(env);
    await app.listen({ host: '127.0.0.1', port });
    svc = { app, config, url: `http://127.0.0.1:${port}`, close: () => app.close() };
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
        '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('opens the demo page, logs in through the consent page and shows the nickname', async () => {
    const page = await browser.newPage();
    await page.goto(`${svc.url}/`);
    await page.waitForSelector('#config:has-text("signature")');
    await page.screenshot({ path: join(OUTPUT, '1-demo-page.png'), fullPage: true });

    await page.click('#login');
    await page.waitForSelector('#allow');
    expect(await page.title()).toMatch(/sandbox/i);
    await page.check('input[name="user"][value="html"]');
    await page.screenshot({ path: join(OUTPUT, '2-consent-page.png'), fullPage: true });
    await page.click('#allow');

    await page.waitForSelector('#logged-in:not([hidden])');
    const nickname = await page.textContent('#nickname');
    expect(nickname).toBe('<img src=x onerror=alert(1)> & "Bob" 🐼');
    // Shown as text: no element was created from the nickname.
    expect(await page.locator('#nickname img').count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.screenshot({ path: join(OUTPUT, '3-logged-in.png'), fullPage: true });

    await page.click('#logout');
    await page.waitForSelector('#anonymous:not([hidden])');
  }, 60_000);
});
