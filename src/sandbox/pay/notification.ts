import { randomBytes, type KeyObject } from 'node:crypto';
import { sealAesGcm, randomAlphanumeric, signSha256Rsa } from './pay-crypto.js';

/** One event WeChat Pay tells the merchant about. */
export interface SimPayEvent {
  id: string;
  /** RFC 3339, Beijing time */
  createTime: string;
  eventType: 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS';
  summary: string;
  /** also the associated data of the encryption */
  originalType: 'transaction' | 'refund';
  /** the resource, as JSON */
  plaintext: string;
}

/** Who signs answers and notifications: WeChat Pay's key, named by `Wechatpay-Serial`. */
export interface SimWechatPaySigner {
  key: KeyObject;
  serial: string;
  /** ms clock */
  now: () => number;
}

export const NOTIFY_SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
export const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

/** The notification body: the resource encrypted with AEAD_AES_256_GCM under the APIv3 key, a fresh 12-character nonce. */
export function encryptedNotificationBody(event: SimPayEvent, apiV3Key: string, nonce = randomAlphanumeric(12)): string {
  return JSON.stringify({
    id: event.id,
    create_time: event.createTime,
    resource_type: 'encrypt-resource',
    event_type: event.eventType,
    summary: event.summary,
    resource: {
      original_type: event.originalType,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: sealAesGcm(event.plaintext, apiV3Key, nonce, event.originalType),
      associated_data: event.originalType,
      nonce,
    },
  });
}

/** `Wechatpay-*` headers over `TIMESTAMP\nNONCE\nBODY\n`, the body exactly as sent ('' for none). */
export function wechatPaySignedHeaders(
  body: string,
  signer: SimWechatPaySigner,
  nonce = randomAlphanumeric(32),
): Record<string, string> {
  const timestamp = String(Math.floor(signer.now() / 1000));
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Serial': signer.serial,
    'Wechatpay-Signature': signSha256Rsa(`${timestamp}\n${nonce}\n${body}\n`, signer.key),
  };
}

/** The deliberately wrong signature WeChat Pay sends now and then to see whether the merchant verifies. */
export function probeSignature(): string {
  return SIGNTEST_PREFIX + randomBytes(256).toString('base64');
}

/** Request-ID of an answer: upper-case hex, as WeChat Pay's look. */
export function newRequestId(): string {
  return randomBytes(24).toString('hex').toUpperCase();
}
