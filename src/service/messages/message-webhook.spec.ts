import { createHmac } from 'node:crypto';
import type { WechatMessage } from '../../core/messages/message-desk.js';
import { MessageReplyError } from '../../core/messages/message-errors.js';
import type { HttpAnswer, PlainHttp } from '../../core/ports.js';
import { Problem } from '../../core/problem.js';
import { messageWebhook, webhookSignature } from './message-webhook.js';

const URL = 'https://hooks.example.com/wechat/messages';
const SECRET = 'webhook-secret-0123456789';
const APP_ID = 'wxwebhook0001';
const MESSAGE: WechatMessage = {
  ToUserName: 'gh_0123456789ab',
  FromUserName: 'oUser-0123456789abcdef',
  CreateTime: '1700000000',
  MsgType: 'text',
  Content: '你好 "quoted" </xml>',
  MsgId: '24000000000000000001',
};

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A PlainHttp that records each request and answers `answer`. */
function hook(answer: Partial<HttpAnswer> | (() => Promise<HttpAnswer>)) {
  const sent: Sent[] = [];
  const http: PlainHttp = {
    send: async (method, url, headers, body) => {
      sent.push({ method, url, headers, body });
      if (typeof answer === 'function') return answer();
      return { status: 200, headers: {}, body: '', ...answer };
    },
  };
  return { handler: messageWebhook({ url: URL, secret: SECRET, http }), sent };
}

const ask = (handler: ReturnType<typeof hook>['handler']) => handler(MESSAGE, { appId: APP_ID });

async function failureOf(promise: unknown): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Problem);
    return error as Problem;
  }
  throw new Error('expected the webhook handler to fail');
}

describe('messageWebhook', () => {
  it('POSTs { appId, message } as JSON, signed with HMAC-SHA256 of the exact body', async () => {
    const { handler, sent } = hook({ status: 200, body: '' });
    await ask(handler);
    expect(sent).toHaveLength(1);
    const [{ method, url, headers, body }] = sent as [Sent];
    expect([method, url]).toEqual(['POST', URL]);
    expect(body).toBe(JSON.stringify({ appId: APP_ID, message: MESSAGE }));
    expect(JSON.parse(body!)).toEqual({ appId: APP_ID, message: MESSAGE });
    const expected = `sha256=${createHmac('sha256', SECRET).update(body!, 'utf8').digest('hex')}`;
    expect(headers).toEqual({ 'content-type': 'application/json', 'x-signature': expected });
    expect(headers['x-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('webhookSignature is what a receiver recomputes with the secret, and differs for another secret or body', () => {
    const body = '{"appId":"wx","message":{}}';
    expect(webhookSignature(SECRET, body)).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    expect(webhookSignature('another-secret-0123456', body)).not.toBe(webhookSignature(SECRET, body));
    expect(webhookSignature(SECRET, `${body} `)).not.toBe(webhookSignature(SECRET, body));
  });

  it.each([200, 201, 299])('takes the checked reply of a %i answer, unknown fields dropped', async (status) => {
    const reply = { type: 'text', content: 'hello back', extra: 'dropped' };
    const { handler } = hook({ status, body: JSON.stringify({ reply, other: 1 }) });
    await expect(ask(handler)).resolves.toStrictEqual({ type: 'text', content: 'hello back' });
  });

  it.each([
    ['an empty body', 200, ''],
    ['a blank body', 200, ' \r\n\t'],
    ['204', 204, ''],
    ['an object without reply', 200, '{}'],
    ['a null reply', 200, '{"reply":null}'],
    ['other fields only', 200, '{"ok":true}'],
  ])('takes %s for no reply', async (_what, status, body) => {
    const { handler } = hook({ status, body });
    await expect(ask(handler)).resolves.toBeUndefined();
  });

  it.each([199, 300, 302, 400, 401, 500, 503])(
    'fails with 502 MESSAGE_WEBHOOK_FAILED on HTTP %i, whatever the body',
    async (status) => {
      const { handler } = hook({ status, body: JSON.stringify({ reply: { type: 'text', content: 'ignored' } }) });
      const problem = await failureOf(ask(handler));
      expect(problem.statusCode).toBe(502);
      expect(problem.code).toBe('MESSAGE_WEBHOOK_FAILED');
      expect(problem.message).toBe(`the message webhook answered HTTP ${status}`);
    },
  );

  it.each([
    ['text', 'ok', 'answered something that is not JSON'],
    ['truncated JSON', '{"reply":', 'answered something that is not JSON'],
    ['a JSON array', '[{"reply":{"type":"text","content":"x"}}]', 'answered JSON that is not an object'],
    ['JSON null', 'null', 'answered JSON that is not an object'],
    ['a JSON string', '"reply"', 'answered JSON that is not an object'],
    ['a JSON number', '42', 'answered JSON that is not an object'],
  ])('fails with 502 on %s', async (_what, body, why) => {
    const { handler } = hook({ status: 200, body });
    const problem = await failureOf(ask(handler));
    expect(problem).toMatchObject({ statusCode: 502, code: 'MESSAGE_WEBHOOK_FAILED', message: `the message webhook ${why}` });
  });

  it.each([
    [{ type: 'text' }, 'reply.content'],
    [{ type: 'sticker', content: 'x' }, 'reply.type'],
    ['just text', 'reply'],
    [{ type: 'news', articles: [] }, 'reply.articles'],
  ])('fails with the 502 of checkReply on the invalid reply %j', async (reply, field) => {
    const { handler } = hook({ status: 200, body: JSON.stringify({ reply }) });
    const problem = await failureOf(ask(handler));
    expect(problem).toBeInstanceOf(MessageReplyError);
    expect(problem).toMatchObject({ statusCode: 502, code: 'MESSAGE_REPLY_INVALID', field });
  });

  it('fails as the transport fails when the webhook cannot be reached', async () => {
    const unreachable = new Problem(502, 'MESSAGE_WEBHOOK_FAILED', 'the message webhook could not be reached (timeout)');
    const { handler } = hook(() => Promise.reject(unreachable));
    await expect(ask(handler)).rejects.toBe(unreachable);
  });
});
