import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { Controller, Get, Header, type INestApplication, UseGuards } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { OAuthModule } from '../../src/nest/oauth/oauth.module.js';
import type { SessionUser } from '../../src/core/oauth/session-user.js';
import { WechatAuthGuard } from '../../src/nest/oauth/wechat-auth.guard.js';
import { WechatUser } from '../../src/nest/oauth/wechat-user.decorator.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { WechatModule } from '../../src/nest/wechat.module.js';
import type { RunningApp } from '../support/app.js';
import { launchChromium, startSandboxModeService } from '../support/chromium.js';
import { freePort } from '../support/processes.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', 'oauth-browser');

/** The whole login as a person does it: demo page → sandbox consent page → back, logged in. */
describe('OAuth login in headless Chromium (sandbox mode)', () => {
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

/** The same login on an Express host app: the package's routes and guard, the sandbox's consent page. */
describe('OAuth login in headless Chromium on an Express host', () => {
  @Controller('account')
  class AccountController {
    @Get()
    @UseGuards(WechatAuthGuard)
    @Header('content-type', 'text/html; charset=utf-8')
    show(@WechatUser() user: SessionUser) {
      // the nickname is the sandbox user's, shown as text in a page of the host's own
      return `<!doctype html><title>account</title><p id="who"></p><script type="application/json" id="user">${JSON.stringify(
        user,
      ).replace(
        /</g,
        '\\u003c',
      )}</script><script>document.getElementById('who').textContent = JSON.parse(document.getElementById('user').textContent).nickname;</script>`;
    }
  }

  let sandbox: SandboxServer;
  let app: INestApplication;
  let base: string;
  let browser: Browser;
  const prefix = uniquePrefix('browser-express');
  const account = { appId: 'wx8f8f9a9a0b0b1c1c', appSecret: 'browser-express-secret-0123456789' };

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [account] });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({ ...account, apiBaseUrl: sandbox.url, redisUrl: REDIS_URL, keyPrefix: prefix }),
        OAuthModule.forRoot({
          publicBaseUrl: base,
          openBaseUrl: sandbox.url,
          session: { secret: 'browser-express-session-secret-0123456789' },
        }),
      ],
      controllers: [AccountController],
    }).compile();
    app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    await app.listen(port, '127.0.0.1');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  it('goes from a guarded page through the consent page and back, logged in', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/account`);
    await page.waitForSelector('#allow');
    await page.check('input[name="user"][value="html"]');
    await page.click('#allow');
    await page.waitForSelector('#who');
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(await page.textContent('#who')).toBe('<img src=x onerror=alert(1)> & "Bob" 🐼');
    expect(await page.locator('#who img').count()).toBe(0);
    await page.screenshot({ path: join(OUTPUT, '4-express-host-logged-in.png'), fullPage: true });
  }, 60_000);
});
