import type { MessageCipher } from './message-cipher.js';
import { messageSignature } from './message-signature.js';
import { cdata } from './xml-cdata.js';

/** The timestamp, nonce and (for tests) the 16 random bytes of an encrypted reply. */
export interface EnvelopeOptions {
  timestamp: string;
  nonce: string;
  random?: Uint8Array;
}

const DIGITS = /^\d+$/;

/**
 * A passive reply in the safe mode: the plain reply XML encrypted, signed with msg_signature over
 * token, timestamp, nonce and Encrypt, in WeChat's `<Encrypt/><MsgSignature/><TimeStamp/><Nonce/>` envelope.
 */
export function encryptedReplyXml(cipher: MessageCipher, token: string, plainReplyXml: string, options: EnvelopeOptions): string {
  const { timestamp, nonce, random } = options;
  if (!DIGITS.test(timestamp)) throw new Error('the timestamp of an encrypted reply must be digits');
  const encrypt = random === undefined ? cipher.encrypt(plainReplyXml) : cipher.encrypt(plainReplyXml, random);
  const signature = messageSignature(token, timestamp, nonce, encrypt);
  return `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`;
}
