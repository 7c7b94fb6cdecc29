import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { eventually } from '../support/eventually.js';
import { getJson, postJson, serviceEnv, startApp, type RunningApp } from '../support/app.js';
import { cookieHeader, loggedInClient, readMedia } from '../support/media-client.js';
import { type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { uniquePrefix } from '../support/redis-keys.js';
import { cli, startRedisCluster, stopsAnswering, type RedisClusterHandle } from '../support/redis-topology.mjs';
import { expectedSignature } from '../support/signature-check.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ACCOUNT = { appId: 'wx7a7a8b8b9c9c0d0d', appSecret: 'redis-cluster-e2e-secret-0123' };
const BURST_PER_PROCESS = 100;

describe('on a real 3-master Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let sandbox: SandboxServer;
  const prefix = uniquePrefix('rcluster');
  const processes: ServiceProcess[] = [];
  const env = () => ({
    ...serviceEnv(sandbox.url, ACCOUNT, {
      LOG_LEVEL: 'info',
      REDIS_URL: undefined,
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      CACHE_KEY_PREFIX: prefix,
    }),
  });

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    processes.push(...(await Promise.all([1, 2, 3].map(() => startServiceProcess(env() as Record<string, string>)))));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await sandbox?.close();
    await cluster?.stop();
  }, 60_000);

  it(`a cold burst of ${3 * BURST_PER_PROCESS} requests over 3 processes makes one token and one ticket fetch`, async () => {
    const page = (i: number) => `https://h5.example.com/c/${i}`;
    const results = await Promise.all(
      processes.flatMap((p, pi) =>
        Array.from({ length: BURST_PER_PROCESS }, (_, i) =>
          postJson(`${p.url}/wechat/jssdk/config`, { url: page(pi * 1000 + i) }).then((r) => ({
            ...r,
            url: page(pi * 1000 + i),
          })),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const ticket = sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!;
    for (const r of results) expect(r.json.signature).toBe(expectedSignature(ticket, r.json.nonceStr, r.json.timestamp, r.url));
    expect(sandbox.sandbox.calls('cgi-bin/stable_token')).toBe(1);
    expect(sandbox.sandbox.calls('cgi-bin/ticket/getticket')).toBe(1);
    const health = await getJson(`${processes[0]!.url}/health`);
    expect(health.json).toMatchObject({ status: 'ok', cache: 'redis', redis: 'up' });
  }, 60_000);

  it('keeps a credential, its lock and the account’s other keys in one hash slot, on the node that owns it', async () => {
    const base = `${prefix}{${ACCOUNT.appId}}:`;
    const slots = await Promise.all(
      ['access_token', 'access_token:lock', 'jsapi_ticket', 'jsapi_ticket:lock', 'media:m1:lock'].map(async (name) =>
        cli(cluster.ports[0]!, 'CLUSTER', 'KEYSLOT', base + name),
      ),
    );
    expect(new Set(slots).size).toBe(1);
    const stored = JSON.parse(await cli(cluster.ports[0]!, '-c', 'GET', `${base}jsapi_ticket`)) as { value: string };
    expect(stored.value).toBe(sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi'));
    // a prefix alone lands elsewhere for most accounts: the tag, not luck, keeps them together
    const untagged = await cli(cluster.ports[0]!, 'CLUSTER', 'KEYSLOT', `${prefix}${ACCOUNT.appId}:access_token:lock`);
    const untaggedValue = await cli(cluster.ports[0]!, 'CLUSTER', 'KEYSLOT', `${prefix}${ACCOUNT.appId}:access_token`);
    expect(untagged).not.toBe(untaggedValue);
  });

  describe('sessions and media', () => {
    let app: RunningApp;
    let mediaDir: string;
    beforeAll(async () => {
      mediaDir = await mkdtemp(join(tmpdir(), 'rcluster-media-'));
      app = await startApp({ ...env(), LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'http://h5.test', MEDIA_DIR: mediaDir });
    });
    afterAll(async () => {
      await app?.close();
      await rm(mediaDir, { recursive: true, force: true });
    });

    it('logs in, and a session written through one instance is read by another', async () => {
      const alice = await loggedInClient(app.url, sandbox.sandbox, 'alice');
      const me = await getJson(`${processes[1]!.url}/wechat/oauth/me`, {
        accept: 'application/json',
        cookie: cookieHeader(alice),
      });
      expect(me.status).toBe(200);
      expect(me.json.openid).toBe(sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'));
    });

    it('saves a media once and serves it', async () => {
      const alice = await loggedInClient(app.url, sandbox.sandbox, 'alice');
      const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size: 4096 });
      expect((await alice.post(`/wechat/media/${mediaId}`)).status).toBe(201);
      expect((await alice.post(`/wechat/media/${mediaId}`)).status).toBe(200);
      const read = await readMedia(app.url, alice, mediaId);
      expect(read.status).toBe(200);
      expect(read.length).toBe(4096);
      expect(sandbox.sandbox.calls('cgi-bin/media/get')).toBe(1);
    });

    it('a node that stalls (DEBUG SLEEP) costs a bounded wait, signing goes on, and health comes back', async () => {
      const alice = await loggedInClient(app.url, sandbox.sandbox, 'alice');
      const sleeping = Promise.all(cluster.ports.map((port) => cli(port, 'DEBUG', 'SLEEP', '3')));
      await Promise.all(cluster.ports.map((port) => stopsAnswering(port)));
      const started = Date.now();
      const stalled = await getJson(`${app.url}/wechat/oauth/me`, { accept: 'application/json', cookie: cookieHeader(alice) });
      const meMs = Date.now() - started;
      expect(stalled.status).toBe(503);
      expect(stalled.json.code).toBe('SESSION_STORE_UNAVAILABLE');
      expect(meMs).toBeLessThan(2500);
      const signed = await postJson(`${app.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/during-stall' });
      expect(signed.status).toBe(200);
      await sleeping;
      // back within 10 s of Redis answering again, without a restart: health, and the session on its node
      expect(await eventually(async () => (await getJson(`${app.url}/health`)).json.status === 'ok', 10_000, 200)).toBe(true);
      const me = async () =>
        (await getJson(`${app.url}/wechat/oauth/me`, { accept: 'application/json', cookie: cookieHeader(alice) })).status;
      expect(await eventually(async () => (await me()) === 200, 10_000, 200)).toBe(true);
    }, 30_000);
  });
});
