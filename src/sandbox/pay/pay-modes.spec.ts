import Fastify from 'fastify';
import { createPublicKey, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Sandbox } from '../sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT } from '../sandbox.options.js';
import { sandboxPlugin } from '../sandbox.plugin.js';
import { startSandbox, type SandboxServer } from '../start-sandbox.js';
import { decryptWechatPayResource, sandboxTestMerchant, wechatPayAnswerVerifies } from './merchant-client.spec.helper.js';
import { WECHATPAY_VECTORS as V } from '../../../test/support/pay-vectors.js';

describe('sandbox WeChat Pay in certificate mode', () => {
  let server: SandboxServer;
  beforeAll(async () => {
    server = await startSandbox({ pay: { mode: 'certificate', mchId: '1230000109' } });
  });
  afterAll(() => server.close());

  it('GET /v3/certificates: the platform certificate encrypted with the APIv3 key; answers signed by it', async () => {
    const merchant = server.sandbox.pay.merchant;
    const res = await sandboxTestMerchant(server.url, merchant, Date.now)('GET', '/v3/certificates?algorithm_type=RSA');
    expect(res.status).toBe(200);
    const [entry] = res.json.data;
    expect(entry.encrypt_certificate).toMatchObject({ algorithm: 'AEAD_AES_256_GCM', associated_data: 'certificate' });
    const cert = new X509Certificate(decryptWechatPayResource(entry.encrypt_certificate, merchant.apiV3Key));
    expect(cert.serialNumber).toBe(entry.serial_no);
    expect(res.headers.get('wechatpay-serial')).toBe(entry.serial_no);
    expect(server.sandbox.pay.platformCertificate?.serialNo).toBe(entry.serial_no);
    expect(entry.effective_time).toMatch(/\+08:00$/);
    expect(wechatPayAnswerVerifies(res.headers, res.text, cert.publicKey)).toBe(true);
    // the same key pair as the public key handed out
    expect(cert.publicKey.equals(createPublicKey(merchant.publicKey))).toBe(true);
  });
});

describe('sandbox WeChat Pay with fixed keys, mounted under a prefix', () => {
  const clock = { t: Date.UTC(2025, 2, 1) };
  const sandbox = new Sandbox({
    now: () => clock.t,
    pay: {
      mchId: '1230000109',
      keys: {
        wechatPayPrivateKey: V.v1.privateKey,
        apiV3Key: V.v8.notification.apiV3Key,
        publicKeyId: 'PUB_KEY_ID_0000000000000024101100397200000006',
        certSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      },
    },
  });
  const app = Fastify();
  let base: string;
  beforeAll(async () => {
    await app.register(sandboxPlugin, { prefix: '/sandbox', sandbox });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/sandbox`;
  });
  afterAll(() => app.close());

  it('uses the keys handed in: V1 signs as WeChat Pay, so V2’s certificate verifies its answers', async () => {
    const merchant = sandbox.pay.merchant;
    expect(merchant).toMatchObject({
      mchId: '1230000109',
      apiV3Key: V.v8.notification.apiV3Key,
      publicKeyId: 'PUB_KEY_ID_0000000000000024101100397200000006',
    });
    const res = await sandboxTestMerchant(base, merchant, () => clock.t)('GET', '/v3/certificates');
    expect(res.status).toBe(404);
    expect(res.headers.get('wechatpay-serial')).toBe('PUB_KEY_ID_0000000000000024101100397200000006');
    expect(wechatPayAnswerVerifies(res.headers, res.text, new X509Certificate(V.v2Certificate).publicKey)).toBe(true);
  });

  it('verifies a path signed with the mount prefix or without it', async () => {
    const call = sandboxTestMerchant(base, sandbox.pay.merchant, () => clock.t);
    const path = `/v3/pay/transactions/out-trade-no/NONE_123?mchid=1230000109`;
    expect((await call('GET', path)).status).toBe(404);
    expect((await call('GET', path, undefined, { signedUrl: path })).status).toBe(404);
    expect((await call('GET', path, undefined, { signedUrl: `/other${path}` })).status).toBe(401);
  });

  it('refuses fixed keys that cannot be right', () => {
    expect(() => new Sandbox({ pay: { keys: { apiV3Key: 'short' } } })).toThrow(/apiV3Key/);
    expect(() => new Sandbox({ pay: { keys: { publicKeyId: 'KEY_1' } } })).toThrow(/publicKeyId/);
    expect(() => new Sandbox({ pay: { mchId: 'mch' } })).toThrow(/mchId/);
    expect(() => new Sandbox({ pay: { notifyTimeScale: -1 } })).toThrow(/notifyTimeScale/);
    expect(() => new Sandbox({ pay: { mode: 'x' as 'certificate' } })).toThrow(/mode/);
    expect(new Sandbox({ accounts: [SANDBOX_DEFAULT_ACCOUNT] }).pay.merchant.mchId).toBe('1900000109');
  });
});
