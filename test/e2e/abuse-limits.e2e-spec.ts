import { createClient } from 'redis';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { type RunningApp, serviceEnv, startApp, PLATFORMS } from '../support/app.js';
import { deleteKeys, listKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wx8a8a9b9bacacbdbd', appSecret: 'abuse-e2e-secret-0123456789' };
const FLOOD = 2000;
const LIMIT = 300;
const STATE_TTL_MS = 10 * 60_000;

/** GET without cookies and without following redirects: status, Retry-After, body. */
async function anonymousLogin(base: string, returnTo: string) {
  const response = await fetch(`${base}/wechat/oauth/login?returnTo=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    location: response.headers.get('location'),
    text,
  };
}

/** Runs `total` tasks, `concurrency` at a time. */
async function inParallel<T>(total: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

describe.each(PLATFORMS)('abuse limits: a flood of anonymous logins against two instances sharing Redis, on %s', (platform) => {
  let sandbox: SandboxServer;
  const apps: RunningApp[] = [];
  const prefix = uniquePrefix('flood');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    const env = serviceEnv(sandbox.url, ACCOUNT, {
      CACHE_KEY_PREFIX: prefix,
      PUBLIC_BASE_URL: 'http://h5.test',
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
    });
    apps.push(await startApp(env, platform), await startApp(env, platform));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  it(`${FLOOD} cookieless /login requests: ${LIMIT} redirects in all, then 429 with Retry-After; no session outlives its login state`, async () => {
    const longReturnTo = `/page?${'x'.repeat(1800)}`;
    const results = await inParallel(FLOOD, 20, (i) => anonymousLogin(apps[i % 2].url, i % 3 === 0 ? longReturnTo : '/p'));

    const redirected = results.filter((r) => r.status === 302);
    const limited = results.filter((r) => r.status === 429);
    // counted in Redis: the two instances share one count per client
    expect(redirected).toHaveLength(LIMIT);
    expect(limited).toHaveLength(FLOOD - LIMIT);
    for (const r of limited) {
      expect(JSON.parse(r.text)).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
      expect(r.location).toBeNull();
    }

    const sessions = (await listKeys(prefix)).filter((k) => k.startsWith(`${prefix}sess:`));
    expect(sessions).toHaveLength(LIMIT);
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      const ttls = await Promise.all(sessions.map((k) => redis.pTTL(k)));
      expect(Math.max(...ttls)).toBeLessThanOrEqual(STATE_TTL_MS);
      expect(Math.min(...ttls)).toBeGreaterThan(0);
    } finally {
      await redis.quit();
    }
  }, 60_000);

  it('does not limit the signing routes (many users share one address behind carriers’ NAT)', async () => {
    const results = await inParallel(
      LIMIT + 50,
      10,
      async () => (await fetch(`${apps[0].url}/wechat/jssdk/config?url=${encodeURIComponent('https://h5.example.com/')}`)).status,
    );
    expect(results.every((s) => s === 200)).toBe(true);
  });

  it('RATE_LIMIT_PER_MINUTE=0 turns the limits off', async () => {
    const env = serviceEnv(sandbox.url, ACCOUNT, {
      CACHE_KEY_PREFIX: `${prefix}off:`,
      PUBLIC_BASE_URL: 'http://h5.test',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    const svc = await startApp(env, platform);
    try {
      const statuses = await inParallel(LIMIT + 20, 10, async () => (await anonymousLogin(svc.url, '/')).status);
      expect(statuses.every((s) => s === 302)).toBe(true);
    } finally {
      await svc.close();
    }
  }, 30_000);
});

describe.each(PLATFORMS)(
  'TRUST_PROXY: the client address is the entry the trusted proxy added, never one the client wrote, on %s',
  (platform) => {
    let sandbox: SandboxServer;
    const prefix = uniquePrefix('trustproxy');
    const LIMITED = 5;

    beforeAll(async () => {
      sandbox = await startSandbox({ accounts: [ACCOUNT] });
    });
    afterAll(async () => {
      await sandbox?.close();
      await deleteKeys(prefix);
    });

    /** A login as it reaches the service through one proxy: the client's own header, then the address the proxy saw. */
    const throughProxy = (base: string, written: string, seenByProxy: string) =>
      fetch(`${base}/wechat/oauth/login`, {
        redirect: 'manual',
        headers: { 'x-forwarded-for': `${written}, ${seenByProxy}` },
      }).then((r) => r.status);

    it.each([
      ['a hop count', '1'],
      ['the proxy address', '127.0.0.1'],
      ['the proxy network', '127.0.0.0/8, ::1'],
    ])('with %s, a client writing a new X-Forwarded-For each time is still one client', async (_name, trust) => {
      const svc = await startApp(
        serviceEnv(sandbox.url, ACCOUNT, {
          CACHE_KEY_PREFIX: `${prefix}${trust.replace(/\W/g, '')}:`,
          PUBLIC_BASE_URL: 'http://h5.test',
          RATE_LIMIT_PER_MINUTE: String(LIMITED),
          TRUST_PROXY: trust,
        }),
        platform,
      );
      try {
        const spoofing = [];
        for (let i = 0; i < LIMITED + 3; i++) spoofing.push(await throughProxy(svc.url, `10.9.${i}.1`, '203.0.113.9'));
        expect(spoofing).toEqual([...Array(LIMITED).fill(302), 429, 429, 429]);
        // another real client behind the same proxy has its own budget
        expect(await throughProxy(svc.url, '10.9.0.1', '203.0.113.10')).toBe(302);
      } finally {
        await svc.close();
      }
    });

    it('TRUST_PROXY=true (refused in production) believes what the client wrote: the hole the hop count closes', async () => {
      const svc = await startApp(
        serviceEnv(sandbox.url, ACCOUNT, {
          CACHE_KEY_PREFIX: `${prefix}all:`,
          PUBLIC_BASE_URL: 'http://h5.test',
          RATE_LIMIT_PER_MINUTE: String(LIMITED),
          TRUST_PROXY: 'true',
        }),
        platform,
      );
      try {
        const spoofing = [];
        for (let i = 0; i < LIMITED + 3; i++) spoofing.push(await throughProxy(svc.url, `10.9.${i}.1`, '203.0.113.9'));
        expect(spoofing).toEqual(Array(LIMITED + 3).fill(302));
      } finally {
        await svc.close();
      }
    });
  },
);
