import { createPrivateKey, createPublicKey } from 'node:crypto';
import { checkMerchantAuthorization, parseAuthorizationHeader, wechatPayUrl } from './authorization.js';
import { sha256RsaBase64 } from './merchant-client.spec.helper.js';
import { WECHATPAY_VECTORS as V } from '../../../test/support/pay-vectors.js';

// V8's Authorization example, signed with V1's key: the sandbox plays WeChat Pay for a merchant holding that key
const A = V.v8.authorization;
const merchant = {
  mchId: '1900009191',
  certSerial: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
  publicKey: createPublicKey(V.v1.privateKey),
};
const NOW = Number(A.timestamp);
const header = (items: Record<string, string>, order = Object.keys(items)) =>
  'WECHATPAY2-SHA256-RSA2048 ' + order.map((k) => `${k}="${items[k]}"`).join(',');
const ITEMS = {
  mchid: merchant.mchId,
  nonce_str: A.nonce,
  timestamp: A.timestamp,
  serial_no: merchant.certSerial,
  signature: A.signature,
};
const request = (authorization: string, extra: Partial<{ method: string; url: string; body: string }> = {}) => ({
  method: A.method,
  url: A.url,
  body: '',
  authorization,
  ...extra,
});
const issueOf = (failure: ReturnType<typeof checkMerchantAuthorization>) =>
  (failure?.body.detail as { detail: { issue: string } }).detail.issue;

describe('the Authorization check of /v3 requests', () => {
  it('accepts V8’s example signature (wechatpay-go key) at its timestamp', () => {
    expect(checkMerchantAuthorization(request(header(ITEMS)), merchant, NOW)).toBeUndefined();
  });

  it('takes the five items in any order', () => {
    const orders = [
      ['signature', 'serial_no', 'timestamp', 'nonce_str', 'mchid'],
      ['mchid', 'serial_no', 'timestamp', 'nonce_str', 'signature'],
    ];
    for (const order of orders) expect(checkMerchantAuthorization(request(header(ITEMS, order)), merchant, NOW)).toBeUndefined();
  });

  it('allows 5 minutes of skew either way, not a second more', () => {
    for (const now of [NOW - 300, NOW + 300])
      expect(checkMerchantAuthorization(request(header(ITEMS)), merchant, now)).toBeUndefined();
    for (const now of [NOW - 301, NOW + 301]) {
      const failure = checkMerchantAuthorization(request(header(ITEMS)), merchant, now);
      expect(failure?.status).toBe(401);
      expect(issueOf(failure)).toBe('timestamp expired');
    }
  });

  it('refuses a malformed header, a missing or repeated item, another scheme', () => {
    const bad = [
      undefined,
      '',
      header(ITEMS).replace('WECHATPAY2-SHA256-RSA2048', 'WECHATPAY2-SHA256-RSA'),
      header({ ...ITEMS, extra: 'x' }),
      header(ITEMS, ['mchid', 'nonce_str', 'timestamp', 'serial_no']),
      header(ITEMS, ['mchid', 'mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature']),
      `WECHATPAY2-SHA256-RSA2048 mchid=${merchant.mchId},nonce_str="${A.nonce}"`,
    ];
    for (const h of bad) expect(parseAuthorizationHeader(h)).toBeUndefined();
    expect(issueOf(checkMerchantAuthorization(request(bad[3]!), merchant, NOW))).toBe('authorization format error');
  });

  it('refuses another merchant, another certificate serial, another body or path', () => {
    expect(issueOf(checkMerchantAuthorization(request(header({ ...ITEMS, mchid: '1900000001' })), merchant, NOW))).toBe(
      'mchid not match',
    );
    expect(issueOf(checkMerchantAuthorization(request(header({ ...ITEMS, serial_no: 'ABCDEF' })), merchant, NOW))).toBe(
      'serial_no not match',
    );
    expect(issueOf(checkMerchantAuthorization(request(header(ITEMS), { body: '{}' }), merchant, NOW))).toBe('sign not match');
    expect(issueOf(checkMerchantAuthorization(request(header(ITEMS), { url: '/v3/certificates?x=1' }), merchant, NOW))).toBe(
      'sign not match',
    );
    // the serial is hex: its case does not matter
    expect(
      checkMerchantAuthorization(request(header({ ...ITEMS, serial_no: merchant.certSerial.toLowerCase() })), merchant, NOW),
    ).toBeUndefined();
  });

  it('answers SIGN_ERROR like WeChat Pay, echoing the signing string with the body cut to 8 characters', () => {
    const body = '{"mchid":"1900009191","appid":"wx8888888888888888","secret":"never echoed"}';
    const failure = checkMerchantAuthorization(
      request(header(ITEMS), { method: 'POST', url: '/v3/pay/transactions/jsapi', body }),
      merchant,
      NOW,
    );
    expect(failure).toEqual({
      ok: false,
      status: 401,
      body: {
        code: 'SIGN_ERROR',
        message: '签名错误，请检查后再试',
        detail: {
          detail: { issue: 'sign not match' },
          field: 'signature',
          location: 'authorization',
          sign_information: {
            method: 'POST',
            sign_message_length: Buffer.byteLength(`POST\n/v3/pay/transactions/jsapi\n${A.timestamp}\n${A.nonce}\n${body}\n`),
            truncated_sign_message: `POST\n/v3/pay/transactions/jsapi\n${A.timestamp}\n${A.nonce}\n{"mchid"\n`,
            url: '/v3/pay/transactions/jsapi',
          },
        },
      },
    });
    expect(JSON.stringify(failure)).not.toContain('never echoed');
  });

  it('under a mount prefix, verifies the path as requested or as WeChat Pay’s root sees it', () => {
    const key = createPrivateKey(V.v1.privateKey);
    const signed = (url: string) => ({
      ...ITEMS,
      signature: sha256RsaBase64(`GET\n${url}\n${A.timestamp}\n${A.nonce}\n\n`, key),
    });
    const url = '/sandbox/v3/pay/transactions/out-trade-no/T123456?mchid=1900009191';
    expect(wechatPayUrl(url)).toBe('/v3/pay/transactions/out-trade-no/T123456?mchid=1900009191');
    expect(checkMerchantAuthorization(request(header(signed(url)), { url }), merchant, NOW)).toBeUndefined();
    expect(checkMerchantAuthorization(request(header(signed(wechatPayUrl(url))), { url }), merchant, NOW)).toBeUndefined();
    expect(checkMerchantAuthorization(request(header(signed('/v3/other')), { url }), merchant, NOW)?.status).toBe(401);
  });
});
