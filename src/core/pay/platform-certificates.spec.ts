import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type SandboxServer } from '../../sandbox/index.js';
import { PayHttpClient } from '../../transport/pay-http.js';
import { FAKE_PLATFORM_PUBLIC_KEY } from '../../../test/support/fake-pay-http.js';
import { type Logger, SILENT } from '../ports.js';
import { Problem } from '../problem.js';
import { apiV3KeyBytes, privateKeyFromPem, publicKeyFromPem } from './pay-crypto.js';
import { CERTIFICATE_REFRESH_MS, PlatformCertificates } from './platform-certificates.js';
import { WechatPayClient } from './wechatpay-client.js';
import { CombinedKeys } from './wechatpay-verifier.js';

const ACCOUNT = { appId: 'wxcerts0000000001', appSecret: 'certs-secret-0123456789' };

function clientFor(sandbox: SandboxServer, keys: CombinedKeys, baseUrl = sandbox.url, timeoutMs = 5000) {
  const m = sandbox.sandbox.pay.merchant;
  const merchant = {
    mchId: m.mchId,
    privateKey: privateKeyFromPem(m.privateKey),
    certSerial: m.certSerial,
    apiV3Key: apiV3KeyBytes(m.apiV3Key),
    baseUrl,
  };
  return new WechatPayClient(merchant, keys, new PayHttpClient({ timeoutMs }), Date.now, SILENT);
}

const order = (sandbox: SandboxServer, outTradeNo: string) => ({
  appid: ACCOUNT.appId,
  mchid: sandbox.sandbox.pay.merchant.mchId,
  description: 'cert mode',
  out_trade_no: outTradeNo,
  notify_url: 'https://h5.test/wechat/pay/notify',
  amount: { total: 1, currency: 'CNY' as const },
  payer: { openid: sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice') },
});

describe('platform certificates (WECHAT_PAY_PLATFORM_CERTS=auto)', () => {
  let certMode: SandboxServer;
  let keyMode: SandboxServer;
  beforeAll(async () => {
    [certMode, keyMode] = await Promise.all([
      startSandbox({ accounts: [ACCOUNT], pay: { mode: 'certificate' } }),
      startSandbox({ accounts: [ACCOUNT] }),
    ]);
  });
  afterAll(async () => {
    await certMode?.close();
    await keyMode?.close();
  });

  it('believes nothing signed by a certificate it has not downloaded, and everything once it has', async () => {
    const keys = new CombinedKeys();
    const client = clientFor(certMode, keys);
    await expect(client.jsapiOrder(order(certMode, 'cert_order_01'))).rejects.toMatchObject({
      extra: { payCode: 'UNVERIFIED_ANSWER' },
    });
    const certificates = new PlatformCertificates(client, keys, SILENT);
    expect(await certificates.refresh()).toBe(true);
    expect(keys.certificateSerials).toEqual([certMode.sandbox.pay.platformCertificate!.serialNo]);
    expect(await client.jsapiOrder(order(certMode, 'cert_order_02'))).toMatch(/^wx/);
  });

  it('keeps working on the public key when the merchant has no certificates (404 RESOURCE_NOT_EXISTS)', async () => {
    const m = keyMode.sandbox.pay.merchant;
    const keys = new CombinedKeys({ id: m.publicKeyId, key: publicKeyFromPem(m.publicKey) });
    const client = clientFor(keyMode, keys);
    expect(await client.downloadCertificates()).toBeUndefined();
    expect(await new PlatformCertificates(client, keys, SILENT).refresh()).toBe(false);
    expect(await client.jsapiOrder(order(keyMode, 'key_order_01'))).toMatch(/^wx/);
  });
});

describe('a WeChat Pay that does not answer', () => {
  let server: Server;
  let sandbox: SandboxServer;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    server = createServer(() => undefined); // reads the request, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await sandbox.close();
  });

  it('is given up after the bound with 503 WECHAT_PAY_UNAVAILABLE, naming no url or key', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = clientFor(sandbox, new CombinedKeys(), url, 300);
    const started = Date.now();
    const error = await client.queryOrder('slow_order_01').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toBeInstanceOf(Problem);
    expect((error as Problem).body).toEqual({
      statusCode: 503,
      code: 'WECHAT_PAY_UNAVAILABLE',
      message: expect.stringContaining('timed out'),
    });
    expect((error as Problem).message).not.toMatch(/127\.0\.0\.1|mchid|slow_order/);
  });
});

describe('PlatformCertificates on its own timer', () => {
  type Download = () => Promise<Map<string, typeof FAKE_PLATFORM_PUBLIC_KEY> | undefined>;

  /** The certificates over a client whose download is `download`; what they log is kept. */
  function certificatesWith(download: Download) {
    const logs: string[] = [];
    const warnings: string[] = [];
    const logger: Logger = { log: (m) => void logs.push(m), warn: (m) => void warnings.push(m), error: () => undefined };
    const keys = new CombinedKeys();
    const downloads = jest.fn(download);
    const client = { downloadCertificates: downloads } as unknown as WechatPayClient;
    return { certificates: new PlatformCertificates(client, keys, logger), keys, downloads, logs, warnings };
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('downloads once at start, then once every hour, and no more once stopped', async () => {
    const w = certificatesWith(async () => new Map([['5dea10ef55877e3c', FAKE_PLATFORM_PUBLIC_KEY]]));
    await w.certificates.start();
    expect(w.downloads).toHaveBeenCalledTimes(1);
    expect(w.keys.certificateSerials).toEqual(['5DEA10EF55877E3C']);
    await jest.advanceTimersByTimeAsync(CERTIFICATE_REFRESH_MS - 1);
    expect(w.downloads).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(w.downloads).toHaveBeenCalledTimes(2);
    w.certificates.stop();
    await jest.advanceTimersByTimeAsync(3 * CERTIFICATE_REFRESH_MS);
    expect(w.downloads).toHaveBeenCalledTimes(2);
  });

  it('logs the serials put in use, or none when the download held none', async () => {
    const w = certificatesWith(
      async () =>
        new Map([
          ['AAAA01', FAKE_PLATFORM_PUBLIC_KEY],
          ['bbbb02', FAKE_PLATFORM_PUBLIC_KEY],
        ]),
    );
    expect(await w.certificates.refresh()).toBe(true);
    w.downloads.mockImplementation(async () => new Map());
    expect(await w.certificates.refresh()).toBe(true);
    expect(w.logs).toEqual(['platform certificates in use: AAAA01, BBBB02', 'platform certificates in use: none']);
  });

  // a failed download is logged with its reason and changes nothing: the certificates held stay in use
  it('keeps the certificates it holds when a download fails, and says why', async () => {
    const w = certificatesWith(async () => new Map([['AAAA01', FAKE_PLATFORM_PUBLIC_KEY]]));
    await w.certificates.start();
    w.certificates.stop();
    w.downloads.mockImplementation(() => Promise.reject(new Error('WeChat Pay certificates is unavailable: timed out')));
    expect(await w.certificates.refresh()).toBe(false);
    w.downloads.mockImplementation(() => Promise.reject(undefined));
    expect(await w.certificates.refresh()).toBe(false);
    expect(w.keys.certificateSerials).toEqual(['AAAA01']);
    expect(w.warnings).toEqual([
      'platform certificates could not be downloaded (WeChat Pay certificates is unavailable: timed out); keeping those held',
      'platform certificates could not be downloaded (error); keeping those held',
    ]);
  });

  it('starts even when the first download fails, and tries again on the hour', async () => {
    const w = certificatesWith(() => Promise.reject(new Error('refused')));
    await expect(w.certificates.start()).resolves.toBeUndefined();
    w.downloads.mockImplementation(async () => new Map([['AAAA01', FAKE_PLATFORM_PUBLIC_KEY]]));
    await jest.advanceTimersByTimeAsync(CERTIFICATE_REFRESH_MS);
    w.certificates.stop();
    expect(w.keys.certificateSerials).toEqual(['AAAA01']);
    expect(w.warnings).toEqual([expect.stringContaining('(refused)')]);
  });

  it('answers false and keeps the public key for a merchant without certificates', async () => {
    const w = certificatesWith(async () => undefined);
    expect(await w.certificates.refresh()).toBe(false);
    expect(w.keys.certificateSerials).toEqual([]);
    expect(w.logs).toEqual([expect.stringContaining('public-key only')]);
  });
});
