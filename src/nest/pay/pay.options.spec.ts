import { V1_PRIVATE_KEY, V2_CERTIFICATE } from '../../../test/support/pay-vectors.js';
import { resolvePayOptions, type PayModuleOptions } from './pay.options.js';

const OPTIONS: PayModuleOptions = {
  mchId: '1900000109',
  privateKey: V1_PRIVATE_KEY,
  certSerial: 'f5765756002fdd77',
  apiV3Key: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
  publicKey: V2_CERTIFICATE,
  publicKeyId: 'PUB_KEY_ID_0114232134912410000000000000',
  notifyUrl: 'https://h5.example.com/wechat/pay/notify',
  adminTokens: [`ops:${'s'.repeat(40)}`],
};

describe('PayModule options', () => {
  it('resolves keys once and keeps the certificate serial exactly as given (it is sent as serial_no)', () => {
    const resolved = resolvePayOptions(OPTIONS);
    expect(resolved).toMatchObject({
      mchId: '1900000109',
      certSerial: 'f5765756002fdd77',
      platformCertificates: false,
      baseUrl: 'https://api.mch.weixin.qq.com',
      timeoutMs: 10_000,
    });
    expect(resolved.privateKey.asymmetricKeyType).toBe('rsa');
    expect(resolved.publicKey?.id).toBe(OPTIONS.publicKeyId);
    expect(resolved.admins.map((a) => a.name)).toEqual(['ops']);
  });

  it.each([
    ['mchId', { mchId: 'abc' }, /mchId must be the merchant number/],
    ['privateKey', { privateKey: 'not a key' }, /privateKey must be the merchant API private key in PEM/],
    ['certSerial', { certSerial: 'xyz' }, /certSerial must be the hex serial/],
    ['apiV3Key', { apiV3Key: 'testMchAPIv3Key0' }, /apiV3Key must be exactly 32 bytes/],
    ['publicKeyId', { publicKeyId: 'KEY_1' }, /publicKeyId must be PUB_KEY_ID_/],
    ['no verification key', { publicKey: undefined, publicKeyId: undefined }, /give publicKey and publicKeyId/],
    ['notifyUrl with a query', { notifyUrl: 'https://h5.example.com/n?x=1' }, /notifyUrl must be http\(s\) without a query/],
    [
      'http notifyUrl in production',
      { notifyUrl: 'http://h5.example.com/n', production: true },
      /notifyUrl must be https in production/,
    ],
    ['a short admin secret', { adminTokens: 'ops:short' }, /adminTokens: /],
    ['timeoutMs', { timeoutMs: 5 }, /timeoutMs must be 100 to 60000/],
  ])('refuses a bad %s, naming it and never a key', (_name, change, message) => {
    let error: Error | undefined;
    try {
      resolvePayOptions({ ...OPTIONS, ...change } as PayModuleOptions);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toMatch(/a7cde1|MII|BEGIN/);
  });
});
