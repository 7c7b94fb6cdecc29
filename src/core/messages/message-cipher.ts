import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MessageCryptoError } from './message-errors.js';

/**
 * WeChat's message encryption (安全模式): AES-256-CBC with IV = the key's first 16 bytes, PKCS#7 padding to
 * 32-byte blocks, over 16 random bytes ‖ uint32 big-endian length ‖ message ‖ appId.
 */

const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
const HEADER_BYTES = RANDOM_BYTES + 4;
const KEY_PATTERN = /^[A-Za-z0-9+/]{43}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The 32-byte AES key of a 43-character EncodingAESKey (base64 of key + '='; spare bits in the last char are ignored). */
export function decodeEncodingAesKey(encodingAesKey: string): Buffer {
  if (!KEY_PATTERN.test(encodingAesKey)) throw new Error('the EncodingAESKey must be 43 characters of A-Z, a-z, 0-9, + and /');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('the EncodingAESKey must decode to 32 bytes');
  return key;
}

/** PKCS#7 to a 32-byte block: 1..32 bytes each holding the pad length (32 when already aligned). */
function pad(data: Buffer): Buffer {
  const count = PAD_BLOCK - (data.length % PAD_BLOCK);
  return Buffer.concat([data, Buffer.alloc(count, count)]);
}

/** The data without its padding; the pad byte must be 1..32 and every pad byte must equal it. */
function unpad(data: Buffer): Buffer {
  const count = data[data.length - 1];
  if (count < 1 || count > PAD_BLOCK || count > data.length) throw new MessageCryptoError('the message padding is invalid');
  for (let i = data.length - count; i < data.length; i++) {
    if (data[i] !== count) throw new MessageCryptoError('the message padding is invalid');
  }
  return data.subarray(0, data.length - count);
}

/** Encrypts and decrypts the messages of one account (or component): its EncodingAESKey and its appId. */
export class MessageCipher {
  readonly #key: Buffer;
  readonly #appId: Buffer;

  constructor(encodingAesKey: string, appId: string) {
    this.#key = decodeEncodingAesKey(encodingAesKey);
    this.#appId = Buffer.from(appId, 'utf8');
  }

  /** The message inside a base64 Encrypt; throws MessageCryptoError unless it was encrypted with this key for this appId. */
  decrypt(encryptBase64: string): string {
    if (!BASE64_PATTERN.test(encryptBase64) || encryptBase64.length % 4 !== 0) {
      throw new MessageCryptoError('the Encrypt is not base64');
    }
    const data = Buffer.from(encryptBase64, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) {
      throw new MessageCryptoError('the ciphertext is not a non-empty multiple of 16 bytes');
    }
    const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#key.subarray(0, 16)).setAutoPadding(false);
    const content = unpad(Buffer.concat([decipher.update(data), decipher.final()]));
    if (content.length < HEADER_BYTES) throw new MessageCryptoError('the message is shorter than its header');
    const end = HEADER_BYTES + content.readUInt32BE(RANDOM_BYTES);
    if (end > content.length) throw new MessageCryptoError('the message length does not fit');
    if (!content.subarray(end).equals(this.#appId)) throw new MessageCryptoError('the message was encrypted for another appId');
    try {
      return utf8.decode(content.subarray(HEADER_BYTES, end));
    } catch {
      throw new MessageCryptoError('the message is not UTF-8');
    }
  }

  /** The base64 Encrypt of `plaintext`; `random` (16 bytes) is fixed only by tests. */
  encrypt(plaintext: string, random: Uint8Array = randomBytes(RANDOM_BYTES)): string {
    if (random.length !== RANDOM_BYTES) throw new Error('the random prefix must be 16 bytes');
    const message = Buffer.from(plaintext, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(message.length);
    const data = pad(Buffer.concat([random, length, message, this.#appId]));
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#key.subarray(0, 16)).setAutoPadding(false);
    return Buffer.concat([cipher.update(data), cipher.final()]).toString('base64');
  }
}
