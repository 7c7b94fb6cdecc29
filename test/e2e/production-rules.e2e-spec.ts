import { once } from 'node:events';
import { connect } from 'node:net';
import { getJson, type RunningApp, serviceEnv, startApp } from '../support/app.js';
import { freePort, runServiceToExit, type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  WECHAT_APP_ID: 'wx1a2b3c4d5e6f7a8b',
  WECHAT_APP_SECRET: 'production-rules-secret-0123',
  SESSION_SECRET: 'Zq8-wP3mK1xV9tR6yB2nC7dF4gH0jL5s',
  PUBLIC_BASE_URL: 'https://h5.example.com',
  TRUST_PROXY: '1',
  METRICS_TOKEN: 'production-metrics-token-0123456789abc',
  WECHAT_JS_DOMAINS: 'h5.example.com',
  PORT: '0',
  LOG_LEVEL: 'info',
};

/** The lines of a process's output, each parsed as JSON (a line that is not JSON fails the test). */
function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

describe('production start-up rules', () => {
  it.each([
    [
      'a SESSION_SECRET with fewer than 8 distinct characters',
      { SESSION_SECRET: 'ab'.repeat(20) },
      /^ {2}SESSION_SECRET: must be random/m,
    ],
    ['WECHAT_SANDBOX=true', { WECHAT_SANDBOX: 'true', PORT: '3999' }, /^ {2}WECHAT_SANDBOX: must not be true in production/m],
    [
      'a PUBLIC_BASE_URL with a path',
      { PUBLIC_BASE_URL: 'https://h5.example.com/app' },
      /^ {2}PUBLIC_BASE_URL: must be an origin only/m,
    ],
    [
      'a PUBLIC_BASE_URL with a query',
      { PUBLIC_BASE_URL: 'https://h5.example.com?x=1' },
      /^ {2}PUBLIC_BASE_URL: must be an origin only/m,
    ],
    [
      'a PUBLIC_BASE_URL with a fragment',
      { PUBLIC_BASE_URL: 'https://h5.example.com/#x' },
      /^ {2}PUBLIC_BASE_URL: must be an origin only/m,
    ],
    ['CORS_ORIGINS=*', { CORS_ORIGINS: '*' }, /^ {2}CORS_ORIGINS: must list origins in production/m],
    [
      'TRUST_PROXY=true',
      { TRUST_PROXY: 'true' },
      /^ {2}TRUST_PROXY: must not be true in production: every X-Forwarded-For entry would be believed/m,
    ],
  ])('refuses %s, with one line naming the variable', async (_name, bad, message) => {
    const { code, output } = await runServiceToExit({ ...PRODUCTION, ...bad });
    expect(code).toBe(1);
    expect(output).toMatch(message);
    // the header and that one problem line, nothing else (no stack, no secret)
    expect(output.trim().split('\n')).toHaveLength(2);
    expect(output).not.toContain(PRODUCTION.WECHAT_APP_SECRET);
  });

  it('starts on a correct production configuration, and warns (one JSON line) about https without TRUST_PROXY', async () => {
    const svc = await startServiceProcess({ ...PRODUCTION, TRUST_PROXY: 'false', REDIS_URL: '' });
    try {
      expect((await getJson(`${svc.url}/health`)).status).toBe(200);
    } finally {
      await svc.stop();
    }
    const warning = jsonLines(svc.output()).find((line) => String(line.msg).includes('TRUST_PROXY'));
    expect(warning).toMatchObject({ level: 40, context: 'Config' });
  }, 30_000);

  it('serves /metrics only with METRICS_TOKEN in production, and warns when it is not set', async () => {
    const { METRICS_TOKEN: token, ...withoutToken } = PRODUCTION;
    const open = await startServiceProcess({ ...withoutToken, REDIS_URL: '' });
    try {
      expect((await getJson(`${open.url}/metrics`)).status).toBe(404);
    } finally {
      await open.stop();
    }
    expect(jsonLines(open.output()).find((line) => String(line.msg).includes('METRICS_TOKEN'))).toMatchObject({ level: 40 });
    const guarded = await startServiceProcess({ ...PRODUCTION, REDIS_URL: '' });
    try {
      expect((await getJson(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await getJson(`${guarded.url}/metrics`, { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await guarded.stop();
    }
  }, 30_000);
});

describe('time limits on slow clients', () => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  const account = { appId: PRODUCTION.WECHAT_APP_ID, appSecret: PRODUCTION.WECHAT_APP_SECRET };
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [account] });
    svc = await startApp(serviceEnv(sandbox.url, account, { REQUEST_TIMEOUT_MS: '1000' }));
  });
  afterAll(async () => {
    await svc?.close();
    await sandbox?.close();
  });

  it('cuts off a client that sends half its body, with 408 JSON, after the request timeout', async () => {
    const { port } = new URL(svc.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    const started = performance.now();
    socket.write(
      'POST /wechat/jssdk/config HTTP/1.1\r\nHost: h5.test\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"url":',
    );
    await once(socket, 'close');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3500);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ statusCode: 408, code: 'REQUEST_TIMEOUT' });
  });
});

describe('what the service writes to stdout', () => {
  let svc: ServiceProcess;
  const MEDIA_ID = 'MEDIAidThatMustNotBeLogged_0123456789abcdefghijklmnopqrstuvwxyz0123';

  beforeAll(async () => {
    svc = await startServiceProcess({ PORT: String(await freePort()), LOG_LEVEL: 'info' });
    const requests = [
      '/wechat/oauth/callback?%63ode=SECRETCODE123&state=x',
      '/wechat/oauth/callback?C%4FDE=SECRETCODE456&%53TATE=SECRETSTATE',
      `/wechat/jssdk/config?url=${encodeURIComponent('https://h5.example.com/')}&%73ecret=TOPSECRET`,
      `/wechat/media/${MEDIA_ID}`,
      `/wechat/oauth/login?returnTo=${encodeURIComponent(`/wechat/media/${MEDIA_ID}`)}`,
    ];
    for (const path of requests)
      await fetch(`${svc.url}${path}`, { redirect: 'manual', headers: { accept: 'application/json' } });
  }, 30_000);
  afterAll(() => svc?.stop());

  it('is one JSON object per line, Nest’s own messages included', async () => {
    await svc.stop();
    const lines = jsonLines(svc.output());
    expect(lines.some((l) => l.context === 'Bootstrap' && String(l.msg).startsWith('listening on'))).toBe(true);
    expect(lines.filter((l) => l.msg === 'request').length).toBeGreaterThanOrEqual(5);
  });

  it('redacts secret parameters by their decoded name, and keeps media ids out', () => {
    const output = svc.output();
    for (const secret of ['SECRETCODE123', 'SECRETCODE456', 'SECRETSTATE', 'TOPSECRET', MEDIA_ID])
      expect(output).not.toContain(secret);
    const urls = jsonLines(output)
      .filter((l) => l.msg === 'request')
      .map((l) => (l.req as { url: string }).url);
    expect(urls).toContain('/wechat/oauth/callback?%63ode=***&state=***');
    expect(urls).toContain('/wechat/media/:mediaId');
  });
});
