import Fastify, { type FastifyInstance } from 'fastify';
import { Sandbox } from '../sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT } from '../sandbox.options.js';
import { sandboxPlugin } from '../sandbox.plugin.js';
import { startMessageReceiver } from './message-service.spec.helper.js';

const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;
const OTHER = { appId: 'wx0000000000other0', appSecret: 'other-secret', messageToken: 'OtherToken' };
const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;
const HOUR = 3600 * 1000;

describe('sandbox cgi-bin/message/custom/send', () => {
  const clock = { t: Date.UTC(2025, 6, 1, 0, 0, 0) };
  const sandbox = new Sandbox({ now: () => clock.t, accounts: [SANDBOX_DEFAULT_ACCOUNT, OTHER], messageReplyWaitMs: 3000 });
  const alice = sandbox.openidOf(appId, 'alice');
  const bob = sandbox.openidOf(appId, 'html');
  let app: FastifyInstance;
  let receiver: Awaited<ReturnType<typeof startMessageReceiver>>;

  const token = async (id = appId, secret = appSecret) => {
    const res = await app.inject({ url: `/cgi-bin/token?grant_type=client_credential&appid=${id}&secret=${secret}` });
    return res.json().access_token as string;
  };
  const send = async (accessToken: string | undefined, body: unknown) => {
    const res = await app.inject({
      method: 'POST',
      url: `/cgi-bin/message/custom/send${accessToken === undefined ? '' : `?access_token=${accessToken}`}`,
      headers: { 'content-type': 'application/json' },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { errcode: number; errmsg: string };
  };
  const text = (touser: string, content = 'hello from the service') => ({ touser, msgtype: 'text', text: { content } });
  const userActs = (kind: 'text' | 'click' | 'subscribe' | 'unsubscribe', user = 'alice', id = appId) =>
    sandbox.pushMessage({ appId: id, user, kind, content: 'hi', eventKey: 'K', mode: 'plain', url: receiver.url });
  const custom = async (id = appId) => (await app.inject({ url: `/__sandbox/messages/custom/${id}` })).json().messages;

  beforeAll(async () => {
    receiver = await startMessageReceiver(() => ({ body: 'success' }));
    app = Fastify();
    await app.register(sandboxPlugin, { sandbox });
  });
  afterAll(async () => {
    await app.close();
    await receiver.close();
  });

  it('45015 before the user ever wrote; ok after a message, recorded; counted under its endpoint name', async () => {
    const before = sandbox.calls('cgi-bin/message/custom/send');
    expect(await send(await token(), text(alice))).toEqual({
      errcode: 45015,
      errmsg: expect.stringMatching(/^response out of time limit or subscription is canceled rid: /),
    });
    await userActs('text');
    expect(await send(await token(), text(alice, '你好 🐼'))).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(sandbox.calls('cgi-bin/message/custom/send')).toBe(before + 2);
    expect(sandbox.knownEndpoints()).toContain('cgi-bin/message/custom/send');
    expect((await custom()).at(-1)).toEqual({
      at: clock.t,
      touser: alice,
      user: 'alice',
      msgtype: 'text',
      body: { touser: alice, msgtype: 'text', text: { content: '你好 🐼' } },
    });
  });

  it('the 48-hour window runs from the last message or event', async () => {
    await userActs('text');
    clock.t += 48 * HOUR - 1000;
    expect((await send(await token(), text(alice))).errcode).toBe(0);
    clock.t += 1000;
    expect((await send(await token(), text(alice))).errcode).toBe(45015);
    await userActs('click');
    clock.t += 47 * HOUR;
    expect((await send(await token(), text(alice))).errcode).toBe(0);
    clock.t += 2 * HOUR;
    expect((await send(await token(), text(alice))).errcode).toBe(45015);
    await userActs('subscribe');
    expect((await send(await token(), text(alice))).errcode).toBe(0);
  });

  it('an unfollow closes the window at once; a window is per user and per account', async () => {
    await userActs('text');
    await userActs('unsubscribe');
    expect((await send(await token(), text(alice))).errcode).toBe(45015);
    await userActs('text', 'html');
    expect((await send(await token(), text(bob))).errcode).toBe(0);
    const otherOpenid = sandbox.openidOf(OTHER.appId, 'html');
    expect((await send(await token(OTHER.appId, OTHER.appSecret), text(otherOpenid))).errcode).toBe(45015);
  });

  it('access_token: 41001 missing, 40001 wrong or not the latest, 42001 expired; nothing recorded', async () => {
    await userActs('text');
    const count = (await custom()).length;
    expect((await send(undefined, text(alice))).errcode).toBe(41001);
    const wrong = await send('not-a-token', text(alice));
    expect(wrong).toEqual({ errcode: 40001, errmsg: expect.stringMatching(RID) });
    expect(wrong.errmsg).toMatch(/^invalid credential, access_token is invalid or not latest/);
    const old = await token();
    clock.t += 7201 * 1000;
    expect((await send(old, text(alice))).errcode).toBe(42001);
    expect(await custom()).toHaveLength(count);
  });

  it('40003 for an openid that is not one of the account’s users (another account’s, unknown, missing)', async () => {
    await userActs('text', 'alice', OTHER.appId);
    const t = await token();
    expect((await send(t, text(sandbox.openidOf(OTHER.appId, 'alice')))).errcode).toBe(40003);
    expect((await send(t, text('oUnknownUser000000000000000a'))).errcode).toBe(40003);
    expect((await send(t, { msgtype: 'text', text: { content: 'x' } })).errcode).toBe(40003);
  });

  it('body checks: 47001 not JSON, 44002 empty, 40008 unknown msgtype, 44004 empty text; other types recorded as sent', async () => {
    await userActs('text');
    const t = await token();
    expect((await send(t, '{nope')).errcode).toBe(47001);
    expect((await send(t, '')).errcode).toBe(44002);
    expect((await send(t, { touser: alice, msgtype: 'fax', fax: {} })).errcode).toBe(40008);
    expect((await send(t, { touser: alice, msgtype: 'image' })).errcode).toBe(47001);
    expect((await send(t, text(alice, ''))).errcode).toBe(44004);
    const bodies = [
      { touser: alice, msgtype: 'image', image: { media_id: 'MEDIA_ID' } },
      { touser: alice, msgtype: 'news', news: { articles: [{ title: 'T', url: 'https://example.com/' }] } },
      {
        touser: alice,
        msgtype: 'miniprogrampage',
        miniprogrampage: { title: 't', appid: 'wxa', pagepath: 'p', thumb_media_id: 'm' },
      },
      { touser: alice, msgtype: 'text', text: { content: 'as kf' }, customservice: { kf_account: 'test1@kftest' } },
    ];
    for (const body of bodies) expect(await send(t, body)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await custom()).slice(-4).map((m: { msgtype: string; body: unknown }) => [m.msgtype, m.body])).toEqual(
      bodies.map((b) => [b.msgtype, b]),
    );
  });

  it('takes injected faults like every simulated endpoint', async () => {
    await userActs('text');
    sandbox.injectFault('cgi-bin/message/custom/send', {
      kind: 'errcode',
      errcode: 45047,
      errmsg: 'out of response count limit',
    });
    const count = (await custom()).length;
    expect(await send(await token(), text(alice))).toEqual({
      errcode: 45047,
      errmsg: expect.stringMatching(/^out of response count limit rid: /),
    });
    expect(await custom()).toHaveLength(count);
    expect((await send(await token(), text(alice))).errcode).toBe(0);
  });
});
