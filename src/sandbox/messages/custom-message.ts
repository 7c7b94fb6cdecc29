import type { Failure } from '../credential-state.js';
import { wechatError } from '../errors.js';

/** msgtypes cgi-bin/message/custom/send takes; each carries its content in the field of the same name. */
export const CUSTOM_MSGTYPES = [
  'text',
  'image',
  'voice',
  'video',
  'music',
  'news',
  'mpnews',
  'mpnewsarticle',
  'msgmenu',
  'wxcard',
  'miniprogrampage',
] as const;
export type SandboxCustomMsgtype = (typeof CUSTOM_MSGTYPES)[number];

/** The service window: a customer-service message may follow the user's last message or event by this long. */
export const CUSTOM_WINDOW_MS = 48 * 3600 * 1000;

/** A customer-service message the sandbox accepted. */
export interface SandboxCustomMessage {
  /** sandbox clock (ms) when it was accepted */
  at: number;
  touser: string;
  /** the test user it went to */
  user: string;
  msgtype: SandboxCustomMsgtype;
  /** the whole JSON body as sent */
  body: Record<string, unknown>;
}

export type CustomSendCheck = { ok: true; touser: string; msgtype: SandboxCustomMsgtype } | Failure;

const fail = (errcode: number, errmsg?: string): Failure => ({ ok: false, ...wechatError(errcode, errmsg) });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The shape checks of a custom/send body (token, openid and window are checked by the caller). */
export function checkCustomBody(body: Record<string, unknown>): CustomSendCheck {
  const { touser, msgtype } = body;
  if (typeof touser !== 'string' || touser === '') return fail(40003);
  if (typeof msgtype !== 'string' || !(CUSTOM_MSGTYPES as readonly string[]).includes(msgtype)) {
    return fail(40008, 'invalid message type');
  }
  const content = body[msgtype];
  if (!isObject(content)) return fail(47001);
  if (msgtype === 'text' && (typeof content.content !== 'string' || content.content === '')) return fail(44004, 'empty content');
  return { ok: true, touser, msgtype: msgtype as SandboxCustomMsgtype };
}
