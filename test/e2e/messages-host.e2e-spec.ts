import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { WechatAccounts } from '../../src/core/accounts/wechat-accounts.js';
import { WechatEvents } from '../../src/core/events.js';
import type { WechatMessageHandler } from '../../src/core/messages/message-desk.js';
import { MessagesModule } from '../../src/nest/messages/messages.module.js';
import { WechatModule } from '../../src/nest/wechat.module.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { pushRequest, type PushMessage } from '../../src/sandbox/messages/push-message.js';
import { PLATFORMS, type Platform } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';

const MAIN = {
  appId: 'wxmsghost00000001',
  appSecret: 'msg-host-secret-0123456789',
  messageToken: 'HostToken1',
  messageAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
};
const OTHER = { appId: 'wxmsghost00000002', appSecret: 'msg-host-secret-9876543210', messageToken: 'OtherToken2' };

/** Two host instances importing MessagesModule with a handler of their own, under a global prefix and a route prefix. */
describe.each(PLATFORMS)('a %s host with MessagesModule and its own handler', (platform: Platform) => {
  let sandbox: SandboxServer;
  const apps: INestApplication[] = [];
  const urls: string[] = [];
  const prefix = uniquePrefix('msghost');
  const seen: { appId: string; message: WechatMessageHandler.Message }[] = [];
  let release: (() => void) | undefined;

  const handler: WechatMessageHandler = async (message, { appId }) => {
    seen.push({ appId, message });
    if (message.Content === 'boom') throw new Error('the handler broke');
    if (message.Content === 'hold') await new Promise<void>((resolve) => (release = resolve));
    if (message.MsgType === 'event') return undefined;
    return { type: 'news', articles: [{ title: `re: ${String(message.Content)}`, url: 'https://h5.test/a' }] };
  };

  async function hostApp(async: boolean): Promise<string> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({ ...MAIN, accounts: [OTHER], apiBaseUrl: sandbox.url, redisUrl: REDIS_URL, keyPrefix: prefix }),
        async
          ? MessagesModule.forRootAsync({ useFactory: async () => ({ handler, replyTimeoutMs: 1500 }), routePrefix: 'wx/msg' })
          : MessagesModule.forRoot({ handler, replyTimeoutMs: 1500, routePrefix: 'wx/msg' }),
      ],
    }).compile();
    const app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    app.setGlobalPrefix('api');
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/api/wx/msg`;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [MAIN, OTHER] });
    urls.push(await hostApp(false), await hostApp(true));
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  let seq = 0;
  const text = (content: string, appId = MAIN.appId): PushMessage => ({
    toUserName: 'gh_host0000001',
    fromUserName: sandbox.sandbox.openidOf(appId, 'alice'),
    createTime: Math.floor(Date.now() / 1000),
    kind: 'text',
    content,
    msgId: `9${Date.now()}${String(++seq).padStart(6, '0')}`,
  });
  const send = (url: string, m: PushMessage, mode: 'plain' | 'safe' = 'safe', account: typeof MAIN | typeof OTHER = MAIN) => {
    const r = pushRequest(
      url,
      m,
      mode,
      { appId: account.appId, token: account.messageToken, aesKey: MAIN.messageAesKey },
      '1700000000',
      '77',
    );
    return fetch(r.url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: r.body }).then(async (res) => ({
      status: res.status,
      body: await res.text(),
    }));
  };

  it('answers a news reply in the safe mode for the default account, and the other account at /:appId in plain mode', async () => {
    const push = await sandbox.sandbox.pushMessage({
      appId: MAIN.appId,
      kind: 'text',
      content: 'hi',
      mode: 'safe',
      url: urls[0]!,
    });
    expect(push.outcome).toBe('replied');
    expect(push.reply).toMatchObject({ MsgType: 'news', ArticleCount: '1' });
    expect(JSON.stringify(push.reply)).toContain('re: hi');
    const other = await sandbox.sandbox.pushMessage({
      appId: OTHER.appId,
      kind: 'text',
      content: 'yo',
      mode: 'plain',
      url: `${urls[1]}/${OTHER.appId}`,
    });
    expect(other.outcome).toBe('replied');
    expect(seen.at(-1)).toMatchObject({ appId: OTHER.appId, message: { Content: 'yo' } });
    // the other account's token does not open the default account's url
    expect((await send(urls[0]!, text('wrong door', OTHER.appId), 'plain', OTHER)).status).toBe(401);
  });

  it('lets a repeat on the other instance wait for the first handling, which runs once', async () => {
    const m = text('hold');
    const before = seen.length;
    const first = send(urls[0]!, m);
    expect(await eventually(async () => release !== undefined, 2000)).toBe(true);
    // the repeat reaches the other instance while the first still runs, and waits on the shared store
    const repeatArrived = new Promise<void>((resolve) => {
      const stop = apps[1]!.get(WechatEvents).subscribe({
        message: (_appId, _type, _event, outcome) => outcome === 'repeat' && (stop(), resolve()),
      });
    });
    const repeat = send(urls[1]!, m);
    await repeatArrived;
    release!();
    release = undefined;
    const [a, b] = await Promise.all([first, repeat]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toContain('<Encrypt>');
    expect(b.body).toContain('<Encrypt>');
    expect(seen.slice(before).filter((s) => s.message.MsgId === m.msgId)).toHaveLength(1);
  });

  it('answers `success` when the handler throws, and sends customer-service messages through accounts.get(appId).messages', async () => {
    const broke = await send(urls[0]!, text('boom'));
    expect(broke).toEqual({ status: 200, body: 'success' });
    const openid = sandbox.sandbox.openidOf(MAIN.appId, 'alice');
    await apps[1]!.get(WechatAccounts).get(MAIN.appId).messages.send(openid, { type: 'text', content: 'a note from the host' });
    const sent = sandbox.sandbox.messages.customMessages(MAIN.appId).at(-1);
    expect(sent).toMatchObject({ touser: openid, msgtype: 'text', body: { text: { content: 'a note from the host' } } });
  });
});
