import { startSandbox } from '../../src/sandbox/index.js';
import { getJson, postJson, serviceEnv, startApp } from '../support/app.js';
import { CookieClient } from '../support/browser-client.js';
import { eventually } from '../support/eventually.js';
import { type LoadResult, signingLoad } from '../support/load.js';
import { loggedInClient } from '../support/media-client.js';
import { deleteKeys, REDIS_HOST, REDIS_PORT, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const ACCOUNT = { appId: 'wx4f4f5e5e6d6d7c7c', appSecret: 'redis-stall-e2e-secret-0123' };
const REDIS_TIMEOUT_MS = 400;
const WECHAT_TIMEOUT_MS = 800;
/** The longest any request may take while Redis stalls: one Redis time limit plus one WeChat call, and slack. */
const BOUND_MS = REDIS_TIMEOUT_MS + WECHAT_TIMEOUT_MS + 400;

/** A timed request; `ms` is how long the answer took. */
async function timed<T>(request: () => Promise<T>): Promise<T & { ms: number }> {
  const started = performance.now();
  const result = await request();
  return { ...result, ms: performance.now() - started };
}

describe('Redis that stops answering without closing the connection (a TCP proxy that drops bytes)', () => {
  const prefixes: string[] = [];
  afterAll(() => Promise.all(prefixes.map(deleteKeys)));

  async function world(name: string, sandboxOptions: Parameters<typeof startSandbox>[0] = {}) {
    const prefix = uniquePrefix(name);
    prefixes.push(prefix);
    const sandbox = await startSandbox({ accounts: [ACCOUNT], ...sandboxOptions });
    const proxy = await new TcpProxy(REDIS_PORT, REDIS_HOST).start();
    const svc = await startApp(
      serviceEnv(sandbox.url, ACCOUNT, {
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        CACHE_KEY_PREFIX: prefix,
        PUBLIC_BASE_URL: 'http://h5.test',
        REDIS_COMMAND_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
        WECHAT_HTTP_TIMEOUT_MS: String(WECHAT_TIMEOUT_MS),
      }),
    );
    return {
      sandbox,
      proxy,
      svc,
      close: async () => {
        await svc.close();
        await proxy.cut();
        await sandbox.close();
      },
    };
  }

  describe('mid-load', () => {
    let w: Awaited<ReturnType<typeof world>>;
    beforeAll(async () => {
      w = await world('stall');
    });
    afterAll(() => w?.close());

    it('signs from memory, answers session routes 503 in time, reports degraded, and is back within 10 s', async () => {
      const { svc, sandbox, proxy } = w;
      const alice = await loggedInClient(svc.url, sandbox.sandbox);
      expect((await alice.get('/wechat/oauth/me', 'application/json')).status).toBe(200);
      const load = signingLoad(svc.url, 8);
      await load.responses(100);

      proxy.stall();
      // the first operation to meet the stall waits one time limit; after it the store counts as down
      const me = await timed(() => alice.get('/wechat/oauth/me', 'application/json'));
      const login = await timed(() => new CookieClient(svc.url).get('/wechat/oauth/login?returnTo=%2Fx'));
      const health = await timed(() => getJson(`${svc.url}/health`));
      await load.responses(200);

      expect(me).toMatchObject({ status: 503, json: { statusCode: 503, code: 'SESSION_STORE_UNAVAILABLE' } });
      expect(login).toMatchObject({ status: 503, json: { code: 'SESSION_STORE_UNAVAILABLE' } });
      // never a redirect to WeChat for a state that could not be kept
      expect(login.location).toBeUndefined();
      expect(health.json).toMatchObject({ status: 'degraded', redis: 'down' });
      for (const r of [me, login, health]) expect(r.ms).toBeLessThan(BOUND_MS);

      proxy.resume();
      const resumedAt = Date.now();
      expect(await eventually(async () => (await getJson(`${svc.url}/health`)).json.status === 'ok', 10_000, 100)).toBe(true);
      const bob = await loggedInClient(svc.url, sandbox.sandbox);
      expect((await bob.get('/wechat/oauth/me', 'application/json')).status).toBe(200);
      expect(Date.now() - resumedAt).toBeLessThan(10_000);

      const results = await load.stop();
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(BOUND_MS);
      const ticket = sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!;
      for (const r of results) expect(r.json.signature).toBe(expectedSignature(ticket, r.json.nonceStr, r.json.timestamp, r.url));
    }, 40_000);
  });

  describe('while the ticket expires', () => {
    let w: Awaited<ReturnType<typeof world>>;
    beforeAll(async () => {
      w = await world('stall-expiry', { tokenExpiresInSec: 3, ticketExpiresInSec: 3, graceSec: 1 });
    });
    afterAll(() => w?.close());

    it('keeps signing with valid tickets by fetching without the lock, each answer within the bound', async () => {
      const { svc, sandbox, proxy } = w;
      expect((await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' })).status).toBe(200);
      const fetchesBefore = sandbox.sandbox.calls('cgi-bin/ticket/getticket');
      const invalid: LoadResult[] = [];
      const load = signingLoad(svc.url, 6, (r) => {
        if (r.status !== 200) return;
        const ticket = sandbox.sandbox
          .issuedSecrets()
          .find((t) => expectedSignature(t, r.json.nonceStr, r.json.timestamp, r.url) === r.json.signature);
        if (!ticket || !sandbox.sandbox.state.isTicketValid(ACCOUNT.appId, 'jsapi', ticket)) invalid.push(r);
      });
      proxy.stall();
      const stalledAt = Date.now();
      // two ticket lifetimes pass while Redis stays silent
      expect(await eventually(async () => Date.now() - stalledAt > 6500, 10_000, 100)).toBe(true);
      const results = await load.stop();
      proxy.resume();

      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(invalid).toEqual([]);
      expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(BOUND_MS);
      // the ticket was fetched again during the stall (without the lock), not served past its life
      expect(sandbox.sandbox.calls('cgi-bin/ticket/getticket')).toBeGreaterThan(fetchesBefore);
    }, 40_000);
  });

  describe('refused and reset connections', () => {
    let w: Awaited<ReturnType<typeof world>>;
    beforeAll(async () => {
      w = await world('refused');
    });
    afterAll(() => w?.close());

    it('answers every session route 503 SESSION_STORE_UNAVAILABLE in the JSON shape, never a 500 or a redirect', async () => {
      const { svc, sandbox, proxy } = w;
      const alice = await loggedInClient(svc.url, sandbox.sandbox);
      const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size: 100 });
      // refused: every answer fails; reset: node-redis reconnects at once, so some may already succeed
      for (const [breakIt, allFail] of [
        [() => proxy.cut(), true],
        [async () => proxy.reset(), false],
      ] as const) {
        await breakIt();
        const answers = await Promise.all([
          alice.get('/wechat/oauth/me', 'application/json'),
          alice.get('/wechat/oauth/me', 'text/html'),
          new CookieClient(svc.url).get('/wechat/oauth/login'),
          alice.post('/wechat/oauth/logout'),
          alice.post(`/wechat/media/${mediaId}`),
          alice.get(`/wechat/media/${mediaId}`, 'application/json'),
        ]);
        const failed = answers.filter((answer) => answer.status === 503);
        if (allFail) expect(failed).toHaveLength(answers.length);
        for (const answer of failed) {
          expect(answer.json).toMatchObject({ statusCode: 503, code: 'SESSION_STORE_UNAVAILABLE' });
          expect(answer.location).toBeUndefined();
        }
        expect(answers.every((answer) => answer.status < 500 || answer.status === 503)).toBe(true);
        await proxy.restore().catch(() => undefined);
        expect(await eventually(async () => (await getJson(`${svc.url}/health`)).json.status === 'ok', 10_000, 100)).toBe(true);
      }
    }, 40_000);
  });
});
