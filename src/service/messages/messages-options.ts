import { DEFAULT_LATE_REPLY_LIMIT_MS } from '../../core/messages/message-desk.js';
import { Problem } from '../../core/problem.js';
import type { MessagesModuleOptions } from '../../nest/messages/messages.options.js';
import { PlainHttpClient } from '../../transport/plain-http.js';
import type { MessagesConfig } from '../config/message-settings.js';
import { messageWebhook } from './message-webhook.js';

/** A webhook's answer is a small JSON reply; more is not one. */
const WEBHOOK_ANSWER_LIMIT = 64 * 1024;

/** MessagesModule as the service runs it: messages go to MESSAGE_WEBHOOK_URL, or are answered `success`. */
export function messagesModuleOptions(config: MessagesConfig): MessagesModuleOptions {
  const { webhook, replyTimeoutMs } = config;
  if (!webhook) return { replyTimeoutMs };
  const http = new PlainHttpClient({
    // a late reply is still sent this long: the webhook may take as long
    timeoutMs: DEFAULT_LATE_REPLY_LIMIT_MS,
    answerLimit: WEBHOOK_ANSWER_LIMIT,
    failure: (_url, reason) => new Problem(502, 'MESSAGE_WEBHOOK_FAILED', `the message webhook could not be reached (${reason})`),
  });
  return { handler: messageWebhook({ ...webhook, http }), replyTimeoutMs, lateReplyLimitMs: DEFAULT_LATE_REPLY_LIMIT_MS };
}
