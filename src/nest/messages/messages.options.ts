import {
  DEFAULT_LATE_REPLY_LIMIT_MS,
  DEFAULT_REPLY_TIMEOUT_MS,
  MAX_REPLY_TIMEOUT_MS,
  type WechatMessageHandler,
} from '../../core/messages/message-desk.js';

/** What a host passes to MessagesModule.forRoot / forRootAsync. */
export interface MessagesModuleOptions {
  /** answers each message once (repeats get its first answer); without one every push is answered `success` */
  handler?: WechatMessageHandler;
  /** how long WeChat's request waits for the handler before `success` is answered and the reply goes later, ms; default 4000 */
  replyTimeoutMs?: number;
  /** how long a late reply is still sent as a customer-service message, ms; default 600000 (10 minutes) */
  lateReplyLimitMs?: number;
}

export interface ResolvedMessagesOptions {
  handler?: WechatMessageHandler;
  replyTimeoutMs: number;
  lateReplyLimitMs: number;
}

export function resolveMessagesOptions(options: MessagesModuleOptions = {}): ResolvedMessagesOptions {
  const replyTimeoutMs = options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
  const lateReplyLimitMs = options.lateReplyLimitMs ?? DEFAULT_LATE_REPLY_LIMIT_MS;
  if (!Number.isInteger(replyTimeoutMs) || replyTimeoutMs < 0 || replyTimeoutMs > MAX_REPLY_TIMEOUT_MS)
    throw new Error(`MessagesModule: replyTimeoutMs must be an integer from 0 to ${MAX_REPLY_TIMEOUT_MS} (WeChat waits 5 s)`);
  if (!Number.isInteger(lateReplyLimitMs) || lateReplyLimitMs < 0)
    throw new Error('MessagesModule: lateReplyLimitMs must be a non-negative integer');
  if (options.handler !== undefined && typeof options.handler !== 'function')
    throw new Error('MessagesModule: handler must be a function (message, { appId }) => reply | undefined');
  return { handler: options.handler, replyTimeoutMs, lateReplyLimitMs };
}
