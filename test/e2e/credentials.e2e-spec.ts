import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { postJson, type RunningApp, serviceEnv, startApp, PLATFORMS } from '../support/app.js';
import { deleteKeys, uniquePrefix } from '../support/redis-keys.js';
import { eventually } from '../support/eventually.js';
import { expectedSignature } from '../support/signature-check.js';

const ACCOUNT = { appId: 'wx3333cccc4444dddd', appSecret: 'credentials-e2e-secret-0123' };
const PAGE = 'https://h5.example.com/index.html';
const TOKEN = 'cgi-bin/token';
const STABLE = 'cgi-bin/stable_token';
const TICKET = 'cgi-bin/ticket/getticket';

describe.each(PLATFORMS)('credential handling against WeChat faults (sandbox over HTTP, real Redis), on %s', (platform) => {
  let sandbox: SandboxServer;
  const prefixes: string[] = [];
  const running: RunningApp[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
    sandbox.sandbox.clearFaults();
    sandbox.sandbox.resetCalls();
  });
  afterAll(async () => {
    await sandbox?.close();
    await Promise.all(prefixes.map(deleteKeys));
  });

  async function service(extra: Record<string, string> = {}, account = ACCOUNT) {
    const prefix = uniquePrefix('cred');
    prefixes.push(prefix);
    const svc = await startApp(
      serviceEnv(sandbox.url, account, { CACHE_KEY_PREFIX: prefix, WECHAT_HTTP_TIMEOUT_MS: '500', ...extra }),
      platform,
    );
    running.push(svc);
    return svc;
  }
  const sign = (svc: RunningApp, url = PAGE) => postJson(`${svc.url}/wechat/jssdk/config`, { url });
  const calls = (endpoint: string) => sandbox.sandbox.calls(endpoint);
  const expectValid = (json: any) =>
    expect(json.signature).toBe(
      expectedSignature(sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!, json.nonceStr, json.timestamp, PAGE),
    );

  it('classic mode: 40001 on the ticket call leads to one token refresh and a valid signature', async () => {
    const svc = await service({ WECHAT_TOKEN_MODE: 'classic' });
    sandbox.sandbox.injectFault(TICKET, { kind: 'errcode', errcode: 40001 });
    const { status, json } = await sign(svc);
    expect(status).toBe(200);
    expectValid(json);
    expect([calls(TOKEN), calls(TICKET)]).toEqual([2, 2]);
  });

  it('stable mode: a token WeChat really invalidated is replaced by a normal-mode call, no force', async () => {
    const svc = await service();
    expect((await sign(svc)).status).toBe(200);
    // Someone force-refreshes the stable token: the cached one becomes invalid at once.
    await fetch(`${sandbox.url}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credential',
        appid: ACCOUNT.appId,
        secret: ACCOUNT.appSecret,
        force_refresh: true,
      }),
    });
    sandbox.sandbox.resetCalls();
    const forcesBefore = sandbox.sandbox.forceRefreshes(ACCOUNT.appId);
    const card = await postJson(`${svc.url}/wechat/jssdk/card-config`, {});
    expect(card.status).toBe(200);
    expect([calls(STABLE), calls(TICKET)]).toEqual([1, 2]);
    expect(sandbox.sandbox.forceRefreshes(ACCOUNT.appId)).toBe(forcesBefore);
  });

  it('stable mode: force_refresh only when WeChat hands back the rejected token', async () => {
    const svc = await service();
    const forcesBefore = sandbox.sandbox.forceRefreshes(ACCOUNT.appId);
    sandbox.sandbox.injectFault(TICKET, { kind: 'errcode', errcode: 42001 });
    const { status, json } = await sign(svc);
    expect(status).toBe(200);
    expectValid(json);
    expect([calls(STABLE), calls(TICKET)]).toEqual([3, 2]);
    // one force: the first fetch and the first replacement are normal-mode calls
    expect(sandbox.sandbox.forceRefreshes(ACCOUNT.appId) - forcesBefore).toBe(1);
  });

  it.each([
    ['errcode -1', { kind: 'errcode', errcode: -1 }],
    ['HTTP 500', { kind: 'http', status: 500 }],
    ['a body that is not JSON', { kind: 'garbage' }],
    ['a dropped connection', { kind: 'drop' }],
  ] as const)('retries %s and then signs', async (_label, fault) => {
    const svc = await service();
    sandbox.sandbox.injectFault(TICKET, fault, 2);
    const { status, json } = await sign(svc);
    expect(status).toBe(200);
    expectValid(json);
    expect(calls(TICKET)).toBe(3);
  });

  it('gives 503 when the transient failures outlast the retries', async () => {
    const svc = await service();
    sandbox.sandbox.injectFault(TICKET, { kind: 'errcode', errcode: -1 }, 3);
    const { status, json } = await sign(svc);
    expect(status).toBe(503);
    expect(json.code).toBe('WECHAT_UNAVAILABLE');
    expect(calls(TICKET)).toBe(3);
    // During the failure cooldown the same 503 comes back without calling WeChat again.
    expect((await sign(svc)).status).toBe(503);
    expect(calls(TICKET)).toBe(3);
    expect(await eventually(async () => (await sign(svc)).status === 200, 3000)).toBe(true);
  });

  it('reports 45009 as 502 with its errcode, without retrying', async () => {
    const svc = await service();
    sandbox.sandbox.injectFault(TICKET, { kind: 'errcode', errcode: 45009, errmsg: 'reach max api daily quota limit' });
    const { status, json } = await sign(svc);
    expect(status).toBe(502);
    expect(json).toMatchObject({ statusCode: 502, code: 'WECHAT_API_ERROR', errcode: 45009 });
    expect(json.message).toMatch(/quota/);
    expect(calls(TICKET)).toBe(1);
  });

  it.each(['stable', 'classic'])('%s mode: a wrong AppSecret is 502 with errcode 40125 and one call, no loop', async (mode) => {
    const svc = await service({ WECHAT_TOKEN_MODE: mode }, { ...ACCOUNT, appSecret: 'wrong-secret-value' });
    const { status, json, text } = await sign(svc);
    expect(status).toBe(502);
    expect(json.errcode).toBe(40125);
    expect(calls(mode === 'stable' ? STABLE : TOKEN)).toBe(1);
    expect(text).not.toContain('wrong-secret-value');
  });

  it('gives 503 within the timeout budget when answers are too slow', async () => {
    const svc = await service({ WECHAT_HTTP_TIMEOUT_MS: '300' });
    sandbox.sandbox.injectFault(STABLE, { kind: 'slow', delayMs: 2000 }, 3);
    const started = Date.now();
    const { status, json } = await sign(svc);
    const elapsed = Date.now() - started;
    expect(status).toBe(503);
    expect(json.code).toBe('WECHAT_UNAVAILABLE');
    // 3 attempts of 300 ms plus at most 100 + 200 ms of backoff, with room for scheduling
    expect(elapsed).toBeLessThan(1900);
  });

  it('gives 503 while WeChat is down and recovers when it comes back', async () => {
    const svc = await service();
    await sandbox.stop();
    try {
      const started = Date.now();
      const down = await sign(svc);
      expect(down.status).toBe(503);
      expect(down.json.code).toBe('WECHAT_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(3 * 500 + 300 + 500);
    } finally {
      await sandbox.restart();
    }
    let last: Awaited<ReturnType<typeof sign>> | undefined;
    expect(await eventually(async () => (last = await sign(svc)).status === 200, 3000)).toBe(true);
    expectValid(last!.json);
  });
});
