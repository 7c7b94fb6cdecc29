import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import {
  V1_PRIVATE_KEY,
  V1_SIGNATURE_OF_SOURCE,
  V2_CERTIFICATE,
  V2_NOTIFICATION,
  V4,
  V5_CERTIFICATES_BODY,
  V6_MESSAGE,
  V6_PRIVATE_KEY,
  V6_SIGNATURE,
  V8,
} from '../../../test/support/pay-vectors.js';
import { clientPayParams, paySignMessage } from './client-pay-params.js';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  apiV3KeyBytes,
  privateKeyFromPem,
  publicKeyFromPem,
  rsaSign,
  rsaVerify,
} from './pay-crypto.js';
import { authorizationHeader, requestMessage } from './request-signing.js';
import { CombinedKeys, verifyWechatPay } from './wechatpay-verifier.js';

const merchantKey = privateKeyFromPem(V1_PRIVATE_KEY);
const platformCert = publicKeyFromPem(V2_CERTIFICATE);

describe('WeChat Pay signatures against the known answers of other SDKs', () => {
  it("signs as wechatpay-go's signer test does (V1)", () => {
    expect(rsaSign('source', merchantKey)).toBe(V1_SIGNATURE_OF_SOURCE);
  });

  it('signs a GET with an empty body as wechatpy does, from a PKCS#1 key (V6)', () => {
    const message = requestMessage({
      method: 'GET',
      canonicalUrl: 'test',
      body: '',
      timestamp: 1651854037,
      nonce: '1E3A8D73B5A4AEE787C0F68B5DAB8520',
    });
    expect(message).toBe(V6_MESSAGE);
    expect(rsaSign(message, privateKeyFromPem(V6_PRIVATE_KEY))).toBe(V6_SIGNATURE);
  });

  it('builds the Authorization header over five lines, each ending in a newline (V8)', () => {
    const call = {
      method: 'GET' as const,
      canonicalUrl: '/v3/certificates',
      body: '',
      timestamp: 1554208460,
      nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
    };
    expect(requestMessage(call)).toBe(V8.authorizationMessage);
    expect(authorizationHeader(call, '1900009191', 'F5765756002FDD77', merchantKey)).toBe(
      `WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="F5765756002FDD77",signature="${V8.authorizationSignature}"`,
    );
  });

  it('signs the page pay parameters over four lines, timeStamp a string of seconds, signType unsigned (V8)', () => {
    const params = clientPayParams(
      'wx8888888888888888',
      'wx201410272009395522657a690389285100',
      1414561699_999,
      '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      merchantKey,
    );
    expect(
      paySignMessage(
        'wx8888888888888888',
        '1414561699',
        '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
        'prepay_id=wx201410272009395522657a690389285100',
      ),
    ).toBe(V8.paySignMessage);
    expect(params.bridgeConfig).toEqual({
      appId: 'wx8888888888888888',
      timeStamp: '1414561699',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
      paySign: V8.paySign,
    });
    const { appId: _appId, timeStamp, ...rest } = params.bridgeConfig;
    expect(params.sdkConfig).toEqual({ timestamp: timeStamp, ...rest });
    expect(rsaVerify(V8.paySignMessage, params.bridgeConfig.paySign, platformCert)).toBe(true);
  });
});

describe('verifying what WeChat Pay sends', () => {
  const keys = new CombinedKeys();
  keys.setCertificates(new Map([['d7ce59d1f522d701', platformCert]]));
  const v2 = V2_NOTIFICATION;
  const at = (seconds: string) => Number(seconds) * 1000;

  it("accepts wechatpay-go's notification over its raw bytes (V2)", () => {
    expect(verifyWechatPay(v2, keys, at(v2.timestamp))).toEqual({ ok: true });
  });

  it('refuses the same bytes re-serialised, a changed body, a missing header, an unknown serial', () => {
    const reserialised = JSON.stringify(JSON.parse(v2.body), null, 1);
    expect(verifyWechatPay({ ...v2, body: reserialised }, keys, at(v2.timestamp))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyWechatPay({ ...v2, body: v2.body.replace('签约成功', '签约失败') }, keys, at(v2.timestamp))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyWechatPay({ ...v2, nonce: undefined }, keys, at(v2.timestamp))).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
    expect(verifyWechatPay({ ...v2, serial: '5DEA10EF55877E3C' }, keys, at(v2.timestamp))).toEqual({
      ok: false,
      reason: 'unknown-serial',
    });
  });

  it('refuses a timestamp more than 300 s away either way, and accepts one at the edge', () => {
    const t = at(v2.timestamp);
    expect(verifyWechatPay(v2, keys, t + 300_000)).toEqual({ ok: true });
    expect(verifyWechatPay(v2, keys, t - 300_000)).toEqual({ ok: true });
    expect(verifyWechatPay(v2, keys, t + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWechatPay(v2, keys, t - 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWechatPay({ ...v2, timestamp: '1624523846.0' }, keys, t)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a signature probe even before looking at the key', () => {
    expect(verifyWechatPay({ ...v2, signature: 'WECHATPAY/SIGNTEST/' + v2.signature }, keys, at(v2.timestamp))).toEqual({
      ok: false,
      reason: 'probe',
    });
  });

  it('picks the public key by its id and the certificate by its serial during a switch-over', () => {
    const both = new CombinedKeys({ id: 'PUB_KEY_ID_0114232134912410000000000000', key: platformCert });
    const n = V8.notification;
    expect(verifyWechatPay({ ...n, serial: 'PUB_KEY_ID_0114232134912410000000000000' }, both, at(n.timestamp))).toEqual({
      ok: true,
    });
    expect(verifyWechatPay(n, both, at(n.timestamp))).toEqual({ ok: false, reason: 'unknown-serial' });
    both.setCertificates(new Map([[n.serial, platformCert]]));
    expect(verifyWechatPay(n, both, at(n.timestamp))).toEqual({ ok: true });
    expect(verifyWechatPay({ ...n, serial: 'PUB_KEY_ID_0114232134912410000000000001' }, both, at(n.timestamp))).toEqual({
      ok: false,
      reason: 'unknown-serial',
    });
  });

  it('verifies an empty 204 answer over "ts\\nnonce\\n\\n"', () => {
    const signature = rsaSign('1700000000\nabc\n\n', merchantKey);
    expect(
      verifyWechatPay(
        { timestamp: '1700000000', nonce: 'abc', signature, serial: 'D7CE59D1F522D701', body: '' },
        keys,
        1700000000_000,
      ),
    ).toEqual({ ok: true });
    expect(
      verifyWechatPay(
        { timestamp: '1700000000', nonce: 'abc', signature, serial: 'D7CE59D1F522D701', body: ' ' },
        keys,
        1700000000_000,
      ),
    ).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('AEAD_AES_256_GCM with the APIv3 key', () => {
  const key = apiV3KeyBytes(V4.key);

  it("decrypts and encrypts wechatpay-java's vector (V4)", () => {
    expect(aesGcmDecrypt(V4.ciphertext, V4.nonce, V4.associatedData, key)).toBe(V4.plaintext);
    expect(aesGcmEncrypt(V4.plaintext, V4.nonce, V4.associatedData, key)).toBe(V4.ciphertext);
  });

  it('checks the tag: a wrong associated data, nonce, key or a flipped byte is refused', () => {
    expect(() => aesGcmDecrypt(V4.ciphertext, V4.nonce, 'bad-associatedData', key)).toThrow();
    expect(() => aesGcmDecrypt(V4.ciphertext, 'bad-4a9R25RW', V4.associatedData, key)).toThrow();
    expect(() => aesGcmDecrypt(V4.ciphertext, V4.nonce, V4.associatedData, apiV3KeyBytes('b'.repeat(32)))).toThrow();
    const flipped = Buffer.from(V4.ciphertext, 'base64');
    flipped[0] ^= 1;
    expect(() => aesGcmDecrypt(flipped.toString('base64'), V4.nonce, V4.associatedData, key)).toThrow();
    expect(() => aesGcmDecrypt(Buffer.alloc(128).toString('base64'), V4.nonce, V4.associatedData, key)).toThrow();
    expect(() => aesGcmDecrypt('AAAA', V4.nonce, V4.associatedData, key)).toThrow(/shorter than its tag/);
  });

  // a ciphertext of exactly the tag's 16 bytes is the empty plaintext, not a short one
  it('decrypts a ciphertext that is only its tag to the empty text, and still checks that tag', () => {
    const empty = aesGcmEncrypt('', V4.nonce, V4.associatedData, key);
    expect(Buffer.from(empty, 'base64')).toHaveLength(16);
    expect(aesGcmDecrypt(empty, V4.nonce, V4.associatedData, key)).toBe('');
    expect(() => aesGcmDecrypt(empty, V4.nonce, 'bad-associatedData', key)).toThrow();
    expect(() => aesGcmDecrypt(Buffer.alloc(15).toString('base64'), V4.nonce, V4.associatedData, key)).toThrow(
      /shorter than its tag/,
    );
  });

  it("refuses wechatpay-go's 16-byte key rather than running AES-128 (V2)", () => {
    expect(() => apiV3KeyBytes(V2_NOTIFICATION.apiV3Key)).toThrow(/32 bytes/);
  });

  it('decrypts the derived TRANSACTION.SUCCESS notification after verifying it (V8)', () => {
    const n = V8.notification;
    const keys = new CombinedKeys();
    keys.setCertificates(new Map([[n.serial, platformCert]]));
    expect(verifyWechatPay(n, keys, Number(n.timestamp) * 1000)).toEqual({ ok: true });
    const { resource } = JSON.parse(n.body);
    expect(aesGcmDecrypt(resource.ciphertext, resource.nonce, resource.associated_data, apiV3KeyBytes(n.apiV3Key))).toBe(
      n.plaintext,
    );
  });

  it("decrypts wechatpay-java's certificate download to the certificate it names (V5)", () => {
    const [entry] = JSON.parse(V5_CERTIFICATES_BODY).data;
    const c = entry.encrypt_certificate;
    const pem = aesGcmDecrypt(c.ciphertext, c.nonce, c.associated_data, key);
    expect(new X509Certificate(pem).serialNumber).toBe(entry.serial_no);
    expect(publicKeyFromPem(pem).asymmetricKeyType).toBe('rsa');
  });
});

describe('the keys WeChat Pay APIv3 accepts', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('reads RSA keys only: an EC merchant key or an EC WeChat Pay key is refused', () => {
    expect(privateKeyFromPem(V1_PRIVATE_KEY).asymmetricKeyType).toBe('rsa');
    expect(() => privateKeyFromPem(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(
      /must be an RSA private key/,
    );
    expect(() => publicKeyFromPem(ec.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow(
      /must be an RSA public key/,
    );
  });

  it('answers false, not an exception, for a signature checked against a key SHA256withRSA cannot use', () => {
    const ed25519 = generateKeyPairSync('ed25519').publicKey;
    expect(rsaVerify('source', V1_SIGNATURE_OF_SOURCE, ed25519)).toBe(false);
    expect(rsaVerify('source', V1_SIGNATURE_OF_SOURCE, platformCert)).toBe(true);
  });
});
