import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { pushRequest, type PushMessage, type SandboxMessageMode } from '../../src/sandbox/messages/push-message.js';
import { decryptMessage, msgSignature, pushUrlSignature } from '../../src/sandbox/messages/message-crypto.js';
import { parseXmlDocument } from '../../src/sandbox/messages/message-xml.js';
import { PLATFORMS, type Platform, type RunningApp, serviceEnv, startApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { uniquePrefix } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wxmsge2e000000001', appSecret: 'msg-e2e-secret-0123456789' };
const TOKEN = 'MsgE2eToken2026';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';
const REPLY_TIMEOUT_MS = 600;

interface WebhookCall {
  body: string;
  signed: boolean;
  appId: string;
  message: Record<string, unknown>;
}

/** The host's webhook, written as a user would: checks X-Signature, answers by what the user wrote. */
async function startWebhook(): Promise<{ url: string; calls: WebhookCall[]; server: Server }> {
  const calls: WebhookCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const expected = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
      const { appId, message } = JSON.parse(body);
      calls.push({ body, signed: req.headers['x-signature'] === expected, appId, message });
      const content = String(message.Content ?? '');
      const answer = () => {
        res.setHeader('content-type', 'application/json');
        if (content === 'nothing') return res.end('{}');
        res.end(JSON.stringify({ reply: { type: 'text', content: `echo: ${content || message.Event}` } }));
      };
      // "slow ..." answers after the service stopped waiting; "wait ..." takes a moment, within it
      if (content.startsWith('slow')) setTimeout(answer, REPLY_TIMEOUT_MS + 400);
      else if (content.startsWith('wait')) setTimeout(answer, 150);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, server };
}

function readXml(text: string): Record<string, any> {
  const parsed = parseXmlDocument(text);
  if (!parsed.ok) throw new Error(`not XML: ${parsed.problem}`);
  return parsed.fields;
}

describe.each(PLATFORMS)('WeChat messages through a webhook on %s', (platform: Platform) => {
  let sandbox: SandboxServer;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  const apps: RunningApp[] = [];
  let seq = 0;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [{ ...ACCOUNT, messageToken: TOKEN, messageAesKey: AES_KEY }] });
    webhook = await startWebhook();
    const prefix = uniquePrefix('msgs');
    for (let i = 0; i < 2; i++) {
      const env = serviceEnv(sandbox.url, ACCOUNT, {
        WECHAT_MESSAGE_TOKEN: TOKEN,
        WECHAT_MESSAGE_AES_KEY: AES_KEY,
        MESSAGE_WEBHOOK_URL: webhook.url,
        MESSAGE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        MESSAGE_REPLY_TIMEOUT_MS: String(REPLY_TIMEOUT_MS),
        CACHE_KEY_PREFIX: prefix,
      });
      apps.push(await startApp(env, platform));
    }
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await sandbox?.close();
    webhook?.server.close();
  });

  const openid = () => sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice');
  const message = (content: string): PushMessage => ({
    toUserName: 'gh_msge2e00001',
    fromUserName: openid(),
    createTime: Math.floor(Date.now() / 1000),
    kind: 'text',
    content,
    msgId: `${Date.now()}${String(++seq).padStart(7, '0')}`,
  });
  const signed = (app: RunningApp, m: PushMessage, mode: SandboxMessageMode) =>
    pushRequest(
      `${app.url}/wechat/messages`,
      m,
      mode,
      { appId: ACCOUNT.appId, token: TOKEN, aesKey: AES_KEY },
      String(Math.floor(Date.now() / 1000)),
      '1234567',
    );
  const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });

  it('answers the url check with echostr, and 401 when the signature is wrong', async () => {
    const [timestamp, nonce, echostr] = ['1700000000', '42', `echo${randomBytes(6).toString('hex')}`];
    const signature = pushUrlSignature(TOKEN, timestamp, nonce);
    const ok = await fetch(
      `${apps[0]!.url}/wechat/messages?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${echostr}`,
    );
    expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, 'text/plain; charset=utf-8', echostr]);
    const bad = await fetch(
      `${apps[0]!.url}/wechat/messages?signature=${signature}&timestamp=${timestamp}&nonce=43&echostr=${echostr}`,
    );
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as any).code).toBe('MESSAGE_SIGNATURE_INVALID');
  });

  it.each<SandboxMessageMode>(['plain', 'compatible', 'safe'])(
    'replies in the %s mode through the signed webhook',
    async (mode) => {
      const before = webhook.calls.length;
      const push = await sandbox.sandbox.pushMessage({
        appId: ACCOUNT.appId,
        user: 'alice',
        kind: 'text',
        content: `hello ${mode}`,
        mode,
        url: `${apps[0]!.url}/wechat/messages`,
      });
      expect(push.attempts).toHaveLength(1);
      expect(push.outcome).toBe('replied');
      expect(push.replyForm).toBe(mode === 'plain' ? 'plain' : 'encrypted');
      expect(push.reply).toMatchObject({ MsgType: 'text', Content: `echo: hello ${mode}`, ToUserName: openid() });
      const call = webhook.calls[before]!;
      expect(webhook.calls).toHaveLength(before + 1);
      expect(call.signed).toBe(true);
      expect(call.appId).toBe(ACCOUNT.appId);
      expect(call.message).toMatchObject({
        MsgType: 'text',
        Content: `hello ${mode}`,
        FromUserName: openid(),
        MsgId: push.msgId,
      });
      // only the decrypted fields reach the handler: no Encrypt
      expect(call.message).not.toHaveProperty('Encrypt');
    },
  );

  it('answers events, and `success` when the webhook has nothing to say', async () => {
    const click = await sandbox.sandbox.pushMessage({
      appId: ACCOUNT.appId,
      kind: 'click',
      eventKey: 'MENU_1',
      mode: 'safe',
      url: `${apps[1]!.url}/wechat/messages`,
    });
    expect(click.reply).toMatchObject({ Content: 'echo: CLICK' });
    const nothing = await sandbox.sandbox.pushMessage({
      appId: ACCOUNT.appId,
      kind: 'text',
      content: 'nothing',
      mode: 'safe',
      url: `${apps[1]!.url}/wechat/messages`,
    });
    expect([nothing.outcome, nothing.reply]).toEqual(['success', 'success']);
  });

  it('refuses a wrong signature or msg_signature with 401 and an XML entity with 400, never calling the webhook', async () => {
    const before = webhook.calls.length;
    const plain = signed(apps[0]!, message('forged'), 'plain');
    const wrong = await post(plain.url.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`), plain.body);
    expect(wrong.status).toBe(401);
    // the signature is judged before the body is read: a body far past the limit still gets the 401
    const unread = await post(plain.url.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`), 'x'.repeat(1 << 20));
    expect(unread.status).toBe(401);
    const safe = signed(apps[0]!, message('forged'), 'safe');
    const wrongMsg = await post(safe.url.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'0'.repeat(40)}`), safe.body);
    expect([wrongMsg.status, ((await wrongMsg.json()) as any).code]).toEqual([401, 'MESSAGE_SIGNATURE_INVALID']);

    const entity = signed(apps[0]!, message('x'), 'plain');
    const hostile = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>${entity.body.replace('<Content><![CDATA[x]]></Content>', '<Content>&e;</Content>')}`;
    const refused = await post(entity.url, hostile);
    expect([refused.status, ((await refused.json()) as any).code]).toEqual([400, 'MESSAGE_XML_INVALID']);
    const big = await post(entity.url, `<xml><Content>${'a'.repeat(70 * 1024)}</Content></xml>`);
    expect(big.status).toBe(413);
    expect(webhook.calls).toHaveLength(before);
  });

  it('hands a message repeated to two instances to the webhook once, and every repeat gets the first reply', async () => {
    const before = webhook.calls.length;
    const m = message('wait for me');
    const first = signed(apps[0]!, m, 'safe');
    const second = signed(apps[1]!, m, 'safe');
    const answers = await Promise.all([post(first.url, first.body), post(second.url, second.body)]);
    const late = signed(apps[0]!, m, 'safe');
    answers.push(await post(late.url, late.body));
    const replies = await Promise.all(answers.map(async (a) => [a.status, await a.text()] as const));
    for (const [status, text] of replies) {
      expect(status).toBe(200);
      const envelope = readXml(text);
      expect(envelope.MsgSignature).toBe(
        msgSignature(TOKEN, String(envelope.TimeStamp), String(envelope.Nonce), envelope.Encrypt),
      );
      expect(readXml(decryptMessage(envelope.Encrypt, AES_KEY).message).Content).toBe('echo: wait for me');
    }
    expect(webhook.calls.slice(before).filter((c) => c.message.MsgId === m.msgId)).toHaveLength(1);
  });

  it('answers `success` in time for a slow webhook and sends its reply as a customer-service message', async () => {
    const started = Date.now();
    const push = await sandbox.sandbox.pushMessage({
      appId: ACCOUNT.appId,
      user: 'alice',
      kind: 'text',
      content: 'slow thought',
      mode: 'safe',
      url: `${apps[0]!.url}/wechat/messages`,
    });
    expect([push.outcome, push.attempts.length]).toEqual(['success', 1]);
    expect(Date.now() - started).toBeLessThan(REPLY_TIMEOUT_MS + 400);
    const delivered = await eventually(
      async () =>
        sandbox.sandbox.messages.customMessages(ACCOUNT.appId).some((c) => JSON.stringify(c).includes('echo: slow thought')),
      5000,
    );
    expect(delivered).toBe(true);
    const sent = sandbox.sandbox.messages
      .customMessages(ACCOUNT.appId)
      .find((c) => JSON.stringify(c).includes('echo: slow thought'))!;
    expect(sent).toMatchObject({ touser: openid(), msgtype: 'text' });
  });
});
