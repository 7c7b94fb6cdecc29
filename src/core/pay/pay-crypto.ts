import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, createSign, createVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * The three primitives WeChat Pay APIv3 is built on: SHA256withRSA (RSASSA-PKCS1-v1_5) signatures in
 * base64, their verification, and AEAD_AES_256_GCM with the 32-byte APIv3 key.
 */

/** A merchant private key from PEM: PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`). */
export function privateKeyFromPem(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the merchant key must be an RSA private key');
  return key;
}

/** A WeChat Pay verification key from PEM: the public key (SPKI) or a platform certificate. */
export function publicKeyFromPem(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('a WeChat Pay key must be an RSA public key');
  return key;
}

/** base64 SHA256withRSA over the UTF-8 message. Deterministic for a given key and message. */
export function rsaSign(message: string, key: KeyObject): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(key, 'base64');
}

/** Whether `signature` (base64) is SHA256withRSA over `message` by `key`; false for anything malformed. */
export function rsaVerify(message: string, signature: string, key: KeyObject): boolean {
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(key, signature, 'base64');
  } catch {
    return false;
  }
}

/** The APIv3 key is 32 bytes: AES-256. A shorter key is refused rather than run as AES-128. */
export function apiV3KeyBytes(key: string): Buffer {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length !== 32) throw new Error('the APIv3 key must be exactly 32 bytes');
  return bytes;
}

const TAG_BYTES = 16;

/**
 * Decrypts an AEAD_AES_256_GCM resource: nonce and associated data are used as UTF-8 bytes, the
 * last 16 bytes of the base64 ciphertext are the tag, and the tag is checked. Throws on any failure.
 */
export function aesGcmDecrypt(ciphertextBase64: string, nonce: string, associatedData: string, apiV3Key: Buffer): string {
  const data = Buffer.from(ciphertextBase64, 'base64');
  if (data.length < TAG_BYTES) throw new Error('the ciphertext is shorter than its tag');
  const decipher = createDecipheriv('aes-256-gcm', apiV3Key, Buffer.from(nonce, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]);
  return plain.toString('utf8');
}

/** The inverse of aesGcmDecrypt (tests and tools build resources with it). */
export function aesGcmEncrypt(plaintext: string, nonce: string, associatedData: string, apiV3Key: Buffer): string {
  const cipher = createCipheriv('aes-256-gcm', apiV3Key, Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}
