import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { decryptWechatPayResource } from './merchant-client.spec.helper.js';
import { encryptedNotificationBody, SIGNTEST_PREFIX, wechatPaySignedHeaders, probeSignature } from './notification.js';
import { openAesGcm, sealAesGcm, signSha256Rsa, verifySha256Rsa } from './pay-crypto.js';
import { paySignMatches } from './pay-page.js';
import { WECHATPAY_VECTORS as V } from '../../../test/support/pay-vectors.js';
import { selfSignedCertificate } from './x509.js';

const v1Key = createPrivateKey(V.v1.privateKey);
const v2PublicKey = new X509Certificate(V.v2Certificate).publicKey;
const N = V.v8.notification;

describe('pay crypto against known answers (protocol §12)', () => {
  it('signs V1 like wechatpay-go, and V1 is the key of V2’s certificate', () => {
    expect(signSha256Rsa(V.v1.message, v1Key)).toBe(V.v1.signature);
    expect(verifySha256Rsa(V.v1.message, V.v1.signature, v2PublicKey)).toBe(true);
    expect(createPublicKey(v1Key).export({ type: 'spki', format: 'pem' })).toBe(
      v2PublicKey.export({ type: 'spki', format: 'pem' }),
    );
  });

  it('verify says false, never throws, for wrong or malformed signatures', () => {
    expect(verifySha256Rsa('sourcE', V.v1.signature, v2PublicKey)).toBe(false);
    expect(verifySha256Rsa(V.v1.message, `${SIGNTEST_PREFIX}abc`, v2PublicKey)).toBe(false);
    expect(verifySha256Rsa(V.v1.message, '', v2PublicKey)).toBe(false);
  });

  it('reproduces V8’s paySign and accepts it as the merchant’s paySign', () => {
    const p = V.v8.payParams;
    expect(signSha256Rsa(`${p.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`, v1Key)).toBe(p.paySign);
    expect(paySignMatches({ ...p, signType: 'RSA' }, v2PublicKey)).toBe(true);
    expect(paySignMatches({ ...p, timeStamp: '1414561700' }, v2PublicKey)).toBe(false);
    expect(paySignMatches({ ...p, signType: 'MD5' }, v2PublicKey)).toBe(false);
  });

  it('AES-256-GCM: encrypts and decrypts V4 exactly, and refuses a wrong AAD, nonce, tag or a 16-byte key', () => {
    const { key, associatedData, nonce, plaintext, ciphertext } = V.v4;
    expect(sealAesGcm(plaintext, key, nonce, associatedData)).toBe(ciphertext);
    expect(openAesGcm(ciphertext, key, nonce, associatedData)).toBe(plaintext);
    expect(() => openAesGcm(ciphertext, key, nonce, 'bad-associatedData')).toThrow();
    expect(() => openAesGcm(ciphertext, key, 'bad-4a9R25RW', associatedData)).toThrow();
    expect(() => openAesGcm(Buffer.alloc(128).toString('base64'), key, nonce, associatedData)).toThrow();
    expect(() => openAesGcm(ciphertext, 'testMchAPIv3Key0', nonce, associatedData)).toThrow();
  });

  it('builds V8’s TRANSACTION.SUCCESS notification byte for byte, signed as V8 says', () => {
    const event = {
      id: 'EV-2018022511223320873',
      createTime: '2015-05-20T13:29:35+08:00',
      eventType: 'TRANSACTION.SUCCESS' as const,
      summary: '支付成功',
      originalType: 'transaction' as const,
      plaintext: N.plaintext,
    };
    const body = encryptedNotificationBody(event, N.apiV3Key, N.resourceNonce);
    expect(body).toBe(N.body);
    const signer = { key: v1Key, serial: N.serial, now: () => Number(N.timestamp) * 1000 };
    expect(wechatPaySignedHeaders(body, signer, N.nonce)).toEqual({
      'Wechatpay-Timestamp': N.timestamp,
      'Wechatpay-Nonce': N.nonce,
      'Wechatpay-Serial': N.serial,
      'Wechatpay-Signature': N.signature,
    });
    // and a merchant's own decryptor reads it back
    expect(decryptWechatPayResource(JSON.parse(body).resource, N.apiV3Key)).toBe(N.plaintext);
  });

  it('a probe signature starts with WECHATPAY/SIGNTEST/ and verifies under no key', () => {
    const probe = probeSignature();
    expect(probe.startsWith('WECHATPAY/SIGNTEST/')).toBe(true);
    expect(verifySha256Rsa(N.body, probe, v2PublicKey)).toBe(false);
  });
});

describe('self-signed platform certificate (certificate mode)', () => {
  it('is an X.509 that node parses: its serial, its key, its own signature, five years', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Date.UTC(2030, 0, 1);
    const cert = selfSignedCertificate(privateKey, now);
    const x509 = new X509Certificate(cert.pem);
    expect(cert.serialNo).toMatch(/^[0-9A-F]{40}$/);
    expect(x509.serialNumber).toBe(cert.serialNo);
    expect(x509.verify(publicKey)).toBe(true);
    expect(x509.publicKey.equals(publicKey)).toBe(true);
    expect(x509.subject).toContain('CN=Tenpay.com sign (sandbox)');
    expect(new Date(x509.validFrom).getTime()).toBe(now);
    expect(new Date(x509.validTo).getTime()).toBe(now + 5 * 365 * 86_400_000);
  });

  it('writes dates from 2050 as GeneralizedTime', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = selfSignedCertificate(privateKey, Date.UTC(2049, 6, 1), 365);
    expect(new Date(new X509Certificate(cert.pem).validTo).getUTCFullYear()).toBe(2050);
  });
});
