import { randomInt } from 'node:crypto';
import type { WechatEventListener } from '../events.js';
import type { Clock, Logger } from '../ports.js';
import { Problem } from '../problem.js';
import { WechatApiError } from '../wechat-api.error.js';
import { checkEcho, checkPushQuery, messageKey, openPushBody } from './inbound-message.js';
import type { MessageCipher } from './message-cipher.js';
import { messageLabels, type MessageOutcome } from './message-labels.js';
import type { FirstAnswer, MessageOnce } from './message-once.js';
import type { MessageFields } from './message-xml.js';
import { checkReply, type MessageReply, replyXml } from './passive-reply.js';
import { encryptedReplyXml } from './safe-envelope.js';

/** A message as WeChat pushed it: every field under the names WeChat uses, values as sent. */
export type WechatMessage = MessageFields & { ToUserName: string; FromUserName: string; CreateTime: string; MsgType: string };

/** Answers a user's message: a reply (sent back as the passive reply), or nothing. */
export interface WechatMessageHandler {
  (
    message: WechatMessage,
    context: { appId: string },
  ): MessageReply | undefined | void | Promise<MessageReply | undefined | void>;
}

/** The handler's message and reply, under its own name (`WechatMessageHandler.Message`, `.Reply`) for hosts. */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace WechatMessageHandler {
  export type Message = WechatMessage;
  export type Reply = MessageReply;
}

/** One account's message settings: the token of its server configuration, and its cipher in the safe modes. */
export interface PushKeys {
  token: string;
  cipher?: MessageCipher;
}

/** A push whose query has been checked: it may be read. */
export interface AdmittedPush {
  appId: string;
  keys: PushKeys;
  mode: 'plain' | 'aes';
  query: Record<string, unknown>;
}

/** What the route answers: a passive reply, or the word WeChat takes for "nothing to say". */
export interface PushAnswer {
  contentType: 'text/xml' | 'text/plain';
  body: string;
}

export interface MessageDeskSettings {
  keysOf(appId: string): PushKeys | undefined;
  handler?: WechatMessageHandler;
  once: MessageOnce;
  /** a reply that came too late for WeChat's request, sent as a customer-service message */
  sendLater(appId: string, openid: string, reply: MessageReply): Promise<void>;
  /** how long WeChat's request waits for the handler (WeChat itself gives up after 5 s) */
  replyTimeoutMs: number;
  /** how long a late reply is still sent */
  lateReplyLimitMs: number;
  clock: Clock;
  log: Logger;
  events: Pick<WechatEventListener, 'message'>;
}

/** WeChat waits 5 s for a passive reply: a handler gets at most 4.5 s of it, 4 s unless told. */
export const MAX_REPLY_TIMEOUT_MS = 4_500;
export const DEFAULT_REPLY_TIMEOUT_MS = 4_000;
/** A reply that misses WeChat's request is still sent as a customer-service message for 10 minutes, unless told. */
export const DEFAULT_LATE_REPLY_LIMIT_MS = 600_000;

/** What the handler came back with: a reply, nothing, or a failure (logged). */
type Handled = { reply?: MessageReply; failed?: true };
const outcomeOf = (h: Handled): MessageOutcome => (h.failed ? 'failed' : h.reply ? 'replied' : 'nothing');

const NOTHING: PushAnswer = { contentType: 'text/plain', body: 'success' };
const TIMED_OUT = Symbol('timed out');
type Late = typeof TIMED_OUT;

function within<T>(work: Promise<T>, ms: number): Promise<T | Late> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Late>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function requiredFields(fields: MessageFields): WechatMessage {
  for (const name of ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType'] as const) {
    if (typeof fields[name] !== 'string' || fields[name] === '')
      throw new Problem(400, 'MESSAGE_XML_INVALID', `the message has no ${name}`);
  }
  return fields as WechatMessage;
}

/**
 * WeChat's message push, end to end and framework-free: the url check, the signature before the
 * body, decryption, once-only handling across instances, the passive reply in time (encrypted in
 * the safe modes), and a reply that comes too late sent as a customer-service message.
 */
export class MessageDesk {
  constructor(private readonly settings: MessageDeskSettings) {}

  /** The url check of the server configuration: `echostr` when the signature matches, else 401. */
  echo(appId: string, query: Record<string, unknown>): string {
    const echo = checkEcho(query, this.keys(appId).token);
    if (echo === undefined) throw signatureRefused();
    return echo;
  }

  /** Checks a push's query before its body is read: 401 when its signature is wrong. */
  admit(appId: string, query: Record<string, unknown>): AdmittedPush {
    const keys = this.keys(appId);
    const checked = checkPushQuery(query, keys.token);
    if (!checked.ok) throw signatureRefused();
    return { appId, keys, mode: checked.mode, query };
  }

  async answer(push: AdmittedPush, body: string | Buffer): Promise<PushAnswer> {
    const { keys, mode, query } = push;
    const opened = openPushBody(body, { mode, query, token: keys.token, cipher: keys.cipher });
    const message = requiredFields(opened.message);
    const report = (outcome: MessageOutcome) => this.report(push.appId, message, outcome);
    if (!this.settings.handler) return (report('nothing'), NOTHING);
    const first = await this.handleOnce(push.appId, message, report);
    return first.reply ? this.render(push, message, first.reply) : NOTHING;
  }

  private async handleOnce(appId: string, message: WechatMessage, report: (o: MessageOutcome) => void): Promise<FirstAnswer> {
    const key = messageKey(message);
    const deadline = this.settings.clock() + this.settings.replyTimeoutMs;
    if (key !== undefined && !(await this.claim(appId, key))) {
      report('repeat');
      const waitMs = Math.max(0, deadline - this.settings.clock());
      return (await this.settings.once.waitForFirst(appId, key, waitMs).catch(() => undefined)) ?? {};
    }
    const work = this.run(appId, message);
    const early = await within(work, Math.max(0, deadline - this.settings.clock()));
    const first: FirstAnswer = early === TIMED_OUT ? { deferred: true } : early.reply ? { reply: early.reply } : {};
    if (key !== undefined) await this.settings.once.record(appId, key, first).catch(() => this.storeDown('record'));
    if (early === TIMED_OUT) this.sendLate(appId, message, work, report);
    else report(outcomeOf(early));
    return first;
  }

  private async claim(appId: string, key: string): Promise<boolean> {
    try {
      return await this.settings.once.claim(appId, key);
    } catch {
      // without the shared store a message may reach the handler twice; better than not at all
      this.storeDown('claim');
      return true;
    }
  }

  /** The handler's reply, checked; a handler that throws or answers nonsense is logged and counts as no reply. */
  private async run(appId: string, message: WechatMessage): Promise<Handled> {
    try {
      const reply = await this.settings.handler!(message, { appId });
      return { reply: reply == null ? undefined : checkReply(reply) };
    } catch (error) {
      const { msgType, event } = messageLabels(message);
      const what = error instanceof Problem ? error.message : `${(error as Error)?.name ?? 'error'}`;
      this.settings.log.error(`the message handler failed for ${appId} (${msgType}${event ? `/${event}` : ''}): ${what}`);
      return { failed: true };
    }
  }

  /** A reply past the deadline goes as a customer-service message; each deferred message gets one more outcome. */
  private sendLate(appId: string, message: WechatMessage, work: Promise<Handled>, report: (o: MessageOutcome) => void) {
    report('deferred');
    void within(work, this.settings.lateReplyLimitMs).then(async (handled) => {
      if (handled === TIMED_OUT) {
        this.settings.log.warn(`a late reply for ${appId} never came within ${this.settings.lateReplyLimitMs} ms; dropped`);
        return report('dropped');
      }
      if (!handled.reply) return report(outcomeOf(handled));
      try {
        await this.settings.sendLater(appId, message.FromUserName, handled.reply);
        report('sent_later');
      } catch (error) {
        report('send_failed');
        const why = error instanceof WechatApiError ? `errcode ${error.errcode}` : ((error as Error)?.name ?? 'error');
        // 45015 / 45047: outside the user's 48-hour window or over its message count; repeating cannot help
        this.settings.log.warn(`a late reply for ${appId} could not be sent as a customer-service message (${why})`);
      }
    });
  }

  private render(push: AdmittedPush, message: WechatMessage, reply: MessageReply): PushAnswer {
    const now = Math.floor(this.settings.clock() / 1000);
    const xml = replyXml(reply, { toUser: message.FromUserName, fromUser: message.ToUserName, createTime: now });
    if (push.mode === 'plain') return { contentType: 'text/xml', body: xml };
    const { keys } = push;
    // an encrypted push without a cipher was refused when it was opened (MESSAGE_AES_KEY_MISSING)
    const cipher = keys.cipher!;
    const nonce = String(randomInt(1e9, 1e10));
    return { contentType: 'text/xml', body: encryptedReplyXml(cipher, keys.token, xml, { timestamp: String(now), nonce }) };
  }

  private keys(appId: string): PushKeys {
    const keys = this.settings.keysOf(appId);
    if (!keys) throw new Problem(404, 'MESSAGES_NOT_CONFIGURED', `messages are not configured for ${appId}`);
    return keys;
  }

  private report(appId: string, message: WechatMessage, outcome: MessageOutcome): void {
    const { msgType, event } = messageLabels(message);
    this.settings.events.message(appId, msgType, event, outcome);
  }

  private storeDown(what: string): void {
    this.settings.log.warn(`the shared store failed to ${what} a message; repeats may reach the handler again`);
  }
}

function signatureRefused(): Problem {
  return new Problem(401, 'MESSAGE_SIGNATURE_INVALID', 'the signature does not match the message token');
}
