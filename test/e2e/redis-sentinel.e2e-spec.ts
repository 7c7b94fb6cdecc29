import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { getJson, postJson, serviceEnv, startApp, type RunningApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { signingLoad } from '../support/load.js';
import { cookieHeader, loggedInClient } from '../support/media-client.js';
import { uniquePrefix } from '../support/redis-keys.js';
import { startRedisSentinel, type RedisSentinelHandle } from '../support/redis-topology.mjs';

const ACCOUNT = { appId: 'wx1e1e2f2f3a3a4b4b', appSecret: 'redis-sentinel-e2e-secret-0123' };

describe('on a Sentinel-managed Redis (master, replica, three sentinels)', () => {
  let topology: RedisSentinelHandle;
  let sandbox: SandboxServer;
  let app: RunningApp;
  const prefix = uniquePrefix('rsentinel');

  beforeAll(async () => {
    topology = await startRedisSentinel();
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    app = await startApp(
      serviceEnv(sandbox.url, ACCOUNT, {
        REDIS_URL: undefined,
        REDIS_SENTINELS: topology.sentinels.join(','),
        REDIS_SENTINEL_NAME: topology.name,
        CACHE_KEY_PREFIX: prefix,
        PUBLIC_BASE_URL: 'http://h5.test',
      }),
    );
  }, 90_000);

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await topology?.stop();
  }, 60_000);

  it('signs and keeps sessions through the master the sentinels name', async () => {
    const signed = await postJson(`${app.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/s' });
    expect(signed.status).toBe(200);
    expect((await getJson(`${app.url}/health`)).json).toMatchObject({ status: 'ok', cache: 'redis', redis: 'up' });
    expect(sandbox.sandbox.calls('cgi-bin/stable_token')).toBe(1);
  });

  it('when the master is killed mid-load: signing never fails, sessions come back after the failover, at most one extra fetch', async () => {
    const alice = await loggedInClient(app.url, sandbox.sandbox, 'alice');
    const tokenFetches = sandbox.sandbox.calls('cgi-bin/stable_token');
    const ticketFetches = sandbox.sandbox.calls('cgi-bin/ticket/getticket');
    const failures: number[] = [];
    const load = signingLoad(app.url, 8, (r) => {
      if (r.status !== 200) failures.push(r.status);
    });
    await load.responses(50);

    await topology.killMaster();
    await topology.failedOver();
    const me = async () =>
      (await getJson(`${app.url}/wechat/oauth/me`, { accept: 'application/json', cookie: cookieHeader(alice) })).status;
    // the session was written to the old master and replicated: it is there once the client follows the promotion
    expect(await eventually(async () => (await me()) === 200, 20_000, 200)).toBe(true);
    await load.responses(50);
    await load.stop();

    expect(failures).toEqual([]);
    expect(sandbox.sandbox.calls('cgi-bin/stable_token') - tokenFetches).toBeLessThanOrEqual(1);
    expect(sandbox.sandbox.calls('cgi-bin/ticket/getticket') - ticketFetches).toBeLessThanOrEqual(1);
    expect(await eventually(async () => (await getJson(`${app.url}/health`)).json.status === 'ok', 10_000, 200)).toBe(true);
  }, 90_000);
});
