import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WechatAccounts } from '../../src/core/accounts/wechat-accounts.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { WechatApiClient } from '../../src/transport/wechat-api.client.js';
import { getJson, postJson, type RunningApp, serviceEnv, startApp, PLATFORMS } from '../support/app.js';
import { ConnectProxy, selfSignedCertificate } from '../support/connect-proxy.js';
import { startServiceProcess, type ServiceProcess } from '../support/processes.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';
import { eventually } from '../support/eventually.js';
import { expectedSignature } from '../support/signature-check.js';

const run = promisify(execFile);

const ACCOUNT = { appId: 'wx5151aaaa6262bbbb', appSecret: 'credential-api-secret-0123' };
const OTHER = { appId: 'wx7373cccc8484dddd', appSecret: 'credential-api-other-0123' };
const JAVA = 'java-orders-0123456789abcdef0123456789';
const PYTHON = 'python-reports-0123456789abcdef012345';
const TOKENS = `java:${JAVA},python:${PYTHON}`;
const PAGE = 'https://h5.example.com/shop/index.html';
const TOKEN = 'cgi-bin/token';
const STABLE = 'cgi-bin/stable_token';
const TICKET = 'cgi-bin/ticket/getticket';
const CALLBACK_IP = 'cgi-bin/getcallbackip';
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

describe.each(PLATFORMS)('the credential API (中控) over real HTTP and Redis, on %s', (platform) => {
  let sandbox: SandboxServer;
  const prefixes: string[] = [];
  const running: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT, OTHER] });
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

  const prefix = () => {
    const p = uniquePrefix('credapi');
    prefixes.push(p);
    return p;
  };
  async function central(extra: Record<string, string> = {}): Promise<RunningApp> {
    const svc = await startApp(
      serviceEnv(sandbox.url, ACCOUNT, {
        CACHE_KEY_PREFIX: prefix(),
        CREDENTIAL_API_TOKENS: TOKENS,
        WECHAT_ACCOUNTS: JSON.stringify([OTHER]),
        ...extra,
      }),
      platform,
    );
    running.push(svc);
    return svc;
  }
  const calls = (endpoint: string) => sandbox.sandbox.calls(endpoint);
  const totalCalls = () => Object.values(sandbox.sandbox.calls() as Record<string, number>).reduce((a, b) => a + b, 0);
  const read = (svc: { url: string }, kind: string, secret = JAVA, appId = ACCOUNT.appId) =>
    getJson(`${svc.url}/wechat/credentials/${appId}/${kind}`, bearer(secret));
  const report = (svc: { url: string }, value: unknown, secret = JAVA, appId = ACCOUNT.appId) =>
    postJson(`${svc.url}/wechat/credentials/${appId}/access_token/invalid`, { value }, bearer(secret));

  it('hands a consumer the very token and ticket signing uses, with no call to WeChat when warm', async () => {
    const svc = await central();
    const signed = await postJson(`${svc.url}/wechat/jssdk/config`, { url: PAGE });
    expect(signed.status).toBe(200);
    sandbox.sandbox.resetCalls();

    const token = await read(svc, 'access_token');
    const ticket = await read(svc, 'jsapi_ticket', PYTHON);
    expect(token.status).toBe(200);
    expect(token.headers.get('cache-control')).toBe('no-store');
    expect(token.json).toEqual({
      appId: ACCOUNT.appId,
      kind: 'access_token',
      value: sandbox.sandbox.currentStableToken(ACCOUNT.appId)!,
      expiresAt: expect.any(Number),
      expiresIn: expect.any(Number),
    });
    expect(ticket.json.value).toBe(sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi'));
    // the ticket signing used is the one handed out
    expect(signed.json.signature).toBe(expectedSignature(ticket.json.value, signed.json.nonceStr, signed.json.timestamp, PAGE));
    // a stop-using time before WeChat's 7200 s, and expiresIn agreeing with it
    const now = Date.now();
    expect(token.json.expiresAt).toBeGreaterThan(now + 7000_000);
    expect(token.json.expiresAt).toBeLessThan(now + 7200_000);
    expect(Math.abs(token.json.expiresIn - (token.json.expiresAt - now) / 1000)).toBeLessThan(2);
    expect(totalCalls()).toBe(0);

    const card = await read(svc, 'wx_card_ticket');
    expect(card.json.value).toBe(sandbox.sandbox.currentTicket(ACCOUNT.appId, 'wx_card'));
    expect(calls(TICKET)).toBe(1);
  });

  it('serves every configured account from its own cache', async () => {
    const svc = await central();
    const other = await read(svc, 'access_token', JAVA, OTHER.appId);
    expect(other.status).toBe(200);
    expect(other.json.appId).toBe(OTHER.appId);
    expect(other.json.value).toBe(sandbox.sandbox.currentStableToken(OTHER.appId));
    expect(other.json.value).not.toBe((await read(svc, 'access_token')).json.value);
  });

  /** Another service of the account fetches classic tokens twice: the one this service holds stops working at once. */
  async function revokeClassic(account = ACCOUNT): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const answer = await getJson(
        `${sandbox.url}/cgi-bin/token?grant_type=client_credential&appid=${account.appId}&secret=${account.appSecret}`,
      );
      expect(answer.json.access_token).toEqual(expect.any(String));
    }
  }

  it('reports of a token WeChat still takes fetch nothing: one getcallbackip question decides 50 of them', async () => {
    const svc = await central({ WECHAT_TOKEN_MODE: 'classic' });
    const valid = (await read(svc, 'access_token')).json.value as string;
    sandbox.sandbox.resetCalls();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => report(svc, valid, i % 2 ? JAVA : PYTHON)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((a) => a.json.value))).toEqual(new Set([valid]));
    expect(sandbox.sandbox.isAccessTokenValid(valid)).toBe(true);
    expect([calls(TOKEN), calls(STABLE), calls(CALLBACK_IP)]).toEqual([0, 0, 1]);
    // and more reports in the same five seconds do not even ask WeChat
    expect((await report(svc, valid)).json.value).toBe(valid);
    expect(calls(CALLBACK_IP)).toBe(1);
  });

  it('a revoked token is replaced at once: 100 concurrent reports, one question, one refresh (classic mode)', async () => {
    const svc = await central({ WECHAT_TOKEN_MODE: 'classic' });
    const stale = (await read(svc, 'access_token')).json.value as string;
    await revokeClassic();
    expect(sandbox.sandbox.isAccessTokenValid(stale)).toBe(false);
    sandbox.sandbox.resetCalls();

    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => report(svc, stale, i % 2 ? JAVA : PYTHON)));
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    const fresh = new Set(answers.map((a) => a.json.value));
    expect(fresh.size).toBe(1);
    expect(fresh.has(stale)).toBe(false);
    expect(sandbox.sandbox.isAccessTokenValid([...fresh][0])).toBe(true);
    expect([calls(TOKEN), calls(CALLBACK_IP)]).toEqual([1, 1]);

    // a report of the value already replaced costs nothing, and answers the current one
    const late = await report(svc, stale);
    expect(late.json.value).toBe([...fresh][0]);
    // nor does a value this service never handed out
    const unknown = await report(svc, 'x'.repeat(40));
    expect(unknown.json.value).toBe([...fresh][0]);
    expect([calls(TOKEN), calls(CALLBACK_IP)]).toEqual([1, 1]);
    // and signing goes on with the new token's ticket
    expect((await postJson(`${svc.url}/wechat/jssdk/config`, { url: PAGE })).status).toBe(200);
  });

  it('refreshes caused by reports are capped per account and hour: then 429 REFRESH_BUDGET_EXHAUSTED', async () => {
    const svc = await central({ WECHAT_TOKEN_MODE: 'classic', CREDENTIAL_REPORT_MAX_PER_HOUR: '1' });
    const first = (await read(svc, 'access_token')).json.value as string;
    await revokeClassic();
    const second = await report(svc, first);
    expect(second.status).toBe(200);
    expect(second.json.value).not.toBe(first);
    await revokeClassic();
    sandbox.sandbox.resetCalls();
    // within five seconds of the last question the report is not believed; after it, WeChat confirms and the cap holds
    let capped = await report(svc, second.json.value);
    const confirmed = await eventually(async () => (capped = await report(svc, second.json.value)).status === 429, 10_000, 200);
    expect(confirmed).toBe(true);
    expect(capped.json).toMatchObject({ statusCode: 429, code: 'REFRESH_BUDGET_EXHAUSTED' });
    expect(Number(capped.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect([calls(TOKEN), calls(CALLBACK_IP)]).toEqual([0, 1]);
    // the other account's budget is its own
    expect((await read(svc, 'access_token', JAVA, OTHER.appId)).status).toBe(200);
  }, 20_000);

  it('stable mode: a reported token WeChat rejects but hands back unchanged is replaced by one force refresh', async () => {
    const svc = await central();
    const stale = (await read(svc, 'access_token')).json.value as string;
    const forced = sandbox.sandbox.forceRefreshes(ACCOUNT.appId);
    // WeChat says the token is no good, and stable_token still answers it
    sandbox.sandbox.injectFault(CALLBACK_IP, { kind: 'errcode', errcode: 40001 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => report(svc, stale)));
    expect(new Set(answers.map((a) => a.json.value)).size).toBe(1);
    expect(answers[0]!.json.value).not.toBe(stale);
    expect(sandbox.sandbox.forceRefreshes(ACCOUNT.appId) - forced).toBe(1);
  });

  it('stable mode: a valid token reported never costs a force refresh', async () => {
    const svc = await central();
    const valid = (await read(svc, 'access_token')).json.value as string;
    const forced = sandbox.sandbox.forceRefreshes(ACCOUNT.appId);
    sandbox.sandbox.resetCalls();
    const answers = await Promise.all(Array.from({ length: 20 }, () => report(svc, valid)));
    expect(new Set(answers.map((a) => a.json.value))).toEqual(new Set([valid]));
    expect(sandbox.sandbox.forceRefreshes(ACCOUNT.appId) - forced).toBe(0);
    expect([calls(STABLE), calls(CALLBACK_IP)]).toEqual([0, 1]);
  });

  it('a consumer limited to some accounts reads only those: another answers 404 UNKNOWN_ACCOUNT, as a missing one', async () => {
    const scoped = 'scoped-consumer-0123456789abcdef0123';
    const svc = await central({ CREDENTIAL_API_TOKENS: `${TOKENS},erp@${OTHER.appId}:${scoped}` });
    expect((await read(svc, 'access_token', scoped, OTHER.appId)).status).toBe(200);
    sandbox.sandbox.resetCalls();
    for (const answer of [
      await read(svc, 'access_token', scoped, ACCOUNT.appId),
      await read(svc, 'jsapi_ticket', scoped, ACCOUNT.appId),
      await report(svc, 'x'.repeat(40), scoped, ACCOUNT.appId),
      await read(svc, 'access_token', scoped, 'wx0000000000000000'),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({
        statusCode: 404,
        code: 'UNKNOWN_ACCOUNT',
        message: 'appId is not one of the configured accounts',
      });
    }
    expect(totalCalls()).toBe(0);
    // the unscoped consumers still read every account
    expect((await read(svc, 'access_token', JAVA, ACCOUNT.appId)).status).toBe(200);
  });

  it('refuses a missing, wrong or malformed bearer with 401, without calling WeChat', async () => {
    const svc = await central();
    const url = `${svc.url}/wechat/credentials/${ACCOUNT.appId}/access_token`;
    const wrong = JAVA.slice(0, -1) + (JAVA.endsWith('0') ? '1' : '0');
    for (const headers of [{}, bearer(wrong), bearer(''), { authorization: JAVA }, { authorization: `Basic ${JAVA}` }]) {
      const answer = await getJson(url, headers);
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(answer.text).not.toContain(JAVA);
    }
    expect((await report(svc, 'x'.repeat(40), wrong)).status).toBe(401);
    expect(totalCalls()).toBe(0);
    // the scheme's case does not matter
    expect((await getJson(url, { authorization: `bearer ${PYTHON}` })).status).toBe(200);
  });

  it('404 UNKNOWN_ACCOUNT and UNKNOWN_KIND; 400 for a report without a value', async () => {
    const svc = await central();
    const unknownAccount = await read(svc, 'access_token', JAVA, 'wx0000000000000000');
    expect(unknownAccount.status).toBe(404);
    expect(unknownAccount.json.code).toBe('UNKNOWN_ACCOUNT');
    expect((await report(svc, 'x'.repeat(40), JAVA, 'wx0000000000000000')).json.code).toBe('UNKNOWN_ACCOUNT');
    const unknownKind = await read(svc, 'component_token');
    expect(unknownKind.status).toBe(404);
    expect(unknownKind.json.code).toBe('UNKNOWN_KIND');
    for (const body of [{}, { value: 12 }, { value: '' }]) {
      const answer = await postJson(`${svc.url}/wechat/credentials/${ACCOUNT.appId}/access_token/invalid`, body, bearer(JAVA));
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('VALIDATION_FAILED');
    }
    const notJson = await postJson(
      `${svc.url}/wechat/credentials/${ACCOUNT.appId}/access_token/invalid`,
      '{"value":',
      bearer(JAVA),
    );
    expect(notJson.status).toBe(400);
    expect(notJson.json.code).toBe('INVALID_JSON');
    expect(totalCalls()).toBe(0);
  });

  it('does not exist when CREDENTIAL_API_TOKENS is unset', async () => {
    const svc = await startApp(serviceEnv(sandbox.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix() }), platform);
    running.push(svc);
    for (const answer of [await read(svc, 'access_token'), await report(svc, 'x'.repeat(40))]) {
      expect(answer.status).toBe(404);
      expect(answer.json.code).toBe('NOT_FOUND');
    }
    const docs = await getJson(`${svc.url}/docs-json`);
    expect(Object.keys(docs.json.paths).filter((path) => path.includes('credentials'))).toEqual([]);
  });

  it('limits each verified consumer on its own budget; another consumer is not held back', async () => {
    const svc = await central({ RATE_LIMIT_PER_MINUTE: '3' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await read(svc, 'access_token')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await read(svc, 'access_token');
    expect(limited.json.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await report(svc, 'x'.repeat(40))).status).toBe(429);
    // python calls from the same address, with its own budget
    expect((await read(svc, 'access_token', PYTHON)).status).toBe(200);
  });

  it('failed bearers count against a small budget of their address, which never blocks a valid bearer or another route', async () => {
    const svc = await central({ PUBLIC_BASE_URL: 'http://h5.test' });
    const failures = [];
    for (let i = 0; i < 12; i++) failures.push((await read(svc, 'access_token', `guess-${i}-0123456789abcdef0123456789`)).status);
    expect(failures).toEqual([...Array(10).fill(401), 429, 429]);
    const locked = await read(svc, 'access_token', 'another-guess-0123456789abcdef0123456');
    expect(locked.json.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // a consumer calling from that very address still gets its credential
    expect((await read(svc, 'access_token', JAVA)).status).toBe(200);
    expect((await report(svc, 'x'.repeat(40), PYTHON)).status).toBe(200);
    // and the address can still log in and sign: one family's budget never locks out another
    const login = await fetch(`${svc.url}/wechat/oauth/login`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect((await postJson(`${svc.url}/wechat/jssdk/diagnose`, { url: PAGE })).status).toBe(200);
  });

  it('counts requests per consumer and kind in /metrics, and describes itself in /docs-json', async () => {
    const svc = await central();
    await read(svc, 'access_token');
    await read(svc, 'access_token');
    await read(svc, 'jsapi_ticket', PYTHON);
    await read(svc, 'access_token', 'not-a-consumer-secret');
    await report(svc, 'x'.repeat(40), PYTHON);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    const count = (consumer: string, kind: string) =>
      new RegExp(
        `^wechat_credential_api_requests_total\\{consumer="${consumer.replace(/[()]/g, '\\$&')}",kind="${kind}"\\} (\\d+)$`,
        'm',
      ).exec(metrics)?.[1];
    expect(count('java', 'access_token')).toBe('2');
    expect(count('python', 'jsapi_ticket')).toBe('1');
    expect(count('python', 'access_token/invalid')).toBe('1');
    expect(count('(unknown)', 'access_token')).toBe('1');
    expect(metrics).not.toContain(JAVA);

    const docs = (await getJson(`${svc.url}/docs-json`)).json;
    const path = docs.paths['/wechat/credentials/{appId}/{kind}'];
    expect(path.get.security).toEqual([{ credentialConsumer: [] }]);
    expect(docs.paths['/wechat/credentials/{appId}/access_token/invalid'].post.responses).toHaveProperty('401');
    expect(docs.components.securitySchemes.credentialConsumer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves a consumer that is not Node: python3 (urllib) and curl', async () => {
    const svc = await central({ WECHAT_TOKEN_MODE: 'classic' });
    const base = `${svc.url}/wechat/credentials/${ACCOUNT.appId}`;
    // the token the service holds stops working, so python's report of it is true
    expect((await read(svc, 'access_token')).status).toBe(200);
    await revokeClassic();
    sandbox.sandbox.resetCalls();
    const python = `
import json, sys, urllib.request, urllib.error
base, secret = sys.argv[1], sys.argv[2]
def call(path, body=None):
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + secret, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)
token = call("/access_token")
renewed = call("/access_token/invalid", {"value": token["value"]})
try:
    urllib.request.urlopen(urllib.request.Request(base + "/access_token", headers={"Authorization": "Bearer nope"}))
    refused = None
except urllib.error.HTTPError as error:
    refused = [error.code, json.load(error)["code"]]
print(json.dumps({"token": token, "renewed": renewed, "refused": refused}))
`;
    const { stdout } = await run('python3', ['-c', python, base, PYTHON]);
    const result = JSON.parse(stdout);
    expect(result.token.value).toMatch(/^[A-Za-z0-9_.~+/=*-]{16,}$/);
    expect(result.renewed.value).not.toBe(result.token.value);
    expect(result.renewed.value).toBe((await read(svc, 'access_token')).json.value);
    expect([calls(TOKEN), calls(CALLBACK_IP)]).toEqual([1, 1]);
    expect(result.refused).toEqual([401, 'UNAUTHORIZED']);

    const curl = await run('curl', ['-sS', '--fail-with-body', '-H', `Authorization: Bearer ${JAVA}`, `${base}/jsapi_ticket`]);
    expect(JSON.parse(curl.stdout)).toMatchObject({
      kind: 'jsapi_ticket',
      value: sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi'),
    });
  });

  describe('two instances chained: a consumer reading from a central one', () => {
    let centralProcess: ServiceProcess | undefined;
    afterEach(async () => {
      await centralProcess?.stop();
      centralProcess = undefined;
    });

    it('the consumer signs pages without calling WeChat, and its 40001 makes the central refresh once', async () => {
      centralProcess = await startServiceProcess({
        ...serviceEnv(sandbox.url, ACCOUNT, {
          CACHE_KEY_PREFIX: prefix(),
          CREDENTIAL_API_TOKENS: TOKENS,
          LOG_LEVEL: 'info',
          WECHAT_TOKEN_MODE: 'classic',
        }),
      } as Record<string, string>);
      const consumer = await startApp(
        serviceEnv(sandbox.url, ACCOUNT, {
          CACHE_KEY_PREFIX: prefix(),
          WECHAT_CREDENTIAL_SOURCE_URL: `${centralProcess.url}/wechat/credentials`,
          WECHAT_CREDENTIAL_SOURCE_TOKEN: PYTHON,
        }),
        platform,
      );
      running.push(consumer);

      // the consumer's cold start: everything it needs comes through the central
      const pages = await Promise.all(
        Array.from({ length: 20 }, (_, i) => postJson(`${consumer.url}/wechat/jssdk/config`, { url: `${PAGE}?i=${i}` })),
      );
      const ticket = sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!;
      pages.forEach(({ status, json }, i) => {
        expect(status).toBe(200);
        expect(json.signature).toBe(expectedSignature(ticket, json.nonceStr, json.timestamp, `${PAGE}?i=${i}`));
      });
      // the central fetched once; then the consumer signs with no call anywhere
      expect([calls(TOKEN), calls(TICKET)]).toEqual([1, 1]);
      sandbox.sandbox.resetCalls();
      expect((await postJson(`${consumer.url}/wechat/jssdk/config`, { url: PAGE })).status).toBe(200);
      expect(totalCalls()).toBe(0);

      // the token stops working (another party fetched classic tokens); WeChat rejects it on the consumer's own
      // call: the consumer reports, the central asks WeChat, which confirms, and refreshes once
      const before = (await read(centralProcess, 'access_token')).json.value as string;
      await revokeClassic();
      sandbox.sandbox.resetCalls();
      const accounts = consumer.app.get(WechatAccounts);
      const client = consumer.app.get(WechatApiClient);
      const answer = await accounts
        .get(ACCOUNT.appId)
        .tokens.withAccessToken((token) =>
          client.get<{ ticket: string }>(TICKET, { access_token: token, type: 'jsapi' }, { appId: ACCOUNT.appId }),
        );
      expect(answer.ticket).toBe(sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi'));
      const after = (await read(centralProcess, 'access_token')).json.value as string;
      expect(after).not.toBe(before);
      expect(sandbox.sandbox.isAccessTokenValid(after)).toBe(true);
      // the consumer's two ticket calls (the rejected one and the retry), the central's question and its one refresh
      expect([calls(TICKET), calls(CALLBACK_IP), calls(TOKEN), calls(STABLE)]).toEqual([2, 1, 1, 0]);

      const log = centralProcess.output();
      expect(log).toContain('python reported the access_token of');
      for (const secret of [before, after, PYTHON, JAVA, ACCOUNT.appSecret]) expect(log).not.toContain(secret);
    });

    it('an unreachable or refusing central is a clear 503/502, never a call to WeChat', async () => {
      const consumer = await startApp(
        serviceEnv(sandbox.url, ACCOUNT, {
          CACHE_KEY_PREFIX: prefix(),
          WECHAT_CREDENTIAL_SOURCE_URL: 'http://127.0.0.1:9/wechat/credentials',
          WECHAT_CREDENTIAL_SOURCE_TOKEN: PYTHON,
          WECHAT_HTTP_TIMEOUT_MS: '500',
        }),
        platform,
      );
      running.push(consumer);
      const down = await postJson(`${consumer.url}/wechat/jssdk/config`, { url: PAGE });
      expect(down.status).toBe(503);
      expect(down.json.code).toBe('CREDENTIAL_SOURCE_UNAVAILABLE');

      const centralApp = await central();
      const refused = await startApp(
        serviceEnv(sandbox.url, ACCOUNT, {
          CACHE_KEY_PREFIX: prefix(),
          WECHAT_CREDENTIAL_SOURCE_URL: `${centralApp.url}/wechat/credentials`,
          WECHAT_CREDENTIAL_SOURCE_TOKEN: 'not-the-secret-of-any-consumer-0123456789',
        }),
        platform,
      );
      running.push(refused);
      const answer = await postJson(`${refused.url}/wechat/jssdk/config`, { url: PAGE });
      expect(answer.status).toBe(502);
      expect(answer.json).toMatchObject({ code: 'CREDENTIAL_SOURCE_REFUSED', status: 401 });
      expect(answer.text).not.toContain('not-the-secret');
      expect(totalCalls()).toBe(0);
    });
  });

  describe('egress through a CONNECT proxy', () => {
    const tls = selfSignedCertificate();
    let secure: SandboxServer;
    let proxy: ConnectProxy;
    let service: ServiceProcess | undefined;
    const proxyAuth = { username: 'egress', password: 'proxy-password-never-logged' };

    beforeAll(async () => {
      secure = await startSandbox({ accounts: [ACCOUNT], https: { key: tls.key, cert: tls.cert } });
      proxy = await new ConnectProxy(proxyAuth).start();
    });
    afterAll(async () => {
      await service?.stop();
      await proxy?.stop();
      await secure?.close();
      tls.remove();
    });

    // WECHAT_HTTP_PROXY, which nothing but this service reads (axios would follow HTTPS_PROXY by itself)
    it('carries every call to WeChat in a tunnel when WECHAT_HTTP_PROXY is set; the proxy sees no secret', async () => {
      service = await startServiceProcess({
        ...serviceEnv(secure.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix(), LOG_LEVEL: 'info', WECHAT_TOKEN_MODE: 'classic' }),
        WECHAT_HTTP_PROXY: proxy.url(),
        NODE_EXTRA_CA_CERTS: tls.certFile,
        REDIS_URL,
      } as Record<string, string>);
      const signed = await postJson(`${service.url}/wechat/jssdk/config`, { url: PAGE });
      expect(signed.status).toBe(200);
      const ticket = secure.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!;
      expect(signed.json.signature).toBe(expectedSignature(ticket, signed.json.nonceStr, signed.json.timestamp, PAGE));

      const wechatCalls = Object.values(secure.sandbox.calls() as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(wechatCalls).toBe(2);
      // every call went through a tunnel to the sandbox (keep-alive may reuse one)
      expect(proxy.connects.length).toBeGreaterThanOrEqual(1);
      expect(proxy.connects.length).toBeLessThanOrEqual(wechatCalls);
      expect(new Set(proxy.connects)).toEqual(new Set([`127.0.0.1:${secure.port}`]));
      expect(proxy.refused).toBe(0);
      // end-to-end TLS: the AppSecret and the token crossed the proxy encrypted
      const carried = proxy.bytesCarried().toString('latin1');
      expect(carried.length).toBeGreaterThan(0);
      expect(carried).not.toContain(ACCOUNT.appSecret);
      expect(carried).not.toContain('client_credential');
      const log = service.output();
      expect(log).toContain(`calls to WeChat go through the proxy http://127.0.0.1:${proxy.port}`);
      expect(log).not.toContain(proxyAuth.password);
      await service.stop();
      service = undefined;
    });

    it('a proxy refusing the credentials is a clear 503, and its password is in no answer or log', async () => {
      service = await startServiceProcess({
        ...serviceEnv(secure.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix(), LOG_LEVEL: 'info', WECHAT_HTTP_TIMEOUT_MS: '500' }),
        WECHAT_HTTP_PROXY: proxy.url({ username: 'egress', password: 'a-wrong-proxy-password' }),
        NODE_EXTRA_CA_CERTS: tls.certFile,
      } as Record<string, string>);
      const refusedBefore = proxy.refused;
      const answer = await postJson(`${service.url}/wechat/jssdk/config`, { url: PAGE });
      expect([502, 503]).toContain(answer.status);
      expect(answer.json.code).toMatch(/^WECHAT_/);
      expect(proxy.refused).toBeGreaterThan(refusedBefore);
      expect(answer.text + service.output()).not.toContain('a-wrong-proxy-password');
      await service.stop();
      service = undefined;
    });
  });
});
