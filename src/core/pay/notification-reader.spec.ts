import { FAKE_PLATFORM_PUBLIC_KEY, FAKE_PUBLIC_KEY_ID, signNotification } from '../../../test/support/fake-pay-http.js';
import { V2_CERTIFICATE, V4, V8 } from '../../../test/support/pay-vectors.js';
import { Problem } from '../problem.js';
import { readNotification } from './notification-reader.js';
import { aesGcmEncrypt, apiV3KeyBytes, publicKeyFromPem } from './pay-crypto.js';
import { CombinedKeys } from './wechatpay-verifier.js';

const NOW = Date.UTC(2026, 11, 7, 10);
const APIV3 = apiV3KeyBytes(V4.key);
const keys = new CombinedKeys({ id: FAKE_PUBLIC_KEY_ID, key: FAKE_PLATFORM_PUBLIC_KEY });

/** A resource as WeChat Pay encrypts it: `plaintext` under the APIv3 key, or under `key` when given. */
const encrypted = (plaintext: string, key = APIV3) => ({
  original_type: 'transaction',
  algorithm: 'AEAD_AES_256_GCM',
  ciphertext: aesGcmEncrypt(plaintext, 'fdasflkja484', 'transaction', key),
  associated_data: 'transaction',
  nonce: 'fdasflkja484',
});

/** Reads `body` as it arrives, signed by the fake WeChat Pay; the Problem body when it is refused. */
function read(body: string, headers: Record<string, string | undefined> = signNotification(body, NOW)) {
  try {
    return readNotification(headers, body, keys, APIV3, NOW);
  } catch (error) {
    if (error instanceof Problem) return error.body;
    throw error;
  }
}

const notification = (fields: object) => JSON.stringify({ id: 'EV-1', event_type: 'TRANSACTION.SUCCESS', ...fields });
const fail = (statusCode: number, message: RegExp) => ({ statusCode, code: 'FAIL', message: expect.stringMatching(message) });

describe('readNotification', () => {
  it('verifies and decrypts the derived TRANSACTION.SUCCESS notification to its known resource (V8)', () => {
    const n = V8.notification;
    const certificateKeys = new CombinedKeys();
    certificateKeys.setCertificates(new Map([[n.serial, publicKeyFromPem(V2_CERTIFICATE)]]));
    const headers = {
      'wechatpay-timestamp': n.timestamp,
      'wechatpay-nonce': n.nonce,
      'wechatpay-signature': n.signature,
      'wechatpay-serial': n.serial,
    };
    expect(readNotification(headers, n.body, certificateKeys, apiV3KeyBytes(n.apiV3Key), Number(n.timestamp) * 1000)).toEqual({
      id: 'EV-2018022511223320873',
      eventType: 'TRANSACTION.SUCCESS',
      resource: JSON.parse(n.plaintext),
    });
  });

  it('refuses with 401 before reading a body whose signature does not verify', () => {
    const body = notification({ resource: encrypted('{"a":1}') });
    expect(read(body, signNotification(body + ' ', NOW))).toEqual(fail(401, /bad-signature/));
    expect(read('not json', {})).toEqual(fail(401, /missing-headers/));
  });

  it('answers 400 for an authentic body that is not JSON', () => {
    expect(read('not json')).toEqual(fail(400, /not JSON/));
  });

  // JSON null, or a body without id, event_type or an AEAD_AES_256_GCM resource, is refused, never a crash
  it('answers 400 for an authentic body without id, event_type or an AEAD_AES_256_GCM resource', () => {
    const resource = encrypted('{"a":1}');
    for (const body of [
      'null',
      '[]',
      notification({ resource: undefined }),
      notification({ resource: null }),
      notification({ id: 7, resource }),
      notification({ event_type: undefined, resource }),
      notification({ resource: { ...resource, algorithm: 'AEAD_AES_128_GCM' } }),
    ])
      expect(read(body)).toEqual(fail(400, /lacks id, event_type or an AEAD_AES_256_GCM resource/));
  });

  it('answers 400 for a resource without ciphertext or nonce', () => {
    const resource = encrypted('{"a":1}');
    expect(read(notification({ resource: { ...resource, nonce: undefined } }))).toEqual(fail(400, /lacks ciphertext or nonce/));
    expect(read(notification({ resource: { ...resource, ciphertext: 1 } }))).toEqual(fail(400, /lacks ciphertext or nonce/));
  });

  it('answers 400 for a resource that does not decrypt with the APIv3 key, or does not decrypt to JSON', () => {
    const otherKey = apiV3KeyBytes('b'.repeat(32));
    expect(read(notification({ resource: encrypted('{"a":1}', otherKey) }))).toEqual(fail(400, /does not decrypt/));
    expect(read(notification({ resource: encrypted('not json') }))).toEqual(fail(400, /does not decrypt/));
  });

  // only a JSON object is a resource: null, a number, a string or an array is refused
  it('answers 400 for a resource that decrypts to JSON other than an object', () => {
    for (const plaintext of ['null', '5', '"text"', 'true', '[]', '[{"a":1}]'])
      expect(read(notification({ resource: encrypted(plaintext) }))).toEqual(fail(400, /not a JSON object/));
  });

  it('decrypts a resource without associated data as one with an empty one', () => {
    const resource = { ...encrypted('{"a":1}'), associated_data: undefined };
    resource.ciphertext = aesGcmEncrypt('{"a":1}', resource.nonce, '', APIV3);
    expect(read(notification({ resource }))).toEqual({ id: 'EV-1', eventType: 'TRANSACTION.SUCCESS', resource: { a: 1 } });
  });
});
