import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { getJson, postJson, serviceEnv, startApp } from '../support/app.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { freePort, startServiceProcess } from '../support/processes.js';
import { eventually } from '../support/eventually.js';
import { deleteKeys, listKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';
import { cli, startRedisNode } from '../support/redis-topology.mjs';

const ACCOUNT = { appId: 'wx1212abab3434cdcd', appSecret: 'operations-e2e-secret-0123' };

/** Reads one sample of a Prometheus text exposition; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((w) => inner.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('operations: metrics, health, graceful shutdown', () => {
  let sandbox: SandboxServer;
  const prefix = uniquePrefix('ops');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
  });
  afterAll(async () => {
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  it('GET /metrics counts WeChat calls, refreshes, cache lookups, signatures and logins', async () => {
    const svc = await startApp(
      serviceEnv(sandbox.url, ACCOUNT, { CACHE_KEY_PREFIX: `${prefix}m:`, PUBLIC_BASE_URL: 'http://h5.test' }),
    );
    try {
      sandbox.sandbox.injectFault('cgi-bin/ticket/getticket', { kind: 'errcode', errcode: -1 });
      for (let i = 0; i < 3; i++)
        expect((await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' })).status).toBe(200);
      const client = new CookieClient(svc.url);
      const login = await client.get('/wechat/oauth/login');
      await client.get(pathOf(sandbox.sandbox.authorize(login.location!)));
      await client.get('/wechat/oauth/callback?state=nope', 'application/json');

      const response = await fetch(`${svc.url}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(sample(text, 'wechat_api_calls_total', { endpoint: 'cgi-bin/stable_token', outcome: 'ok' })).toBe(1);
      expect(sample(text, 'wechat_api_calls_total', { endpoint: 'cgi-bin/ticket/getticket', outcome: 'errcode' })).toBe(1);
      expect(sample(text, 'wechat_api_calls_total', { endpoint: 'cgi-bin/ticket/getticket', outcome: 'ok' })).toBe(1);
      expect(sample(text, 'wechat_credential_refreshes_total', { credential: 'jsapi_ticket', result: 'ok' })).toBe(1);
      expect(sample(text, 'wechat_credential_refresh_duration_seconds_count', { credential: 'access_token' })).toBe(1);
      expect(
        sample(text, 'wechat_credential_cache_lookups_total', { credential: 'jsapi_ticket', tier: 'memory', result: 'hit' }),
      ).toBe(2);
      expect(
        sample(text, 'wechat_credential_cache_lookups_total', { credential: 'jsapi_ticket', tier: 'shared', result: 'miss' }),
      ).toBe(1);
      expect(sample(text, 'wechat_signatures_total', { kind: 'jsapi' })).toBe(3);
      expect(sample(text, 'wechat_logins_total', { outcome: 'success' })).toBe(1);
      expect(sample(text, 'wechat_logins_total', { outcome: 'invalid_state' })).toBe(1);
      expect(text).toMatch(/^wechat_h5_process_resident_memory_bytes \d+/m);
      for (const secret of sandbox.sandbox.issuedSecrets()) expect(text.includes(secret)).toBe(false);
    } finally {
      await svc.close();
    }
  });

  it('/health says degraded while Redis is unreachable, and signing goes on', async () => {
    const deadPort = await freePort();
    const svc = await startApp(
      serviceEnv(sandbox.url, ACCOUNT, { REDIS_URL: `redis://127.0.0.1:${deadPort}`, CACHE_KEY_PREFIX: `${prefix}d:` }),
    );
    try {
      const health = await getJson(`${svc.url}/health`);
      expect(health.status).toBe(200);
      expect(health.json).toEqual({
        status: 'degraded',
        cache: 'redis',
        redis: 'down',
        sandbox: false,
        reason: 'Redis is not answering',
      });
      expect((await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' })).status).toBe(200);
    } finally {
      await svc.close();
    }
  }, 20_000);

  it('/health proves a write: degraded with a reason while Redis refuses writes (PING still works), ok again after', async () => {
    const redis = await startRedisNode();
    const svc = await startApp(
      serviceEnv(sandbox.url, ACCOUNT, {
        REDIS_URL: redis.url,
        CACHE_KEY_PREFIX: `${prefix}oom:`,
        PUBLIC_BASE_URL: 'http://h5.test',
      }),
    );
    try {
      expect((await getJson(`${svc.url}/health`)).json).toEqual({ status: 'ok', cache: 'redis', redis: 'up', sandbox: false });
      // full, and told to evict nothing: every write is refused, reads and PING go on
      await cli(redis.port, 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await cli(redis.port, 'CONFIG', 'SET', 'maxmemory', '1');
      expect(await cli(redis.port, 'PING')).toBe('PONG');
      const health = await getJson(`${svc.url}/health`);
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({ status: 'degraded', cache: 'redis', redis: 'down' });
      expect(health.json.reason).toMatch(/^Redis refuses writes: OOM/);
      // a login cannot keep its state: 503, saying the store refused rather than that it did not answer
      const login = await fetch(`${svc.url}/wechat/oauth/login`, { redirect: 'manual' });
      expect(login.status).toBe(503);
      expect(await login.json()).toEqual({
        statusCode: 503,
        code: 'SESSION_STORE_UNAVAILABLE',
        message: 'the session store refused the write (it is full or read-only); try again later',
      });
      await cli(redis.port, 'CONFIG', 'SET', 'maxmemory', '0');
      expect((await getJson(`${svc.url}/health`)).json).toEqual({ status: 'ok', cache: 'redis', redis: 'up', sandbox: false });
      expect((await fetch(`${svc.url}/wechat/oauth/login`, { redirect: 'manual' })).status).toBe(302);
    } finally {
      await svc.close();
      await redis.stop();
    }
  }, 30_000);

  it('METRICS_TOKEN: /metrics answers only its bearer', async () => {
    const token = 'metrics-scraper-token-0123456789abcdef';
    const svc = await startApp(serviceEnv(sandbox.url, ACCOUNT, { CACHE_KEY_PREFIX: `${prefix}mt:`, METRICS_TOKEN: token }));
    try {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef0123456', token, `Basic ${token}`]) {
        const refused = await getJson(`${svc.url}/metrics`, authorization ? { authorization } : {});
        expect(refused.status).toBe(401);
        expect(refused.json).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
        expect(refused.text).not.toContain('wechat_');
      }
      const scraped = await getJson(`${svc.url}/metrics`, { authorization: `Bearer ${token}` });
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('wechat_h5_process_resident_memory_bytes');
    } finally {
      await svc.close();
    }
  });

  it('shuts down gracefully: the in-flight request finishes, no lock is left in Redis', async () => {
    const keyPrefix = `${prefix}g:`;
    const svc = await startServiceProcess({
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      WECHAT_SANDBOX: 'false',
      WECHAT_APP_ID: ACCOUNT.appId,
      WECHAT_APP_SECRET: ACCOUNT.appSecret,
      WECHAT_API_BASE_URL: sandbox.url,
      REDIS_URL,
      CACHE_KEY_PREFIX: keyPrefix,
    });
    sandbox.sandbox.injectFault('cgi-bin/ticket/getticket', { kind: 'slow', delayMs: 800 });
    const inFlight = postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' });
    expect(await eventually(async () => (await listKeys(keyPrefix)).some((k) => k.endsWith(':lock')), 5000, 10)).toBe(true);
    const exited = new Promise<void>((resolve) => svc.child.once('exit', () => resolve()));
    svc.child.kill('SIGTERM');
    const response = await inFlight;
    await exited;
    expect(response.status).toBe(200);
    expect((await listKeys(keyPrefix)).filter((k) => k.endsWith(':lock'))).toEqual([]);
  }, 30_000);
});
