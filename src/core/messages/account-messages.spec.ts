import { AccountMessages } from './account-messages.js';
import type { AccountTokens } from '../credentials/account-tokens.js';
import { MessageReplyError } from './message-errors.js';
import type { MessageReply } from './passive-reply.js';
import type { CallContext, Query, Transport } from '../ports.js';
import { WechatApiError } from '../wechat-api.error.js';

const APP_ID = 'wxmessages0001';
const OPENID = 'oUser-0123456789abcdef';

interface Post {
  endpoint: string;
  body: unknown;
  query?: Query;
  context?: CallContext;
}

/** A transport that records each post and answers with `answer` (WeChat's `{ errcode: 0 }` by default). */
function world(answer: (post: Post) => Promise<object> = async () => ({ errcode: 0, errmsg: 'ok' })) {
  const posts: Post[] = [];
  const transport = {
    post: async (endpoint: string, body: unknown, query?: Query, context?: CallContext) => {
      const post = { endpoint, body, query, context };
      posts.push(post);
      return answer(post);
    },
  } as unknown as Transport;
  let tokenCalls = 0;
  // withAccessToken hands the current token to the call (its retry on a rejected token is account-tokens.spec's)
  const tokens = {
    withAccessToken: async <T>(call: (token: string) => Promise<T>): Promise<T> => {
      tokenCalls++;
      return call('ACCESS_TOKEN_1');
    },
  } as unknown as AccountTokens;
  const messages = new AccountMessages(APP_ID, tokens, transport);
  return { messages, posts, tokenCalls: () => tokenCalls };
}

describe('AccountMessages.send', () => {
  it('posts the customer-service body to cgi-bin/message/custom/send with the access_token, for its account, never repeated after an unknown outcome', async () => {
    const { messages, posts, tokenCalls } = world();
    await expect(messages.send(OPENID, { type: 'text', content: 'late, but here' })).resolves.toBeUndefined();
    expect(messages.appId).toBe(APP_ID);
    expect(tokenCalls()).toBe(1);
    expect(posts).toEqual([
      {
        endpoint: 'cgi-bin/message/custom/send',
        body: { touser: OPENID, msgtype: 'text', text: { content: 'late, but here' } },
        query: { access_token: 'ACCESS_TOKEN_1' },
        context: { appId: APP_ID, repeatable: false },
      },
    ]);
  });

  it('checks the reply first: unknown fields are dropped', async () => {
    const { messages, posts } = world();
    const reply = { type: 'image', mediaId: 'MEDIA', extra: 'dropped' } as MessageReply;
    await messages.send(OPENID, reply);
    expect(posts[0]!.body).toStrictEqual({ touser: OPENID, msgtype: 'image', image: { media_id: 'MEDIA' } });
  });

  it('refuses an invalid reply before asking for a token or calling WeChat', async () => {
    const { messages, posts, tokenCalls } = world();
    const sent = messages.send(OPENID, { type: 'text', content: '' });
    await expect(sent).rejects.toBeInstanceOf(MessageReplyError);
    await expect(sent).rejects.toMatchObject({ statusCode: 502, code: 'MESSAGE_REPLY_INVALID', field: 'reply.content' });
    expect(tokenCalls()).toBe(0);
    expect(posts).toEqual([]);
  });

  it("fails as WeChat's refusal fails (45015: outside the 48-hour window)", async () => {
    const refusal = new WechatApiError(45015, 'response out of time limit', 'cgi-bin/message/custom/send');
    const { messages } = world(async () => Promise.reject(refusal));
    await expect(messages.send(OPENID, { type: 'voice', mediaId: 'M' })).rejects.toBe(refusal);
  });

  it('settles only once WeChat has answered', async () => {
    let answered!: () => void;
    const { messages, posts } = world(() => new Promise((resolve) => (answered = () => resolve({ errcode: 0 }))));
    let settled = false;
    const sent = messages.send(OPENID, { type: 'text', content: 'x' }).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(posts).toHaveLength(1);
    expect(settled).toBe(false);
    answered();
    await sent;
    expect(settled).toBe(true);
  });
});
