import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { getJson, postJson, type RunningApp, serviceEnv, startApp, PLATFORMS } from '../support/app.js';
import { deleteKeys, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';

const ACCOUNT = { appId: 'wx1111aaaa2222bbbb', appSecret: 'jssdk-e2e-secret-0123456789' };

describe.each(PLATFORMS)('JS-SDK signing over HTTP (sandbox upstream, real Redis), on %s', (platform) => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  const prefix = uniquePrefix('jssdk');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    svc = await startApp(
      serviceEnv(sandbox.url, ACCOUNT, {
        CACHE_KEY_PREFIX: prefix,
        WECHAT_JS_DOMAINS: 'h5.example.com,*.shop.example.com',
      }),
      platform,
    );
  });
  afterAll(async () => {
    await svc?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });
  beforeEach(() => sandbox.sandbox.resetCalls());

  const ticket = () => sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!;

  it('answers the wx.config parameters with a valid signature and echoes the options', async () => {
    const url = 'https://h5.example.com/pay?order=42';
    const { status, json, text } = await postJson(`${svc.url}/wechat/jssdk/config`, {
      url,
      jsApiList: ['updateAppMessageShareData', 'chooseImage'],
      openTagList: ['wx-open-launch-weapp'],
      debug: true,
    });
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual([
      'appId',
      'debug',
      'jsApiList',
      'nonceStr',
      'openTagList',
      'signature',
      'timestamp',
    ]);
    expect(json.appId).toBe(ACCOUNT.appId);
    expect(Number.isInteger(json.timestamp)).toBe(true);
    expect(Math.abs(json.timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect(json.nonceStr).toMatch(/^[A-Za-z0-9]{16,}$/);
    expect(json.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(json.signature).toBe(expectedSignature(ticket(), json.nonceStr, json.timestamp, url));
    expect(json).toMatchObject({
      jsApiList: ['updateAppMessageShareData', 'chooseImage'],
      openTagList: ['wx-open-launch-weapp'],
      debug: true,
    });
    expect(text).not.toContain(ticket());
  });

  it('defaults jsApiList, openTagList and debug', async () => {
    const { json } = await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' });
    expect(json).toMatchObject({ jsApiList: [], openTagList: [], debug: false });
  });

  it.each([
    ['a fragment is cut', 'https://h5.example.com/app/?from=timeline#/detail?id=1', 'https://h5.example.com/app/?from=timeline'],
    ['percent-encoding is kept', 'https://h5.example.com/a%2Fb?q=%E4%BD%A0%20x', 'https://h5.example.com/a%2Fb?q=%E4%BD%A0%20x'],
    ['unicode is kept', 'https://h5.example.com/路径?名=值', 'https://h5.example.com/路径?名=值'],
    ['a trailing ? is kept', 'https://h5.example.com/page?', 'https://h5.example.com/page?'],
    ['no slash is added', 'https://h5.example.com', 'https://h5.example.com'],
    ['a wildcard subdomain', 'http://m.shop.example.com:8080/x', 'http://m.shop.example.com:8080/x'],
  ])('signs byte for byte: %s', async (_label, given, signed) => {
    const { status, json } = await postJson(`${svc.url}/wechat/jssdk/config`, { url: given });
    expect(status).toBe(200);
    expect(json.signature).toBe(expectedSignature(ticket(), json.nonceStr, json.timestamp, signed));
  });

  it('signs through GET with the url in the query string', async () => {
    const url = 'https://h5.example.com/p?a=1&b=%20#x';
    const { status, json } = await getJson(
      `${svc.url}/wechat/jssdk/config?url=${encodeURIComponent(url)}&jsApiList=scanQRCode,chooseImage`,
    );
    expect(status).toBe(200);
    expect(json.signature).toBe(expectedSignature(ticket(), json.nonceStr, json.timestamp, 'https://h5.example.com/p?a=1&b=%20'));
    expect(json.jsApiList).toEqual(['scanQRCode', 'chooseImage']);
  });

  it('signs a form post as jQuery sends it ($.post(api, { url: location.href }))', async () => {
    const url = 'https://h5.example.com/form?x=1&y=%E4%BD%A0';
    const body = new URLSearchParams({ url }).toString();
    const { status, json } = await postJson(`${svc.url}/wechat/jssdk/config`, body, {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    expect(status).toBe(200);
    expect(json.signature).toBe(expectedSignature(ticket(), json.nonceStr, json.timestamp, url));
  });

  it('marks every answer no-store, so no CDN or browser cache hands a signature out twice', async () => {
    const post = await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' });
    const get = await getJson(`${svc.url}/wechat/jssdk/config?url=${encodeURIComponent('https://h5.example.com/')}`);
    const refused = await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://evil.example.net/' });
    const unreadable = await postJson(`${svc.url}/wechat/jssdk/config`, '{"url":');
    expect([post.status, get.status, refused.status, unreadable.status]).toEqual([200, 200, 400, 400]);
    for (const r of [post, get, refused, unreadable]) expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('leaves sessions alone: no cookie parsed or set, whatever the page sends', async () => {
    const { status, headers } = await postJson(
      `${svc.url}/wechat/jssdk/config`,
      { url: 'https://h5.example.com/' },
      {
        cookie: 'wechat_sid=s%3Anot-a-session.forged; other=1',
      },
    );
    expect(status).toBe(200);
    expect(headers.get('set-cookie')).toBeNull();
  });

  it('gives a fresh nonce on every call', async () => {
    const a = await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' });
    const b = await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' });
    expect(a.json.nonceStr).not.toBe(b.json.nonceStr);
  });

  it('signs wx.chooseCard with the wx_card ticket, app_id included', async () => {
    const { status, json, text } = await postJson(`${svc.url}/wechat/jssdk/card-config`, {
      shopId: '123',
      cardType: 'GROUPON',
      cardId: 'pDF3iY9tv9zCGCj4jTXFOo1DxHdo',
    });
    expect(status).toBe(200);
    const cardTicket = sandbox.sandbox.currentTicket(ACCOUNT.appId, 'wx_card')!;
    const { createHash } = await import('node:crypto');
    const values = [
      cardTicket,
      ACCOUNT.appId,
      '123',
      String(json.timestamp),
      json.nonceStr,
      'pDF3iY9tv9zCGCj4jTXFOo1DxHdo',
      'GROUPON',
    ].sort();
    expect(json).toMatchObject({ shopId: '123', cardType: 'GROUPON', cardId: 'pDF3iY9tv9zCGCj4jTXFOo1DxHdo', signType: 'SHA1' });
    expect(json.cardSign).toBe(createHash('sha1').update(values.join('')).digest('hex'));
    expect(text).not.toContain(cardTicket);
  });

  describe('bad input: 400 with its code and no call to WeChat', () => {
    const cases: [string, unknown, string][] = [
      ['missing url', {}, 'INVALID_URL'],
      ['url not a string', { url: 42 }, 'INVALID_URL'],
      ['url null', { url: null }, 'INVALID_URL'],
      ['relative url', { url: '/page' }, 'INVALID_URL'],
      ['ftp url', { url: 'ftp://h5.example.com/' }, 'INVALID_URL'],
      ['javascript: url', { url: 'javascript:alert(1)' }, 'INVALID_URL'],
      ['url with a space', { url: 'https://h5.example.com/a b' }, 'INVALID_URL'],
      ['url with a newline', { url: 'https://h5.example.com/\n' }, 'INVALID_URL'],
      ['url with a NUL', { url: 'https://h5.example.com/\u0000' }, 'INVALID_URL'],
      ['url too long', { url: `https://h5.example.com/?${'a'.repeat(4100)}` }, 'INVALID_URL'],
      ['host not allowed', { url: 'https://evil.com/' }, 'DOMAIN_NOT_ALLOWED'],
      ['allowed host as user-info', { url: 'https://h5.example.com@evil.com/' }, 'DOMAIN_NOT_ALLOWED'],
      // a wildcard covers subdomains at a dot boundary only
      ['wildcard base glued to a longer name', { url: 'https://evilshop.example.com/' }, 'DOMAIN_NOT_ALLOWED'],
      ['wildcard base itself', { url: 'https://shop.example.com/' }, 'DOMAIN_NOT_ALLOWED'],
      ['wildcard with an empty label', { url: 'https://m..shop.example.com/' }, 'DOMAIN_NOT_ALLOWED'],
      ['wildcard base as a prefix', { url: 'https://m.shop.example.com.evil.net/' }, 'DOMAIN_NOT_ALLOWED'],
      ['unknown property', { url: 'https://h5.example.com/', extra: 1 }, 'VALIDATION_FAILED'],
      ['jsApiList not an array', { url: 'https://h5.example.com/', jsApiList: 'chooseImage' }, 'VALIDATION_FAILED'],
      ['jsApiList with a non-string', { url: 'https://h5.example.com/', jsApiList: [1] }, 'VALIDATION_FAILED'],
      ['debug not a boolean', { url: 'https://h5.example.com/', debug: 'yes' }, 'VALIDATION_FAILED'],
      ['openTagList with markup', { url: 'https://h5.example.com/', openTagList: ['<script>'] }, 'VALIDATION_FAILED'],
    ];
    it.each(cases)('%s', async (_label, body, code) => {
      const { status, json } = await postJson(`${svc.url}/wechat/jssdk/config`, body);
      expect(status).toBe(400);
      expect(json).toMatchObject({ statusCode: 400, code });
      expect(typeof json.message).toBe('string');
      expect(sandbox.sandbox.calls()).toEqual({});
    });

    it.each([
      ['no url', '', 'INVALID_URL'],
      ['relative url', '?url=%2Fx', 'INVALID_URL'],
      ['host not allowed', `?url=${encodeURIComponent('https://evil.com/')}`, 'DOMAIN_NOT_ALLOWED'],
      ['unknown parameter', `?url=${encodeURIComponent('https://h5.example.com/')}&x=1`, 'VALIDATION_FAILED'],
    ])('GET with %s', async (_label, query, code) => {
      const { status, json } = await getJson(`${svc.url}/wechat/jssdk/config${query}`);
      expect(status).toBe(400);
      expect(json.code).toBe(code);
      expect(sandbox.sandbox.calls()).toEqual({});
    });

    it.each([
      ['malformed JSON', '{"url":', 'application/json', 400],
      ['a JSON array', '[1,2]', 'application/json', 400],
      ['a JSON string', '"https://h5.example.com/"', 'application/json', 400],
      ['text/plain', 'url=https://h5.example.com/', 'text/plain', 400],
      ['application/xml', '<url>https://h5.example.com/</url>', 'application/xml', 415],
    ])('%s body gives a JSON 4xx', async (_label, body, type, status) => {
      const response = await fetch(`${svc.url}/wechat/jssdk/config`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      const json = (await response.json()) as Record<string, unknown>;
      expect(json).toMatchObject({ statusCode: status });
      expect(typeof json.code).toBe('string');
      expect(sandbox.sandbox.calls()).toEqual({});
    });

    it('card-config rejects unknown and malformed fields', async () => {
      const { status, json } = await postJson(`${svc.url}/wechat/jssdk/card-config`, { shopId: '../x', nope: 1 });
      expect(status).toBe(400);
      expect(json.code).toBe('VALIDATION_FAILED');
    });
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const { status, json } = await getJson(`${svc.url}/nope`);
    expect(status).toBe(404);
    expect(json).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });
});
