import Fastify, { type FastifyInstance } from 'fastify';
import { sealReply, startMessageReceiver } from './messages/message-service.spec.helper.js';
import { Sandbox } from './sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT } from './sandbox.options.js';
import { sandboxPlugin } from './sandbox.plugin.js';

const { appId, messageToken, messageAesKey, originalId } = SANDBOX_DEFAULT_ACCOUNT as Required<typeof SANDBOX_DEFAULT_ACCOUNT>;
const PLAIN_ONLY = { appId: 'wx0000000000plain0', appSecret: 'plain-secret', messageToken: 'PlainOnlyToken' };

describe('sandbox message control routes', () => {
  const sandbox = new Sandbox({ accounts: [SANDBOX_DEFAULT_ACCOUNT, PLAIN_ONLY], messageReplyWaitMs: 3000 });
  let app: FastifyInstance;
  let receiver: Awaited<ReturnType<typeof startMessageReceiver>>;
  const push = (payload: unknown) =>
    app.inject({
      method: 'POST',
      url: '/__sandbox/messages/push',
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  beforeAll(async () => {
    receiver = await startMessageReceiver((p) => ({
      body: sealReply(
        `<xml><ToUserName><![CDATA[${p.query.openid}]]></ToUserName><FromUserName><![CDATA[${originalId}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[echo]]></Content></xml>`,
        { appId, token: messageToken, encodingAesKey: messageAesKey },
      ),
    }));
    app = Fastify();
    await app.register(sandboxPlugin, { sandbox });
  });
  afterAll(async () => {
    await app.close();
    await receiver.close();
  });

  it('POST /__sandbox/messages/push pushes and answers the record, never the token or key', async () => {
    const res = await push({ kind: 'text', content: 'hello', url: receiver.url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-wechat-sandbox']).toBe('simulator');
    const { push: record } = res.json();
    expect(record).toMatchObject({
      appId,
      user: 'alice',
      kind: 'text',
      mode: 'safe',
      outcome: 'replied',
      replyForm: 'encrypted',
      reply: { MsgType: 'text', Content: 'echo' },
      attempts: [{ attempt: 1, status: 200, outcome: 'replied' }],
    });
    expect(record.msgId).toMatch(/^\d{20}$/);
    for (const secret of [messageToken, messageAesKey]) expect(res.body).not.toContain(secret);
    expect(sandbox.issuedSecrets()).toEqual(expect.arrayContaining([messageToken, messageAesKey]));
  });

  it('GET /__sandbox/messages/pushes/:appId and /custom/:appId list the records, newest last; 404 for an unknown app', async () => {
    await push({ kind: 'click', eventKey: 'MENU_1', mode: 'compatible', url: receiver.url });
    const pushes = (await app.inject({ url: `/__sandbox/messages/pushes/${appId}` })).json().pushes;
    expect(pushes.at(-1)).toMatchObject({ kind: 'click', mode: 'compatible', message: { Event: 'CLICK', EventKey: 'MENU_1' } });

    const token = (
      await app.inject({
        url: `/cgi-bin/token?grant_type=client_credential&appid=${appId}&secret=${SANDBOX_DEFAULT_ACCOUNT.appSecret}`,
      })
    ).json().access_token;
    const openid = sandbox.openidOf(appId, 'alice');
    for (const content of ['first', 'second']) {
      const sent = await app.inject({
        method: 'POST',
        url: `/cgi-bin/message/custom/send?access_token=${token}`,
        payload: JSON.stringify({ touser: openid, msgtype: 'text', text: { content } }),
      });
      expect(sent.json()).toEqual({ errcode: 0, errmsg: 'ok' });
    }
    const custom = await app.inject({ url: `/__sandbox/messages/custom/${appId}` });
    expect(custom.statusCode).toBe(200);
    expect(custom.json().messages.map((m: { body: { text: { content: string } } }) => m.body.text.content)).toEqual([
      'first',
      'second',
    ]);
    expect((await app.inject({ url: `/__sandbox/messages/custom/${PLAIN_ONLY.appId}` })).json()).toEqual({ messages: [] });
    for (const path of ['custom', 'pushes']) {
      const unknown = await app.inject({ url: `/__sandbox/messages/${path}/wxnope` });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({ error: 'unknown appId' });
    }
  });

  it('answers 400 {error} for bad input, without naming the token or key', async () => {
    const bad: Array<[unknown, RegExp]> = [
      ['not json', /JSON object/],
      [[1, 2], /JSON object/],
      [{ kind: 'text', url: receiver.url }, /content/],
      [{ kind: 'dance', url: receiver.url }, /kind must be one of/],
      [{ kind: 'subscribe' }, /url/],
      [{ kind: 'subscribe', url: receiver.url, appId: 'wxnope' }, /unknown appId/],
      [{ kind: 'subscribe', url: receiver.url, appId: 42 }, /unknown appId/],
      [{ kind: 'subscribe', url: receiver.url, user: 'mallory' }, /unknown user/],
      [{ kind: 'subscribe', url: receiver.url, mode: 'safe', appId: PLAIN_ONLY.appId }, /messageAesKey/],
      [{ kind: 'subscribe', url: receiver.url, token: messageToken }, /unknown fields: token/],
      [{ kind: 'click', eventKey: 7, url: receiver.url }, /strings/],
    ];
    const before = receiver.received.length;
    for (const [body, error] of bad) {
      const res = await push(body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatch(error);
      for (const secret of [messageToken, messageAesKey, PLAIN_ONLY.messageToken]) expect(res.body).not.toContain(secret);
    }
    expect(receiver.received).toHaveLength(before);
  });
});
