import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { postJson, type RunningApp, serviceEnv, startApp, PLATFORMS } from '../support/app.js';
import { CookieClient } from '../support/browser-client.js';
import { deleteKeys, uniquePrefix } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wx9c9cadadbebecfcf', appSecret: 'randomness-e2e-secret-0123' };

describe.each(PLATFORMS)('nonces and login states come from the CSPRNG, not Math.random, on %s', (platform) => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  const prefix = uniquePrefix('random');
  const realRandom = Math.random;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    svc = await startApp(
      serviceEnv(sandbox.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix, PUBLIC_BASE_URL: 'http://h5.test' }),
      platform,
    );
    // warm the ticket before Math.random is pinned: the retry jitter may use it, the nonces must not
    expect((await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' })).status).toBe(200);
    Math.random = () => 0.5;
  });
  afterAll(async () => {
    Math.random = realRandom;
    await svc?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  it('gives a different, uniform-looking nonce on every signature while Math.random is constant', async () => {
    const nonces = [];
    for (let i = 0; i < 200; i++)
      nonces.push((await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' })).json.nonceStr as string);
    expect(new Set(nonces).size).toBe(nonces.length);
    // 3,200 characters over 62 symbols: each appears, none dominates
    const counts = new Map<string, number>();
    for (const ch of nonces.join('')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect(Math.max(...counts.values())).toBeLessThan(120);
  });

  it('gives a different login state on every login while Math.random is constant', async () => {
    const states = [];
    for (let i = 0; i < 50; i++) {
      const login = await new CookieClient(svc.url).get('/wechat/oauth/login');
      states.push(new URL(login.location!.replace('#wechat_redirect', '')).searchParams.get('state'));
    }
    expect(new Set(states).size).toBe(states.length);
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});
