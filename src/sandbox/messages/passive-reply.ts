import { decryptMessage, msgSignature, signaturesEqual } from './message-crypto.js';
import { parseXmlDocument, type XmlFields, type XmlValue } from './message-xml.js';
import type { SandboxMessageMode } from './push-message.js';

/** MsgTypes a passive reply may have. */
export const PASSIVE_REPLY_TYPES = ['text', 'image', 'voice', 'video', 'music', 'news', 'transfer_customer_service'] as const;

/** What the reader checks a reply against. */
export interface ReplyContext {
  mode: SandboxMessageMode;
  appId: string;
  token: string;
  aesKey?: string;
  /** the user the push came from: the reply's ToUserName */
  openid: string;
  /** the account: the reply's FromUserName */
  originalId: string;
}

export type PassiveReplyReading =
  /** `success` or an empty body: nothing to say */
  | { ok: true; kind: 'success' }
  | { ok: true; kind: 'reply'; form: 'plain' | 'encrypted'; fields: XmlFields }
  | { ok: false; problem: string };

const invalid = (problem: string): PassiveReplyReading => ({ ok: false, problem });
const isText = (v: XmlValue | undefined): v is string => typeof v === 'string';
const isObject = (v: XmlValue | undefined): v is XmlFields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the answer to a push as WeChat would: `success`/empty, a plain reply, or (compatible/safe) an encrypted one. */
export function readPassiveReply(body: string, ctx: ReplyContext): PassiveReplyReading {
  const text = body.trim();
  if (text === '' || text === 'success') return { ok: true, kind: 'success' };
  const doc = parseXmlDocument(text);
  if (!doc.ok) return invalid(doc.problem);
  if (doc.fields.Encrypt === undefined) {
    if (ctx.mode === 'safe') return invalid('the safe mode needs an encrypted reply');
    const problem = replyProblem(doc.fields, ctx);
    return problem ? invalid(problem) : { ok: true, kind: 'reply', form: 'plain', fields: doc.fields };
  }
  if (ctx.mode === 'plain' || ctx.aesKey === undefined) return invalid('an encrypted reply in the plain mode');
  const { Encrypt, MsgSignature, TimeStamp, Nonce } = doc.fields;
  if (!isText(Encrypt) || Encrypt === '') return invalid('Encrypt must be a non-empty text');
  if (!isText(MsgSignature) || !isText(TimeStamp) || !isText(Nonce)) {
    return invalid('an encrypted reply needs MsgSignature, TimeStamp and Nonce');
  }
  if (!signaturesEqual(msgSignature(ctx.token, TimeStamp, Nonce, Encrypt), MsgSignature)) {
    return invalid('MsgSignature does not match');
  }
  let opened: { message: string; appId: string };
  try {
    opened = decryptMessage(Encrypt, ctx.aesKey);
  } catch {
    return invalid("Encrypt does not decrypt with the account's EncodingAESKey");
  }
  if (opened.appId !== ctx.appId) return invalid('the reply is encrypted for another appId');
  const inner = parseXmlDocument(opened.message);
  if (!inner.ok) return invalid(`the decrypted reply: ${inner.problem}`);
  const problem = replyProblem(inner.fields, ctx);
  return problem ? invalid(problem) : { ok: true, kind: 'reply', form: 'encrypted', fields: inner.fields };
}

/** Why a decoded reply would not reach the user, or undefined. */
function replyProblem(f: XmlFields, ctx: ReplyContext): string | undefined {
  if (f.ToUserName !== ctx.openid) return "ToUserName must be the user's openid";
  if (f.FromUserName !== ctx.originalId) return "FromUserName must be the account's original id (gh_…)";
  if (!isText(f.CreateTime) || !/^\d{1,12}$/.test(f.CreateTime)) return 'CreateTime must be an integer';
  const type = f.MsgType;
  if (!isText(type) || !(PASSIVE_REPLY_TYPES as readonly string[]).includes(type)) {
    return `MsgType must be one of ${PASSIVE_REPLY_TYPES.join(', ')}`;
  }
  switch (type) {
    case 'text':
      return isText(f.Content) && f.Content !== '' ? undefined : 'a text reply needs a Content';
    case 'image':
    case 'voice':
    case 'video': {
      const element = type === 'image' ? 'Image' : type === 'voice' ? 'Voice' : 'Video';
      const media = f[element];
      return isObject(media) && isText(media.MediaId) && media.MediaId !== ''
        ? undefined
        : `a ${type} reply needs ${element}.MediaId`;
    }
    case 'music':
      return isObject(f.Music) ? undefined : 'a music reply needs a Music element';
    case 'news': {
      const items = isObject(f.Articles) ? f.Articles.item : undefined;
      if (!Array.isArray(items) || items.length < 1 || items.length > 8) return 'a news reply needs 1 to 8 Articles items';
      return f.ArticleCount === String(items.length) ? undefined : 'ArticleCount must be the number of Articles items';
    }
    default:
      return undefined;
  }
}
