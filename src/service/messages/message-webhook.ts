import { createHmac } from 'node:crypto';
import type { WechatMessageHandler } from '../../core/messages/message-desk.js';
import { checkReply } from '../../core/messages/passive-reply.js';
import type { PlainHttp } from '../../core/ports.js';
import { Problem } from '../../core/problem.js';

export interface MessageWebhookSettings {
  url: string;
  /** the HMAC-SHA256 key of `X-Signature: sha256=<hex>` over the exact body */
  secret: string;
  http: PlainHttp;
}

/** The X-Signature of a webhook body: what the receiver recomputes with the shared secret. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const webhookFailed = (why: string) => new Problem(502, 'MESSAGE_WEBHOOK_FAILED', `the message webhook ${why}`);

/**
 * The standalone service's message handler: each message POSTed as JSON `{ appId, message }`,
 * signed; a 2xx answer's `reply` (if any) is the passive reply. Any other answer is a failure.
 */
export function messageWebhook({ url, secret, http }: MessageWebhookSettings): WechatMessageHandler {
  return async (message, { appId }) => {
    const body = JSON.stringify({ appId, message });
    const headers = { 'content-type': 'application/json', 'x-signature': webhookSignature(secret, body) };
    const answer = await http.send('POST', url, headers, body);
    if (answer.status < 200 || answer.status > 299) throw webhookFailed(`answered HTTP ${answer.status}`);
    if (answer.body.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw webhookFailed('answered something that is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw webhookFailed('answered JSON that is not an object');
    const reply = (parsed as { reply?: unknown }).reply;
    return reply == null ? undefined : checkReply(reply);
  };
}
