import { PrometheusMetrics } from '../../src/nest/metrics/prometheus-metrics.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { getJson, type RunningApp, serviceEnv, startApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { type LoadResult, signingLoad } from '../support/load.js';
import { deleteKeys, listKeys, REDIS_HOST, REDIS_PORT, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const ACCOUNT = { appId: 'wx9876fedc5432abcd', appSecret: 'resilience-e2e-secret-0123' };
const TICKET = 'cgi-bin/ticket/getticket';
const STABLE = 'cgi-bin/stable_token';

describe('resilience under load', () => {
  const prefixes: string[] = [];
  afterAll(() => Promise.all(prefixes.map(deleteKeys)));

  describe('Redis cut mid-load (TCP proxy in front of Redis)', () => {
    let sandbox: SandboxServer;
    let proxy: TcpProxy;
    let svc: RunningApp;
    const prefix = uniquePrefix('cut');
    prefixes.push(prefix);

    beforeAll(async () => {
      sandbox = await startSandbox({ accounts: [ACCOUNT] });
      proxy = await new TcpProxy(REDIS_PORT, REDIS_HOST).start();
      svc = await startApp(
        serviceEnv(sandbox.url, ACCOUNT, { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, CACHE_KEY_PREFIX: prefix }),
      );
    });
    afterAll(async () => {
      await svc?.close();
      await proxy?.cut();
      await sandbox?.close();
    });

    it('keeps signing from the in-process tier, reports degraded, recovers within seconds, leaves no lock', async () => {
      const health = async () => (await getJson(`${svc.url}/health`)).json.status as string;
      expect(await health()).toBe('ok');
      const load = signingLoad(svc.url, 16);
      await load.responses(200);
      await proxy.cut();
      expect(await eventually(async () => (await health()) === 'degraded', 5000)).toBe(true);
      await load.responses(500);
      await proxy.restore();
      const restoredAt = Date.now();
      expect(await eventually(async () => (await health()) === 'ok', 5000)).toBe(true);
      const recoveryMs = Date.now() - restoredAt;
      await load.responses(200);
      const results = await load.stop();

      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      const ticket = sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!;
      for (const r of results) expect(r.json.signature).toBe(expectedSignature(ticket, r.json.nonceStr, r.json.timestamp, r.url));
      expect(recoveryMs).toBeLessThan(5000);
      expect((await listKeys(prefix)).filter((k) => k.endsWith(':lock'))).toEqual([]);
      expect(sandbox.sandbox.calls(TICKET)).toBe(1);
    }, 30_000);
  });

  describe('WeChat flapping while the credentials expire under load', () => {
    let sandbox: SandboxServer;
    let svc: RunningApp;
    const prefix = uniquePrefix('flap');
    prefixes.push(prefix);
    const LIFETIME_S = 2;

    beforeAll(async () => {
      sandbox = await startSandbox({
        accounts: [ACCOUNT],
        tokenExpiresInSec: LIFETIME_S,
        ticketExpiresInSec: LIFETIME_S,
        graceSec: 1,
      });
      svc = await startApp(serviceEnv(sandbox.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix, WECHAT_HTTP_TIMEOUT_MS: '300' }));
    });
    afterAll(async () => {
      await svc?.close();
      await sandbox?.close();
    });

    it('never answers 500; every 200 carries a valid signature; WeChat calls stay within the retry policy', async () => {
      const faults = [
        { kind: 'errcode', errcode: 40001 },
        { kind: 'errcode', errcode: -1 },
        { kind: 'http', status: 500 },
        { kind: 'slow', delayMs: 600 },
        { kind: 'drop' },
        { kind: 'garbage' },
      ] as const;
      // WeChat alternates between failing and answering: each fault is followed by a normal answer.
      const pass = { kind: 'slow', delayMs: 0 } as const;
      for (let round = 0; round < 4; round++) {
        for (const fault of faults) {
          sandbox.sandbox.injectFault(TICKET, fault);
          sandbox.sandbox.injectFault(TICKET, pass);
          if ('errcode' in fault && fault.errcode === 40001) continue;
          sandbox.sandbox.injectFault(STABLE, fault);
          sandbox.sandbox.injectFault(STABLE, pass);
        }
      }
      const invalid: LoadResult[] = [];
      const startedAt = Date.now();
      const load = signingLoad(svc.url, 12, (r) => {
        if (r.status !== 200) return;
        // The ticket that signed it must be one WeChat would accept right now.
        const ticket = sandbox.sandbox
          .issuedSecrets()
          .find((t) => expectedSignature(t, r.json.nonceStr, r.json.timestamp, r.url) === r.json.signature);
        if (!ticket || !sandbox.sandbox.state.isTicketValid(ACCOUNT.appId, 'jsapi', ticket)) invalid.push(r);
      });
      await eventually(async () => Date.now() - startedAt > 3.5 * LIFETIME_S * 1000, 20_000, 100);
      const results = await load.stop();
      const seconds = (Date.now() - startedAt) / 1000;

      const statuses = new Set(results.map((r) => r.status));
      // Enough refreshes happened for the faults to be met.
      expect(sandbox.sandbox.calls(TICKET)).toBeGreaterThanOrEqual(6);
      expect([...statuses].every((s) => s === 200 || s === 503)).toBe(true);
      expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(results.length / 2);
      expect(invalid).toEqual([]);

      // Every call to WeChat belongs to a fetch: at most 3 attempts, doubled by one token-invalid retry.
      const text = await app(svc).registry.metrics();
      const refreshes = (credential: string) => sumOf(text, 'wechat_credential_refreshes_total', `credential="${credential}"`);
      expect(sandbox.sandbox.calls(TICKET)).toBeLessThanOrEqual(3 * 2 * refreshes('jsapi_ticket'));
      expect(sandbox.sandbox.calls(STABLE)).toBeLessThanOrEqual(3 * 2 * refreshes('access_token'));
      // Fetches per credential: one per window plus at most one per failure cooldown (1 s).
      const bound = Math.ceil(seconds / 1) + Math.ceil(seconds / LIFETIME_S) + 2;
      expect(refreshes('jsapi_ticket')).toBeLessThanOrEqual(bound);
      expect(refreshes('access_token')).toBeLessThanOrEqual(bound);
    }, 40_000);
  });
});

const app = (svc: RunningApp) => svc.app.get(PrometheusMetrics);

function sumOf(text: string, name: string, label: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(label))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
