import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's message crypto (安全模式 / 兼容模式), the sandbox's own implementation: AES-256-CBC with the key
 * base64decode(EncodingAESKey + '='), IV = its first 16 bytes, PKCS#7 padding to 32-byte blocks, over
 * 16 random bytes ‖ uint32 BE length ‖ message ‖ appId. Signatures are SHA-1 over the sorted, joined parts.
 */

const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;
const BLOCK = 32;

export class SandboxCryptoError extends Error {
  constructor(message: string) {
    super(`sandbox message crypto: ${message}`);
  }
}

export function isEncodingAesKey(value: unknown): value is string {
  return typeof value === 'string' && ENCODING_AES_KEY.test(value);
}

/** The 32-byte AES key of an EncodingAESKey (43 base64 chars; spare bits of the last char are ignored). */
export function messageAesKey(encodingAesKey: string): Buffer {
  if (!isEncodingAesKey(encodingAesKey)) throw new SandboxCryptoError('EncodingAESKey must be 43 base64 characters');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new SandboxCryptoError('EncodingAESKey does not decode to 32 bytes');
  return key;
}

/** `Encrypt` of `message` for `appId`; `random` (16 bytes) only for known-answer tests. */
export function encryptMessage(message: string, encodingAesKey: string, appId: string, random?: Buffer | string): string {
  const key = messageAesKey(encodingAesKey);
  const prefix = random === undefined ? randomBytes(16) : Buffer.from(random);
  if (prefix.length !== 16) throw new SandboxCryptoError('the random prefix must be 16 bytes');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([prefix, length, body, Buffer.from(appId, 'utf8')]);
  const padLength = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(padLength, padLength)])), cipher.final()]).toString(
    'base64',
  );
}

export interface DecryptedMessage {
  message: string;
  /** the id after the message: the appId the sender encrypted for */
  appId: string;
}

/** Opens an `Encrypt` value; throws SandboxCryptoError on a wrong key, bad padding or a bad length. */
export function decryptMessage(encrypted: string, encodingAesKey: string): DecryptedMessage {
  const key = messageAesKey(encodingAesKey);
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new SandboxCryptoError('ciphertext is not a whole number of blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain[plain.length - 1];
  if (pad < 1 || pad > BLOCK || pad > plain.length || !plain.subarray(plain.length - pad).every((b) => b === pad)) {
    throw new SandboxCryptoError('bad padding');
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) throw new SandboxCryptoError('plaintext too short');
  const length = content.readUInt32BE(16);
  if (20 + length > content.length) throw new SandboxCryptoError('message length exceeds the plaintext');
  return {
    message: content.subarray(20, 20 + length).toString('utf8'),
    appId: content.subarray(20 + length).toString('utf8'),
  };
}

function sha1OfSorted(parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''), 'utf8')
    .digest('hex');
}

/** The url's `signature`: sha1 of the sorted [token, timestamp, nonce], joined. */
export function pushUrlSignature(token: string, timestamp: string, nonce: string): string {
  return sha1OfSorted([token, timestamp, nonce]);
}

/** `msg_signature` (and a reply's `MsgSignature`): sha1 of the sorted [token, timestamp, nonce, Encrypt], joined. */
export function msgSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return sha1OfSorted([token, timestamp, nonce, encrypted]);
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
