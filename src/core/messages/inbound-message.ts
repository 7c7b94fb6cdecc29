import type { MessageCipher } from './message-cipher.js';
import { MessageAesKeyMissingError, MessageSignatureError, MessageXmlError } from './message-errors.js';
import { messageSignature, signatureMatches, urlSignature } from './message-signature.js';
import { readMessageXml } from './message-xml.js';
import type { MessageFields } from './message-xml.js';

/** 'plain' for the clear-text mode, 'aes' for the safe and compatible modes (`encrypt_type=aes`). */
export type PushMode = 'plain' | 'aes';

export type PushQueryCheck = { ok: true; mode: PushMode; timestamp: string; nonce: string } | { ok: false };

export interface PushBodyOptions {
  mode: PushMode;
  query: Record<string, unknown>;
  token: string;
  cipher?: MessageCipher;
}

export interface OpenedPush {
  message: MessageFields;
  encrypted: boolean;
}

/** Whether the query carries string `signature`, `timestamp` and `nonce` and the signature is theirs with the token. */
function urlSigned(
  query: Record<string, unknown>,
  token: string,
): query is Record<string, unknown> & { timestamp: string; nonce: string } {
  const { signature, timestamp, nonce } = query;
  if (typeof timestamp !== 'string' || typeof nonce !== 'string') return false;
  return signatureMatches(urlSignature(token, timestamp, nonce), signature);
}

/**
 * The first step of a push, before the body is read: the URL signature must match; `encrypt_type=aes`
 * means an encrypted body and then a `msg_signature` string is required.
 */
export function checkPushQuery(query: Record<string, unknown>, token: string): PushQueryCheck {
  if (!urlSigned(query, token)) return { ok: false };
  const mode: PushMode = query.encrypt_type === 'aes' ? 'aes' : 'plain';
  if (mode === 'aes' && typeof query.msg_signature !== 'string') return { ok: false };
  return { ok: true, mode, timestamp: query.timestamp, nonce: query.nonce };
}

/** The GET check of the server URL: the `echostr` to answer when the signature matches, else undefined. */
export function checkEcho(query: Record<string, unknown>, token: string): string | undefined {
  const { echostr } = query;
  return typeof echostr === 'string' && urlSigned(query, token) ? echostr : undefined;
}

/** The decrypted message of an encrypted body; the msg_signature over its Encrypt is checked first. */
function openEncrypted(outer: MessageFields, options: PushBodyOptions): MessageFields {
  const { query, token, cipher } = options;
  const { Encrypt: encrypt } = outer;
  if (typeof encrypt !== 'string' || encrypt === '') throw new MessageXmlError('the encrypted message has no Encrypt');
  const { timestamp, nonce, msg_signature: given } = query;
  if (typeof timestamp !== 'string' || typeof nonce !== 'string') throw new MessageSignatureError();
  if (!signatureMatches(messageSignature(token, timestamp, nonce, encrypt), given)) throw new MessageSignatureError();
  if (cipher === undefined) throw new MessageAesKeyMissingError();
  return readMessageXml(cipher.decrypt(encrypt));
}

/**
 * The second step: the message of a push whose query passed checkPushQuery. The size is checked before
 * parsing. In the 'aes' mode only the decrypted fields are returned: the plain fields a compatible-mode
 * body carries beside Encrypt are not covered by any signature.
 */
export function openPushBody(body: string | Buffer, options: PushBodyOptions): OpenedPush {
  const outer = readMessageXml(body);
  if (options.mode === 'plain') return { message: outer, encrypted: false };
  return { message: openEncrypted(outer, options), encrypted: true };
}

/**
 * The key a message is handled once by: its MsgId, or for an event FromUserName|CreateTime|Event;
 * undefined when the message has neither.
 */
export function messageKey(message: MessageFields): string | undefined {
  const { MsgId, FromUserName, CreateTime, Event } = message;
  if (typeof MsgId === 'string' && MsgId !== '') return MsgId;
  const parts = [FromUserName, CreateTime, Event];
  if (parts.every((part) => typeof part === 'string' && part !== '')) return parts.join('|');
  return undefined;
}
