import { Problem } from '../problem.js';

/** An encrypted message could not be opened (bad base64, padding, length or appId): 400 `MESSAGE_DECRYPT_FAILED`. */
export class MessageCryptoError extends Problem {
  constructor(reason: string) {
    super(400, 'MESSAGE_DECRYPT_FAILED', reason);
    this.name = 'MessageCryptoError';
  }
}

/** The body is not the XML WeChat sends (malformed, no `<xml>` root, a declaration): 400 `MESSAGE_XML_INVALID`. */
export class MessageXmlError extends Problem {
  constructor(reason: string) {
    super(400, 'MESSAGE_XML_INVALID', reason);
    this.name = 'MessageXmlError';
  }
}

/** The body is larger than the limit; it was not parsed: 413 `MESSAGE_TOO_LARGE`. */
export class MessageTooLargeError extends Problem {
  constructor(readonly maxBytes: number) {
    super(413, 'MESSAGE_TOO_LARGE', `the message body is larger than ${maxBytes} bytes`);
    this.name = 'MessageTooLargeError';
  }
}

/** The `msg_signature` over the Encrypt is missing or wrong: 401 `MESSAGE_SIGNATURE_INVALID`. */
export class MessageSignatureError extends Problem {
  constructor() {
    super(401, 'MESSAGE_SIGNATURE_INVALID', 'the msg_signature does not match the encrypted message');
    this.name = 'MessageSignatureError';
  }
}

/** An encrypted push reached an account without an EncodingAESKey: 400 `MESSAGE_AES_KEY_MISSING`. */
export class MessageAesKeyMissingError extends Problem {
  constructor() {
    super(400, 'MESSAGE_AES_KEY_MISSING', 'the message is encrypted but no EncodingAESKey is configured');
    this.name = 'MessageAesKeyMissingError';
  }
}

/** A handler or webhook answered a reply that cannot be sent to WeChat: 502 `MESSAGE_REPLY_INVALID`, naming the field (`reply.content`). */
export class MessageReplyError extends Problem {
  constructor(
    readonly field: string,
    rule: string,
  ) {
    super(502, 'MESSAGE_REPLY_INVALID', `${field} ${rule}`, { field });
    this.name = 'MessageReplyError';
  }
}
