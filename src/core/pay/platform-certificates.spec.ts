import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type SandboxServer } from '../../sandbox/index.js';
import { PayHttpClient } from '../../transport/pay-http.js';
import { SILENT } from '../ports.js';
import { Problem } from '../problem.js';
import { apiV3KeyBytes, privateKeyFromPem, publicKeyFromPem } from './pay-crypto.js';
import { PlatformCertificates } from './platform-certificates.js';
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
