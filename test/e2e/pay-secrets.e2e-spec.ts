import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { encryptedNotificationBody, wechatPaySignedHeaders } from '../../src/sandbox/pay/notification.js';
import { loggedInClient } from '../support/media-client.js';
import { PAY_ACCOUNT, PAY_ADMIN, ADMIN_BEARER } from '../support/pay-world.js';
import { freePort, type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';

/** The base64 lines of a PEM: any of them in a log would be part of a key. */
const pemLines = (pem: string) => pem.split('\n').filter((l) => l.length > 40 && !l.startsWith('-----'));

/**
 * The service as a process with its real log, paying through the simulator: nothing it logs, answers in
 * an error or shows as a metric carries the merchant key, the APIv3 key, a signing string or a paySign.
 */
describe('pay keeps its secrets', () => {
  let sandbox: SandboxServer;
  let svc: ServiceProcess;
  let wrongKeySvc: ServiceProcess;
  const prefix = uniquePrefix('paysecret');
  const seen: string[] = [];

  async function start(privateKey: string): Promise<ServiceProcess> {
    const m = sandbox.sandbox.pay.merchant;
    const port = await freePort();
    return startServiceProcess({
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      HOST: '127.0.0.1',
      PORT: String(port),
      WECHAT_SANDBOX: 'false',
      WECHAT_APP_ID: PAY_ACCOUNT.appId,
      WECHAT_APP_SECRET: PAY_ACCOUNT.appSecret,
      WECHAT_API_BASE_URL: sandbox.url,
      WECHAT_OPEN_BASE_URL: sandbox.url,
      REDIS_URL,
      CACHE_KEY_PREFIX: prefix,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      SESSION_SECRET: 'pay-secrets-session-secret-0123456789',
      WECHAT_PAY_MCHID: m.mchId,
      WECHAT_PAY_PRIVATE_KEY: privateKey,
      WECHAT_PAY_CERT_SERIAL: m.certSerial,
      WECHAT_PAY_APIV3_KEY: m.apiV3Key,
      WECHAT_PAY_PUBLIC_KEY: m.publicKey,
      WECHAT_PAY_PUBLIC_KEY_ID: m.publicKeyId,
      WECHAT_PAY_BASE_URL: sandbox.url,
      PAY_ADMIN_TOKENS: PAY_ADMIN,
    });
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [PAY_ACCOUNT], pay: { notifyTimeScale: 0.001 } });
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    [svc, wrongKeySvc] = await Promise.all([start(sandbox.sandbox.pay.merchant.privateKey), start(otherKey)]);
  }, 60_000);
  afterAll(async () => {
    await svc?.stop();
    await wrongKeySvc?.stop();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  it('orders, pays, refunds, refuses forged notifications and a wrongly keyed merchant, and says none of its secrets', async () => {
    const alice = await loggedInClient(svc.url, sandbox.sandbox, 'alice');
    const created = await alice.post('/wechat/pay/orders', { description: 'secret-free coffee', amount: 100 });
    expect(created.status).toBe(201);
    const { outTradeNo, bridgeConfig } = created.json;
    sandbox.sandbox.pay.pay(outTradeNo, 'alice');
    await sandbox.sandbox.pay.idle();
    seen.push((await alice.get(`/wechat/pay/orders/${outTradeNo}`, 'application/json')).text);
    seen.push((await alice.post('/wechat/pay/refunds', { outTradeNo, amount: 1 }, ADMIN_BEARER)).text);

    const m = sandbox.sandbox.pay.merchant;
    const body = encryptedNotificationBody(
      {
        id: `EV-${randomUUID()}`,
        createTime: '2026-12-07T18:00:00+08:00',
        eventType: 'TRANSACTION.SUCCESS',
        summary: 'x',
        originalType: 'transaction',
        plaintext: '{"out_trade_no":"nope_000001"}',
      },
      m.apiV3Key,
    );
    const headers = wechatPaySignedHeaders(body, sandbox.sandbox.pay.signer);
    const forged = await fetch(`${svc.url}/wechat/pay/notify`, {
      method: 'POST',
      headers: { ...headers, 'Wechatpay-Nonce': 'changed' },
      body,
    });
    expect(forged.status).toBe(401);
    seen.push(await forged.text());

    // WeChat Pay answers SIGN_ERROR with the start of the signing string: it stops at the log's door
    const bob = await loggedInClient(wrongKeySvc.url, sandbox.sandbox, 'alice');
    const refused = await bob.post('/wechat/pay/orders', { description: 'wrong key', amount: 100 });
    expect([refused.status, refused.json.code, refused.json.payCode]).toEqual([502, 'WECHAT_PAY_ERROR', 'SIGN_ERROR']);
    seen.push(
      refused.text,
      await (await fetch(`${svc.url}/metrics`)).text(),
      await (await fetch(`${wrongKeySvc.url}/metrics`)).text(),
    );

    const told = [...seen, svc.output(), wrongKeySvc.output()].join('\n');
    expect(told).toMatch(/WeChat Pay pay\/transactions\/jsapi answered 401 SIGN_ERROR/);
    const secrets = [m.apiV3Key, bridgeConfig.paySign, ...pemLines(m.privateKey), 'truncated_sign_message'];
    for (const secret of secrets) expect(told.includes(secret)).toBe(false);
    // a signing string's lines, with its newlines raw or escaped once or twice by JSON
    expect(told).not.toMatch(/\/v3\/pay\/transactions\/jsapi(?:\\+n|\n)\d{9,}/);
  });
});
