import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { jsapiSignature } from '../../src/core/jssdk/signature.js';
import type { RunningApp } from '../support/app.js';
import { launchChromium, startSandboxModeService } from '../support/chromium.js';

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output', 'jssdk-browser');
const IOS =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0 Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20240301 MMWEBID/1234 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN';

/**
 * A small SPA page on the service's origin: WeChat's JS-SDK stand-in from the sandbox, the browser
 * helper from the service. `run(label)` configures through the helper; `handWritten(label)` does what
 * a lot of pages do by hand: sign location.href after pushState and call wx.config with it.
 */
const SPA = `<!doctype html><html><head><meta charset="utf-8"><title>SPA</title>
<style>body{font:16px sans-serif;margin:2em} .ok{color:#070} .bad{color:#b00}</style></head>
<body><h1>Shop (SPA)</h1><p id="route"></p><ol id="out"></ol>
<script src="/sandbox/jweixin.js"></script>
<script type="module">
import { configureWechat } from '/wechat/jssdk/client.js';
const out = document.getElementById('out');
window.results = [];
function show(text, ok) {
  window.results.push(text);
  const li = document.createElement('li');
  li.textContent = text;
  li.className = ok ? 'ok' : 'bad';
  out.appendChild(li);
  document.getElementById('route').textContent = location.pathname + location.search;
}
window.run = async (label) => {
  try {
    await configureWechat({ jsApiList: ['chooseImage', 'startRecord', 'stopRecord', 'uploadVoice'], onRouteError: () => {} });
    show(label + ': ready', true);
  } catch (e) {
    show(label + ': ' + e.errMsg + ' / ' + (e.diagnosis ? e.diagnosis.findings.map((f) => f.code + ' (' + f.message + ')').join(', ') : 'no diagnosis'), false);
  }
};
window.handWritten = (label) => new Promise((resolve) => {
  // wx.ready and wx.error keep every callback: each call answers only for itself
  const call = (window.calls = (window.calls || 0) + 1);
  fetch('/wechat/jssdk/config', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: location.href.split('#')[0], jsApiList: ['chooseImage'] }) })
    .then((r) => r.json())
    .then((config) => {
      // the order of most pages: config, then ready and error
      wx.config({ ...config, debug: false });
      wx.error(async (res) => {
        if (call !== window.calls) return;
        const diagnosis = await (await fetch('/wechat/jssdk/diagnose', { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...config, url: location.href, signedUrl: location.href.split('#')[0], entryUrl: window.entryUrl, userAgent: navigator.userAgent }) })).json();
        show(label + ': ' + res.errMsg + ' / ' + diagnosis.findings.map((f) => f.code).join(','), false);
        resolve();
      });
      wx.ready(() => { if (call === window.calls) { show(label + ': ready', true); resolve(); } });
    });
});
window.careless = (label, kind) => new Promise((resolve) => {
  const call = (window.calls = (window.calls || 0) + 1);
  fetch('/careless/sign?kind=' + kind + '&url=' + encodeURIComponent(location.href))
    .then((r) => r.json())
    .then((config) => {
      wx.config({ ...config, jsApiList: ['chooseImage'] });
      wx.error(async (res) => {
        if (call !== window.calls) return;
        const diagnosis = await (await fetch('/wechat/jssdk/diagnose', { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...config, url: location.href, signedUrl: location.href, userAgent: navigator.userAgent }) })).json();
        show(label + ': ' + res.errMsg + ' / ' + diagnosis.findings.map((f) => f.code).join(','), false);
        resolve();
      });
      wx.ready(() => { if (call === window.calls) { show(label + ': ready', true); resolve(); } });
    });
});
window.recordVoice = () => new Promise((resolve) => {
  wx.startRecord({ success: () => wx.stopRecord({ success: (r) => wx.uploadVoice({ localId: r.localId,
    success: (u) => resolve(u.serverId), fail: (e) => resolve('fail ' + e.errMsg) }) }) });
});
window.go = (path) => history.pushState({}, '', path);
</script><script>window.entryUrl = location.href;</script></body></html>`;

describe('the browser helper and the JS-SDK simulator in headless Chromium (sandbox mode)', () => {
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

  async function openSpa(userAgent: string, entry = '/spa/shop?from=timeline#top'): Promise<Page> {
    const context = await browser.newContext({ userAgent, viewport: { width: 420, height: 640 } });
    const page = await context.newPage();
    // the SPA's pages are served by the test on the service's origin; everything else is the service
    await page.route(`${svc.url}/spa/**`, (route) => route.fulfill({ contentType: 'text/html', body: SPA }));
    await page.goto(`${svc.url}${entry}`);
    await page.waitForFunction(() => typeof (globalThis as any).run === 'function');
    return page;
  }
  /** The account's current jsapi_ticket, as a signing server of the test's own gets it from the sandbox. */
  async function sandboxTicket(): Promise<string> {
    const token = (await (
      await fetch(`${svc.url}/sandbox/cgi-bin/stable_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credential', appid: svc.config.appId, secret: svc.config.appSecret }),
      })
    ).json()) as { access_token: string };
    const answer = await fetch(`${svc.url}/sandbox/cgi-bin/ticket/getticket?access_token=${token.access_token}&type=jsapi`);
    return ((await answer.json()) as { ticket: string }).ticket;
  }
  const results = (page: Page) => page.evaluate(() => (globalThis as any).results as string[]);

  it.each([
    ['iOS', IOS],
    ['Android', ANDROID],
  ])('with the helper, wx.ready on %s before and after three route changes', async (name, userAgent) => {
    const page = await openSpa(userAgent);
    const signings: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/wechat/jssdk/config')) signings.push(JSON.parse(request.postData() ?? '{}').url);
    });
    await page.evaluate(() => (globalThis as any).run('entry'));
    for (const [i, path] of ['/spa/cart?id=7', '/spa/pay?order=42#summary', '/spa/done'].entries()) {
      await page.evaluate((p) => (globalThis as any).go(p), path);
      await page.evaluate((label) => (globalThis as any).run(label), `route ${i + 1}`);
    }
    expect(await results(page)).toEqual(['entry: ready', 'route 1: ready', 'route 2: ready', 'route 3: ready']);
    // iOS: the entry url every time, right the first time; Android: the current url, again after each route change
    const entry = `${svc.url}/spa/shop?from=timeline`;
    if (name === 'iOS') expect(signings).toEqual([entry, entry, entry, entry]);
    else {
      const routes = [`${svc.url}/spa/cart?id=7`, `${svc.url}/spa/pay?order=42`, `${svc.url}/spa/done`];
      expect(signings).toEqual([entry, ...routes.flatMap((url) => [url, url])]);
    }
    expect(await page.evaluate(() => (globalThis as any).wx.__simulator)).toBe(true);
    await page.screenshot({ path: join(OUTPUT, `helper-${name.toLowerCase()}-ready.png`) });
    await page.context().close();
  });

  it('with the helper, configurations asked for at once (a route change and the page itself) run one after the other, each settled', async () => {
    const page = await openSpa(ANDROID);
    await page.evaluate(() => {
      const g = globalThis as any;
      g.go('/spa/cart?id=7'); // starts a re-signing of its own
      return Promise.all([g.run('first'), g.run('second'), g.run('third')]);
    });
    expect(await results(page)).toEqual(['first: ready', 'second: ready', 'third: ready']);
    await page.context().close();
  });

  it('hand-written page code that signs the url after pushState fails on iOS as in WeChat, and /diagnose says IOS_ENTRY_URL', async () => {
    const page = await openSpa(IOS);
    await page.evaluate(() => (globalThis as any).handWritten('entry'));
    await page.evaluate(() => (globalThis as any).go('/spa/cart?id=7'));
    await page.evaluate(() => (globalThis as any).handWritten('after pushState'));
    const seen = await results(page);
    expect(seen[0]).toBe('entry: ready');
    expect(seen[1]).toBe('after pushState: config:invalid signature / IOS_ENTRY_URL');
    await page.screenshot({ path: join(OUTPUT, 'handwritten-ios-invalid-signature.png') });
    await page.context().close();

    // the same code on Android is right: WeChat there checks the current url
    const android = await openSpa(ANDROID);
    await android.evaluate(() => (globalThis as any).go('/spa/cart?id=7'));
    await android.evaluate(() => (globalThis as any).handWritten('after pushState'));
    expect(await results(android)).toEqual(['after pushState: ready']);
    await android.context().close();
  });

  it('with the helper, an answer a cache kept is retried with the other url, then diagnosed: URL_MISMATCH and SIGNATURE_REUSED', async () => {
    const page = await openSpa(ANDROID);
    await page.evaluate(() => (globalThis as any).run('entry'));
    // from now on a cache in front of the service hands out the answer it kept for the entry page 20 minutes ago
    const ticket = await sandboxTicket();
    const timestamp = Math.floor(Date.now() / 1000) - 1200;
    const url = `${svc.url}/spa/shop?from=timeline`;
    const cached = JSON.stringify({
      appId: svc.config.appId,
      timestamp,
      nonceStr: 'cachednonce01234',
      signature: jsapiSignature({ ticket, nonceStr: 'cachednonce01234', timestamp, url }),
      jsApiList: [],
      openTagList: [],
      debug: false,
    });
    const asked: string[] = [];
    await page.route(`${svc.url}/wechat/jssdk/**`, (route) => {
      asked.push(route.request().url().replace(svc.url, ''));
      return route.request().url().endsWith('/config')
        ? route.fulfill({ contentType: 'application/json', body: cached })
        : route.continue();
    });
    await page.evaluate(() => (globalThis as any).go('/spa/cart?id=7'));
    await page.evaluate(() => (globalThis as any).run('cart'));
    const seen = await results(page);
    expect(seen[0]).toBe('entry: ready');
    expect(seen[seen.length - 1]).toMatch(/^cart: config:invalid signature \/ URL_MISMATCH \(.*\), SIGNATURE_REUSED \(/);
    // the current url, the entry url, then the diagnosis (the automatic re-sign after pushState asked too)
    expect(asked.filter((a) => a.endsWith('/diagnose')).length).toBeGreaterThanOrEqual(1);
    expect(asked.filter((a) => a.endsWith('/config')).length).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(OUTPUT, 'helper-android-diagnosed.png') });
    await page.context().close();
  });

  it('a server that signs the #fragment, or the url encoded, is refused by the simulator and named by /diagnose', async () => {
    const page = await openSpa(ANDROID);
    const appId = svc.config.appId;
    // a careless signing server of the test's own, with the account's real ticket
    const ticket = await sandboxTicket();
    await page.route(`${svc.url}/careless/**`, (route) => {
      const query = new URL(route.request().url()).searchParams;
      const href = query.get('url')!;
      const url = query.get('kind') === 'fragment' ? href : encodeURIComponent(href.split('#')[0]!);
      const timestamp = Math.floor(Date.now() / 1000);
      const nonceStr = 'careless0123456';
      const body = JSON.stringify({
        appId,
        timestamp,
        nonceStr,
        signature: jsapiSignature({ ticket, nonceStr, timestamp, url }),
      });
      return route.fulfill({ contentType: 'application/json', body });
    });
    await page.evaluate(() => (globalThis as any).run('entry')); // the service holds the ticket once it has signed
    await page.evaluate(() => (globalThis as any).careless('fragment signed', 'fragment'));
    await page.evaluate(() => (globalThis as any).careless('encoded', 'encoded'));
    expect(await results(page)).toEqual([
      'entry: ready',
      'fragment signed: config:invalid signature / FRAGMENT_SIGNED',
      'encoded: config:invalid signature / ENCODED_TWICE',
    ]);
    await page.screenshot({ path: join(OUTPUT, 'careless-server-diagnosed.png') });
    await page.context().close();
  });

  it('a voice recorded and uploaded through the simulated wx is then saved by POST /wechat/media/:mediaId', async () => {
    const page = await openSpa(ANDROID);
    // log in as a person does: the sandbox's consent page, then back to the SPA
    await page.goto(`${svc.url}/wechat/oauth/login?returnTo=${encodeURIComponent('/spa/shop?from=timeline')}`);
    await page.waitForSelector('#allow');
    await page.click('#allow');
    await page.waitForURL(`${svc.url}/spa/shop?from=timeline`);
    // the login ends with a redirect to the SPA, which the test's page route does not see: enter it again
    await page.goto(`${svc.url}/spa/shop?from=timeline`);
    await page.waitForFunction(() => typeof (globalThis as any).run === 'function');
    await page.evaluate(() => (globalThis as any).run('entry'));
    const serverId = await page.evaluate(() => (globalThis as any).recordVoice());
    expect(serverId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const saved = await page.evaluate(async (id) => {
      const response = await fetch(`/wechat/media/${id}`, { method: 'POST' });
      return { status: response.status, body: await response.json() };
    }, serverId);
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ mediaId: serverId, contentType: expect.stringMatching(/audio|amr|octet/) });
    const original = await page.evaluate(async (id) => (await fetch(`/wechat/media/${id}`)).status, serverId);
    expect(original).toBe(200);

    // the page plays it back in an <audio> element: the mp3 rendition, made by ffmpeg on first request
    const playback = await page.evaluate(async (id) => {
      const page = globalThis as any;
      const audio = page.document.createElement('audio');
      audio.controls = true;
      audio.muted = true;
      page.document.body.prepend(audio);
      const events: string[] = [];
      for (const name of ['loadedmetadata', 'canplay', 'playing', 'ended', 'error'])
        audio.addEventListener(name, () => events.push(name));
      // each step either happens or is reported: a failing page must not hang the test
      const step = (name: string) =>
        new Promise<boolean>((resolve) => {
          audio.addEventListener(name, () => resolve(true), { once: true });
          audio.addEventListener('error', () => resolve(false), { once: true });
          setTimeout(() => resolve(false), 10_000);
        });
      const metadata = step('loadedmetadata');
      audio.src = `/wechat/media/${id}?format=mp3`;
      if (!(await metadata)) return { duration: NaN, events, currentTime: 0, error: audio.error?.code };
      const duration = audio.duration;
      const ended = step('ended');
      audio.playbackRate = 4;
      await audio.play();
      await ended;
      return { duration, events, currentTime: audio.currentTime, error: audio.error?.code };
    }, serverId);
    // the sandbox's uploaded voice: 6,000 bytes of AMR, 187 frames of 20 ms
    const seconds = (Math.floor((6000 - 6) / 32) * 20) / 1000;
    expect(Math.abs(playback.duration - seconds) / seconds).toBeLessThan(0.05);
    expect(playback.error).toBeUndefined();
    expect(playback.events).toEqual(expect.arrayContaining(['loadedmetadata', 'canplay', 'playing', 'ended']));
    expect(playback.currentTime).toBeGreaterThan(seconds * 0.95);
    await page.screenshot({ path: join(OUTPUT, 'voice-played.png') });
    await page.context().close();
  });

  it("the demo page configures through the helper and shows /diagnose's findings for a wrong signature", async () => {
    const context = await browser.newContext({ userAgent: ANDROID, viewport: { width: 480, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${svc.url}/`);
    await page.waitForSelector('#jssdk:has-text("wx.ready")');
    await page.screenshot({ path: join(OUTPUT, 'demo-ready.png'), fullPage: true });
    await page.click('#break');
    await page.waitForSelector('#diagnosis li');
    expect(await page.textContent('#jssdk')).toBe('wx.error: config:invalid signature');
    expect(await page.textContent('#diagnosis li')).toMatch(/^URL_MISMATCH: /);
    await page.screenshot({ path: join(OUTPUT, 'demo-invalid-signature.png'), fullPage: true });
    await context.close();
  });

  it('serves the helper as a module a page can import, cached briefly, and the simulator labelled as such', async () => {
    const helper = await fetch(`${svc.url}/wechat/jssdk/client.js`);
    expect(helper.status).toBe(200);
    expect(helper.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(helper.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await helper.text()).toContain('export function configureWechat');
    const simulator = await (await fetch(`${svc.url}/sandbox/jweixin.js`)).text();
    expect(simulator).toContain('simulator');
  });
});
