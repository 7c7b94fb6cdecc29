import { randomInt } from 'node:crypto';
import { encryptMessage, msgSignature, pushUrlSignature } from './message-crypto.js';
import { buildXml, type XmlFieldValue } from './message-xml.js';

/** What the simulated user does: send a text or a voice, click a menu item, follow or unfollow. */
export const PUSH_KINDS = ['text', 'voice', 'click', 'subscribe', 'unsubscribe'] as const;
export type SandboxPushKind = (typeof PUSH_KINDS)[number];

/** 消息加解密方式: 明文模式, 兼容模式, 安全模式. */
export const MESSAGE_MODES = ['plain', 'compatible', 'safe'] as const;
export type SandboxMessageMode = (typeof MESSAGE_MODES)[number];

/** The message as the user's action produced it: the same for every try. */
export interface PushMessage {
  /** the account's original id (gh_…) */
  toUserName: string;
  /** the user's openid under the account */
  fromUserName: string;
  /** Unix seconds */
  createTime: number;
  kind: SandboxPushKind;
  content?: string;
  eventKey?: string;
  /** messages (text, voice) only; events have none */
  msgId?: string;
  mediaId?: string;
  mediaId16K?: string;
}

/** The fields of the push XML, in WeChat's order. */
export function pushFields(m: PushMessage): Array<[string, XmlFieldValue]> {
  const head: Array<[string, XmlFieldValue]> = [
    ['ToUserName', m.toUserName],
    ['FromUserName', m.fromUserName],
    ['CreateTime', m.createTime],
  ];
  switch (m.kind) {
    case 'text':
      return [...head, ['MsgType', 'text'], ['Content', m.content ?? ''], ['MsgId', m.msgId ?? '']];
    case 'voice':
      return [
        ...head,
        ['MsgType', 'voice'],
        ['MediaId', m.mediaId ?? ''],
        ['Format', 'amr'],
        ['MsgId', m.msgId ?? ''],
        ['MediaId16K', m.mediaId16K ?? ''],
      ];
    case 'click':
      return [...head, ['MsgType', 'event'], ['Event', 'CLICK'], ['EventKey', m.eventKey ?? '']];
    case 'subscribe':
      return [
        ...head,
        ['MsgType', 'event'],
        ['Event', 'subscribe'],
        ...(m.eventKey !== undefined ? [['EventKey', m.eventKey] as [string, string]] : []),
      ];
    case 'unsubscribe':
      return [...head, ['MsgType', 'event'], ['Event', 'unsubscribe']];
  }
}

/** The plain push XML. */
export function pushXml(m: PushMessage): string {
  return buildXml(pushFields(m));
}

/** What signs and encrypts a push: the account's message settings. */
export interface PushSecrets {
  appId: string;
  token: string;
  /** required in the compatible and safe modes */
  aesKey?: string;
}

export interface PushRequest {
  /** the url with signature, timestamp, nonce, openid (and encrypt_type, msg_signature) appended */
  url: string;
  body: string;
  /** the `Encrypt` sent, in the compatible and safe modes */
  encrypt?: string;
}

/** A nonce like WeChat's: a decimal number of up to 10 digits. */
export function pushNonce(): string {
  return String(randomInt(1, 2 ** 31 - 1));
}

/** One POST of a push: signed (and in the compatible/safe modes, encrypted) afresh with this timestamp and nonce. */
export function pushRequest(
  url: string,
  message: PushMessage,
  mode: SandboxMessageMode,
  secrets: PushSecrets,
  timestamp: string,
  nonce: string,
): PushRequest {
  const target = new URL(url);
  const query = target.searchParams;
  query.append('signature', pushUrlSignature(secrets.token, timestamp, nonce));
  query.append('timestamp', timestamp);
  query.append('nonce', nonce);
  query.append('openid', message.fromUserName);
  const fields = pushFields(message);
  if (mode === 'plain') return { url: target.toString(), body: buildXml(fields) };
  if (secrets.aesKey === undefined) throw new Error(`sandbox: the ${mode} mode needs the account's messageAesKey`);
  const encrypt = encryptMessage(buildXml(fields), secrets.aesKey, secrets.appId);
  query.append('encrypt_type', 'aes');
  query.append('msg_signature', msgSignature(secrets.token, timestamp, nonce, encrypt));
  const body =
    mode === 'safe'
      ? buildXml([
          ['ToUserName', message.toUserName],
          ['Encrypt', encrypt],
        ])
      : buildXml([...fields, ['Encrypt', encrypt]]);
  return { url: target.toString(), body, encrypt };
}
