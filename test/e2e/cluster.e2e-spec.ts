import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { postJson } from '../support/app.js';
import { type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';

const ACCOUNT = { appId: 'wx5555eeee6666ffff', appSecret: 'cluster-e2e-secret-0123456789' };
const BURST_PER_PROCESS = 100;

describe('a cluster of separate OS processes sharing one Redis', () => {
  let sandbox: SandboxServer;
  const prefix = uniquePrefix('cluster');
  const processes: ServiceProcess[] = [];
  const responses: string[] = [];

  const env = () => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    WECHAT_SANDBOX: 'false',
    WECHAT_APP_ID: ACCOUNT.appId,
    WECHAT_APP_SECRET: ACCOUNT.appSecret,
    WECHAT_API_BASE_URL: sandbox.url,
    REDIS_URL,
    CACHE_KEY_PREFIX: prefix,
  });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    processes.push(...(await Promise.all([1, 2, 3].map(() => startServiceProcess(env())))));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  it(`a cold burst of ${3 * BURST_PER_PROCESS} concurrent requests over 3 processes makes one token and one ticket fetch`, async () => {
    const page = (i: number) => `https://h5.example.com/item/${i}?from=burst`;
    const requests = processes.slice(0, 3).flatMap((p, pi) =>
      Array.from({ length: BURST_PER_PROCESS }, (_, i) =>
        postJson(`${p.url}/wechat/jssdk/config`, { url: page(pi * 1000 + i) }).then((r) => ({
          ...r,
          url: page(pi * 1000 + i),
        })),
      ),
    );
    const results = await Promise.all(requests);
    responses.push(...results.map((r) => r.text));

    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const ticket = sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!;
    for (const r of results) {
      expect(r.json.signature).toBe(expectedSignature(ticket, r.json.nonceStr, r.json.timestamp, r.url));
    }
    expect(sandbox.sandbox.calls('cgi-bin/stable_token')).toBe(1);
    expect(sandbox.sandbox.calls('cgi-bin/ticket/getticket')).toBe(1);
    expect(sandbox.sandbox.calls('cgi-bin/token')).toBe(0);
  }, 60_000);

  it('an instance started later signs from the shared values without any fetch', async () => {
    sandbox.sandbox.resetCalls();
    const late = await startServiceProcess(env());
    processes.push(late);
    const r = await postJson(`${late.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/late' });
    responses.push(r.text);
    expect(r.status).toBe(200);
    expect(r.json.signature).toBe(
      expectedSignature(
        sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!,
        r.json.nonceStr,
        r.json.timestamp,
        'https://h5.example.com/late',
      ),
    );
    expect(sandbox.sandbox.calls()).toEqual({});
  }, 30_000);

  it('no log line or response contains the AppSecret, a token or a ticket', () => {
    const logs = processes.map((p) => p.output()).join('\n');
    expect(logs).toMatch(/"msg":"request"/);
    const secrets = sandbox.sandbox.issuedSecrets();
    expect(secrets).toContain(ACCOUNT.appSecret);
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    const everything = logs + responses.join('\n');
    for (const secret of secrets) expect(everything.includes(secret)).toBe(false);
  });
});
