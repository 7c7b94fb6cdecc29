import { Problem } from '../problem.js';
import { aesGcmDecrypt } from './pay-crypto.js';
import { verifyWechatPay, type VerificationKeys } from './wechatpay-verifier.js';

/** A notification after its signature was verified and its resource decrypted. */
export interface PayNotification {
  id: string;
  eventType: string;
  /** the decrypted resource, parsed */
  resource: Record<string, unknown>;
}

interface NotificationBody {
  id?: unknown;
  event_type?: unknown;
  resource?: { algorithm?: unknown; ciphertext?: unknown; nonce?: unknown; associated_data?: unknown };
}

/** WeChat Pay reads the status; the body is `{code: "FAIL", message}` for any refusal. */
const fail = (status: number, message: string) => new Problem(status, 'FAIL', message);

/**
 * Verifies a notification over its raw bytes (401 when the signature, its age, its serial or a probe
 * says no) and only then decrypts its resource (400 when it does not decrypt to a JSON object).
 */
export function readNotification(
  headers: Readonly<Record<string, string | undefined>>,
  rawBody: string,
  keys: VerificationKeys,
  apiV3Key: Buffer,
  nowMs: number,
): PayNotification {
  const verdict = verifyWechatPay(
    {
      timestamp: headers['wechatpay-timestamp'],
      nonce: headers['wechatpay-nonce'],
      signature: headers['wechatpay-signature'],
      serial: headers['wechatpay-serial'],
      body: rawBody,
    },
    keys,
    nowMs,
  );
  if (!verdict.ok) throw fail(401, `the notification's signature was refused (${verdict.reason})`);
  let body: NotificationBody;
  try {
    body = JSON.parse(rawBody) as NotificationBody;
  } catch {
    throw fail(400, 'the notification is not JSON');
  }
  const r = body?.resource;
  if (typeof body?.id !== 'string' || typeof body.event_type !== 'string' || !r || r.algorithm !== 'AEAD_AES_256_GCM')
    throw fail(400, 'the notification lacks id, event_type or an AEAD_AES_256_GCM resource');
  if (typeof r.ciphertext !== 'string' || typeof r.nonce !== 'string')
    throw fail(400, 'the notification resource lacks ciphertext or nonce');
  const aad = typeof r.associated_data === 'string' ? r.associated_data : '';
  let resource: unknown;
  try {
    resource = JSON.parse(aesGcmDecrypt(r.ciphertext, r.nonce, aad, apiV3Key));
  } catch {
    throw fail(400, 'the notification resource does not decrypt with the APIv3 key');
  }
  if (!resource || typeof resource !== 'object' || Array.isArray(resource))
    throw fail(400, 'the notification resource is not a JSON object');
  return { id: body.id, eventType: body.event_type, resource: resource as Record<string, unknown> };
}
