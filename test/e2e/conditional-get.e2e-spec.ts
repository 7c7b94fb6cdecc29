import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { PLATFORMS, type RunningApp, serviceEnv, startApp } from '../support/app.js';
import { rawRequest } from '../support/media-client.js';

const ACCOUNT = { appId: 'wxc0nd1t10na1get01', appSecret: 'conditional-get-secret-0123' };

describe.each(PLATFORMS)('a conditional GET on %s', (platform) => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    svc = await startApp(serviceEnv(sandbox.url, ACCOUNT, { REDIS_URL: '' }), platform);
  });
  afterAll(async () => {
    await svc?.close();
    await sandbox?.close();
  });

  it.each(['/health', '/wechat/jssdk/config?url=https%3A%2F%2Fh5.example.com%2F'])(
    'answers %s in full whatever If-None-Match and If-Modified-Since say (no answer here is conditional)',
    async (path) => {
      // a raw request: fetch adds Cache-Control: no-cache to a conditional request, which hides the 304
      const headers = { 'if-none-match': '*', 'if-modified-since': 'Wed, 21 Oct 2099 07:28:00 GMT' };
      const response = await rawRequest(svc.url, 'GET', path, headers);
      expect(response.status).toBe(200);
      expect(Object.keys(JSON.parse(response.body) as object).length).toBeGreaterThan(0);
    },
  );
});
