import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { freePort, type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wxmsgsecret000001', appSecret: 'msg-secret-secret-0123456789' };
const TOKEN = 'SecretToken77';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

/**
 * The service as a process with its real log at debug level: a reply, a slow reply sent later, a webhook
 * that fails, a handler answering nonsense. Nothing it logs or counts names what a user wrote, the
 * openid, an Encrypt, the token or the EncodingAESKey; what it counts names the account, type and outcome.
 */
describe('messages keep what users say to themselves', () => {
  let sandbox: SandboxServer;
  let svc: ServiceProcess;
  let hook: Server;
  const prefix = uniquePrefix('msgsecret');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [{ ...ACCOUNT, messageToken: TOKEN, messageAesKey: AES_KEY }] });
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { message } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const content = String(message.Content ?? '');
        if (content.includes('fail')) return res.writeHead(500).end(`upstream trouble with ${content}`);
        if (content.includes('nonsense')) return res.end(JSON.stringify({ reply: { type: 'text' } }));
        const answer = () => res.end(JSON.stringify({ reply: { type: 'text', content: `private answer to ${content}` } }));
        if (content.includes('slow')) setTimeout(answer, 700);
        else answer();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    svc = await startServiceProcess({
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      HOST: '127.0.0.1',
      PORT: String(port),
      WECHAT_SANDBOX: 'false',
      WECHAT_APP_ID: ACCOUNT.appId,
      WECHAT_APP_SECRET: ACCOUNT.appSecret,
      WECHAT_API_BASE_URL: sandbox.url,
      WECHAT_OPEN_BASE_URL: sandbox.url,
      REDIS_URL,
      CACHE_KEY_PREFIX: prefix,
      SESSION_SECRET: 'msg-secrets-session-secret-0123456789',
      WECHAT_MESSAGE_TOKEN: TOKEN,
      WECHAT_MESSAGE_AES_KEY: AES_KEY,
      MESSAGE_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
      MESSAGE_WEBHOOK_SECRET: 'msg-secrets-webhook-0123456789',
      MESSAGE_REPLY_TIMEOUT_MS: '300',
    });
  }, 60_000);
  afterAll(async () => {
    await svc?.stop();
    hook?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  it('logs and counts the account, MsgType, Event and outcome, never the content, the openid or the Encrypt', async () => {
    const url = `${svc.url}/wechat/messages`;
    const said = ['secret-hello-4711', 'slow-secret-0815', 'fail-secret-2323', 'nonsense-secret-9999'];
    const pushes = [];
    for (const content of said)
      pushes.push(await sandbox.sandbox.pushMessage({ appId: ACCOUNT.appId, kind: 'text', content, mode: 'safe', url }));
    pushes.push(await sandbox.sandbox.pushMessage({ appId: ACCOUNT.appId, kind: 'subscribe', mode: 'compatible', url }));
    expect(pushes.map((p) => p.outcome)).toEqual(['replied', 'success', 'success', 'success', 'replied']);
    // the slow one's reply arrives as a customer-service message
    await sandbox.sandbox.messages.idle();
    const sentLater = await new Promise<boolean>((resolve) => {
      const deadline = Date.now() + 5000;
      const look = () => {
        if (sandbox.sandbox.messages.customMessages(ACCOUNT.appId).length > 0) return resolve(true);
        if (Date.now() > deadline) return resolve(false);
        setTimeout(look, 50);
      };
      look();
    });
    expect(sentLater).toBe(true);

    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    const series = (outcome: string, type = 'text', event = '') =>
      new RegExp(
        `wechat_messages_total\\{app_id="${ACCOUNT.appId}",msg_type="${type}",event="${event}",outcome="${outcome}"\\} [1-9]`,
      );
    expect(metrics).toMatch(series('replied'));
    expect(metrics).toMatch(series('deferred'));
    expect(metrics).toMatch(series('sent_later'));
    expect(metrics).toMatch(series('failed'));
    expect(metrics).toMatch(series('replied', 'event', 'subscribe'));

    const told = `${svc.output()}\n${metrics}`;
    expect(told).toMatch(/the message handler failed for wxmsgsecret000001 \(text\)/);
    const openid = sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice');
    for (const secret of [...said, openid, TOKEN, AES_KEY, 'private answer']) expect(told.includes(secret)).toBe(false);
    // no Encrypt either: no long base64 run anywhere in the log
    expect(svc.output()).not.toMatch(/[A-Za-z0-9+/]{120,}={0,2}/);
    expect(told).toContain('openid=***');
  });
});
