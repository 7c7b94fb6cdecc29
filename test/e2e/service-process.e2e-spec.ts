import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_ACCOUNT } from '../../src/service/config/app-config.js';
import { getJson } from '../support/app.js';
import { freePort, runServiceToExit, type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { REDIS_URL } from '../support/redis-keys.js';

/** What a new user meets: `npm start` with no credentials, and a bad configuration. */
describe('the built service as a process', () => {
  describe('with no credentials (sandbox mode, like npm start on a fresh clone)', () => {
    let svc: ServiceProcess;
    beforeAll(async () => {
      const port = await freePort();
      svc = await startServiceProcess({ PORT: String(port), LOG_LEVEL: 'info' });
    }, 30_000);
    afterAll(() => svc?.stop());

    it('serves a valid-looking signature from the built-in simulator', async () => {
      const { status, json } = await getJson(`${svc.url}/wechat/jssdk/config?url=${encodeURIComponent('http://localhost/demo')}`);
      expect(status).toBe(200);
      expect(json.appId).toBe(SANDBOX_ACCOUNT.appId);
      expect(json.signature).toMatch(/^[0-9a-f]{40}$/);
    });

    it('says so on /health', async () => {
      const { json } = await getJson(`${svc.url}/health`);
      expect(json).toEqual({ status: 'ok', cache: 'memory', redis: 'unused', sandbox: true });
    });

    it('logs the simulated WeChat calls with their secrets redacted', () => {
      const logs = svc.output();
      expect(logs).toMatch(/\/sandbox\/cgi-bin\/ticket\/getticket\?access_token=\*\*\*/);
      expect(logs).not.toMatch(/access_token=(?!\*\*\*)/);
      expect(logs).not.toContain(SANDBOX_ACCOUNT.appSecret);
    });

    it('says at start-up that voices can be made playable (ffmpeg found on the PATH)', () => {
      expect(svc.output()).toMatch(/voice transcoding: available \(ffmpeg version [^)]+\)/);
    });
  });

  it('says at start-up that voice transcoding is unavailable when ffmpeg is not on the PATH', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-ffmpeg-'));
    const port = await freePort();
    const svc = await startServiceProcess({ PORT: String(port), LOG_LEVEL: 'info', PATH: empty });
    try {
      expect(svc.output()).toMatch(
        /voice transcoding: unavailable, ffmpeg cannot be run \(\?format=mp3 answers 415 FORMAT_UNAVAILABLE\)/,
      );
      expect((await getJson(`${svc.url}/health`)).status).toBe(200);
    } finally {
      await svc.stop();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('reports Redis on /health when REDIS_URL is set', async () => {
    const port = await freePort();
    const svc = await startServiceProcess({ PORT: String(port), REDIS_URL, LOG_LEVEL: 'info' });
    try {
      const { json } = await getJson(`${svc.url}/health`);
      expect(json).toEqual({ status: 'ok', cache: 'redis', redis: 'up', sandbox: true });
    } finally {
      await svc.stop();
    }
  }, 30_000);

  it('refuses to start on invalid configuration with one line per problem', async () => {
    const { code, output } = await runServiceToExit({ PORT: 'abc', WECHAT_TOKEN_MODE: 'fast' });
    expect(code).toBe(1);
    expect(output).toMatch(/^ {2}PORT: .+$/m);
    expect(output).toMatch(/^ {2}WECHAT_TOKEN_MODE: must be stable or classic/m);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('refuses to start in production without credentials', async () => {
    const { code, output } = await runServiceToExit({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) });
    expect(code).toBe(1);
    expect(output).toContain('WECHAT_APP_ID: is required in production');
  });
});
