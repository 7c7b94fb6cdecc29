import { createCipheriv, createDecipheriv, randomBytes, randomInt, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const GCM_TAG_BYTES = 16;

/** Random `[0-9A-Za-z]` string, like the SDKs' nonces (32 for signatures, 12 for AES-GCM). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUM[randomInt(ALPHANUM.length)];
  return out;
}

/** Random decimal digits (ids such as transaction_id are digit strings). */
export function randomDecimal(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

export function randomHexString(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** SHA256withRSA (RSASSA-PKCS1-v1_5), base64: every signature of APIv3. */
export function signSha256Rsa(message: string | Buffer, key: KeyObject): string {
  return sign('sha256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, key).toString('base64');
}

/** False for a malformed signature too, never a throw. */
export function verifySha256Rsa(message: string | Buffer, signature: string, key: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    return verify('sha256', data, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** AEAD_AES_256_GCM as APIv3 uses it: key and nonce are ASCII strings taken as UTF-8 bytes; the tag trails the ciphertext. */
export function sealAesGcm(plaintext: string, apiV3Key: string, nonce: string, associatedData: string): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}

/** Inverse of sealAesGcm; throws when the key is not 32 bytes or the tag does not match. */
export function openAesGcm(ciphertext: string, apiV3Key: string, nonce: string, associatedData: string): string {
  const all = Buffer.from(ciphertext, 'base64');
  if (all.length < GCM_TAG_BYTES) throw new Error('ciphertext shorter than the GCM tag');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(all.subarray(all.length - GCM_TAG_BYTES));
  return Buffer.concat([decipher.update(all.subarray(0, all.length - GCM_TAG_BYTES)), decipher.final()]).toString('utf8');
}
