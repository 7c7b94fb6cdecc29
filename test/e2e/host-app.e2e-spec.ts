import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { deleteKeys, listKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';
import { lockedVersions, npm, packTarball, readmeBlocks, REPO, run } from '../support/packed-host.js';

const HOST_TEMPLATE = join(REPO, 'test/host-app');
const TSC = join(REPO, 'node_modules/.bin/tsc');
const ACCOUNT = { appId: 'wx3333cccc4444dddd', appSecret: 'host-app-e2e-secret-0123456789' };
const PUBLIC = 'http://h5.test';
const PAGE = 'https://h5.example.com/item/7?from=share';
const HOST_API = ['updateAppMessageShareData', 'updateTimelineShareData'];

describe('the packed package inside a separate Nest app (npm pack → npm install → tsc → node)', () => {
  const prefix = uniquePrefix('host-app');
  const temps: string[] = [];
  const hosts: ServiceProcess[] = [];
  let sandbox: SandboxServer;
  let tarball: string;
  let hostDir: string;
  let host: ServiceProcess;
  let hostWithoutRoutes: ServiceProcess;

  const tempDir = async (name: string) => {
    const dir = await realpath(await mkdtemp(join(tmpdir(), `nest-wechat-h5-${name}-`)));
    temps.push(dir);
    return dir;
  };

  beforeAll(async () => {
    tarball = await packTarball(tempDir);

    hostDir = await tempDir('host');
    await cp(HOST_TEMPLATE, hostDir, { recursive: true, filter: (src) => !src.endsWith('package.template.json') });
    const blocks = readmeBlocks(await readFile(join(REPO, 'README.md'), 'utf8'));
    expect([...blocks.keys()]).toEqual(
      expect.arrayContaining(['src/app.module.ts', 'src/orders.controller.ts', 'src/share.controller.ts']),
    );
    for (const [path, code] of blocks) {
      // this host runs on Fastify: the Express entry point is test/e2e/host-platforms.e2e-spec.ts's
      if (path.endsWith('.express.ts')) continue;
      await mkdir(join(hostDir, path, '..'), { recursive: true });
      await writeFile(join(hostDir, path), code);
    }
    const template = JSON.parse(await readFile(join(HOST_TEMPLATE, 'package.template.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const locked = await lockedVersions();
    const pin = (deps: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(deps).map(([name, wanted]) => [
          name,
          name === 'nest-wechat-h5' ? `file:${tarball}` : /^\d/.test(wanted) ? wanted : locked(name),
        ]),
      );
    await writeFile(
      join(hostDir, 'package.json'),
      JSON.stringify(
        {
          ...template,
          dependencies: pin(template.dependencies),
          devDependencies: pin(template.devDependencies),
        },
        null,
        2,
      ),
    );

    const installStart = Date.now();
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], hostDir);
    const installSeconds = (Date.now() - installStart) / 1000;
    expect(installSeconds).toBeLessThan(60);

    const { size } = await stat(tarball);
    // `tar -tv` lines: mode owner size date time path
    const listing = (await run('tar', ['-tvzf', tarball])).stdout.split('\n').filter(Boolean);
    const unpacked = listing.reduce((sum, line) => sum + Number(line.split(/\s+/)[2]), 0);
    console.log(
      `host-app: packed ${basename(tarball)} = ${(size / 1024).toFixed(1)} KiB, ${(unpacked / 1024).toFixed(1)} KiB unpacked ` +
        `in ${listing.length} files; npm install in the host took ${installSeconds.toFixed(1)} s`,
    );

    sandbox = await startSandbox({ accounts: [ACCOUNT] });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await sandbox?.close();
    await deleteKeys(prefix);
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  const hostEnv = (extra: Record<string, string> = {}) => ({
    PORT: '0',
    WECHAT_APP_ID: ACCOUNT.appId,
    WECHAT_APP_SECRET: ACCOUNT.appSecret,
    WECHAT_API_BASE_URL: sandbox.url,
    WECHAT_OPEN_BASE_URL: sandbox.url,
    WECHAT_JS_DOMAINS: 'h5.example.com',
    REDIS_URL,
    CACHE_KEY_PREFIX: prefix,
    PUBLIC_BASE_URL: PUBLIC,
    SESSION_SECRET: 'host-app-session-secret-of-32-chars-at-least',
    ...extra,
  });

  const startHost = async (extra: Record<string, string> = {}) => {
    const started = await startServiceProcess(hostEnv(extra), 20_000, { main: join(hostDir, 'dist/main.js'), cwd: hostDir });
    hosts.push(started);
    return started;
  };

  const expectValidConfig = (body: { appId: string; signature: string; nonceStr: string; timestamp: number }, url: string) => {
    const ticket = sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi');
    expect(ticket).toBeDefined();
    expect(body.appId).toBe(ACCOUNT.appId);
    expect(body.signature).toBe(expectedSignature(ticket!, body.nonceStr, body.timestamp, url));
  };

  describe('the tarball', () => {
    let entries: string[];
    beforeAll(async () => {
      entries = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);
    });

    it('holds only package.json, README.md, LICENSE, the docs the README links to, and dist/**', () => {
      expect(entries).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/LICENSE']));
      expect(
        entries.filter((e) => !/^package\/(package\.json|README\.md|CHANGELOG\.md|LICENSE|docs\/[a-z-]+\.md|dist\/.+)$/.test(e)),
      ).toEqual([]);
    });

    it('has no source maps, specs, sources, tests or build info', () => {
      expect(entries.filter((e) => /\.map$|\.spec\.|\/src\/|\/test\/|\.tsbuildinfo$/.test(e))).toEqual([]);
    });

    it('has every file its package.json points at', async () => {
      const manifest = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout) as {
        main: string;
        types: string;
        exports: Record<string, string | Record<string, string>>;
      };
      const targets = [
        manifest.main,
        manifest.types,
        ...Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t))),
      ];
      expect(targets).toEqual(expect.arrayContaining(['./dist/index.js', './dist/index.d.ts', './dist/sandbox/index.js']));
      for (const target of targets) expect(entries).toContain(`package/${target.replace(/^\.\//, '')}`);
    });
  });

  describe('the host app', () => {
    let compiled: string[];
    beforeAll(async () => {
      // --listFiles: every file the compiler read, to show where nest-wechat-h5's types came from
      const { stdout } = await run(TSC, ['-p', join(hostDir, 'tsconfig.json'), '--listFiles'], { cwd: hostDir }).catch(
        (error) => {
          throw new Error(`the host app does not compile:\n${(error as { stdout?: string }).stdout ?? error}`);
        },
      );
      compiled = stdout.split('\n').filter(Boolean);
      host = await startHost();
      hostWithoutRoutes = await startHost({ HOST_VARIANT: 'no-builtin-routes' });
    }, 60_000);

    it('installs the package into its own node_modules, without sources', () => {
      const installed = join(hostDir, 'node_modules/nest-wechat-h5');
      expect(existsSync(join(installed, 'package.json'))).toBe(true);
      expect(existsSync(join(installed, 'dist/index.js'))).toBe(true);
      expect(existsSync(join(installed, 'src'))).toBe(false);
    });

    it('compiles against the installed package and nothing of this repo but the compiler', () => {
      expect(compiled).toContain(join(hostDir, 'node_modules/nest-wechat-h5/dist/index.d.ts'));
      expect(compiled).toContain(join(hostDir, 'src/app.module.ts'));
      const fromRepo = compiled.filter((f) => f.startsWith(REPO) && !f.startsWith(join(REPO, 'node_modules/typescript/lib/')));
      expect(fromRepo).toEqual([]);
    });

    it('loads both entry points of the package in plain Node', async () => {
      const probe =
        "const [main, sandbox] = await Promise.all([import('nest-wechat-h5'), import('nest-wechat-h5/sandbox')]);" +
        'console.log(typeof main.WechatModule, typeof main.WechatAuthGuard, typeof sandbox.startSandbox)';
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: hostDir });
      expect(stdout.trim()).toBe('function function function');
    });

    it("signs a page url through the host's own route over WechatAccounts", async () => {
      const r = await new CookieClient(host.url).get(
        `/share-config?url=${encodeURIComponent(`${PAGE}#/detail`)}`,
        'application/json',
      );
      expect(r.status).toBe(200);
      expectValidConfig(r.json, PAGE);
      expect(r.json.jsApiList).toEqual(HOST_API);
    });

    it('takes jsDomains from its ConfigService and answers a refusal as problem JSON', async () => {
      const r = await new CookieClient(host.url).get(
        `/share-config?url=${encodeURIComponent('https://evil.example.org/')}`,
        'application/json',
      );
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ statusCode: 400, code: 'DOMAIN_NOT_ALLOWED' });
    });

    it("guards the host's own route, and lets the user in after a login through the built-in routes", async () => {
      const client = new CookieClient(host.url);
      const denied = await client.get('/orders', 'application/json');
      expect(denied.status).toBe(401);
      expect(denied.json).toMatchObject({
        code: 'NOT_AUTHENTICATED',
        loginUrl: `/wechat/oauth/login?returnTo=${encodeURIComponent('/orders')}`,
      });

      const login = await client.get(denied.json.loginUrl);
      expect(login.status).toBe(302);
      // openBaseUrl and publicBaseUrl came through the host's ConfigService
      expect(
        login.location!.startsWith(
          `${sandbox.url}/connect/oauth2/authorize?appid=${ACCOUNT.appId}&redirect_uri=${encodeURIComponent(`${PUBLIC}/wechat/oauth/callback`)}&`,
        ),
      ).toBe(true);
      const redirect = sandbox.sandbox.authorize(login.location!, { user: 'alice' });
      expect(redirect.startsWith(`${PUBLIC}/wechat/oauth/callback?`)).toBe(true);
      const callback = await client.get(pathOf(redirect));
      expect(callback).toMatchObject({ status: 302, location: '/orders' });

      const orders = await client.get('/orders', 'application/json');
      expect(orders.status).toBe(200);
      expect(orders.json).toEqual({ owner: sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'), nickname: 'Alice 小明' });
      // registerSessions got the package's Redis client: the session lives under the host's prefix
      expect((await listKeys(`${prefix}sess:`)).length).toBeGreaterThanOrEqual(1);
    });

    it('serves the built-in /wechat/jssdk/config route', async () => {
      const page = 'https://h5.example.com/built-in?x=1';
      const r = await new CookieClient(host.url).post('/wechat/jssdk/config', { url: page, jsApiList: ['chooseImage'] });
      expect(r.status).toBe(200);
      expectValidConfig(r.json, page);
      expect(r.json.jsApiList).toEqual(['chooseImage']);
    });

    describe("with the host's own @nestjs/cache-manager cache (Keyv, @keyv/redis) and node-redis 5 client", () => {
      const keyvPrefix = uniquePrefix('host-keyv');
      let instances: ServiceProcess[];
      afterAll(() => deleteKeys(`keyv::keyv:${keyvPrefix}`));
      beforeAll(async () => {
        sandbox.sandbox.resetCalls();
        // the second instance leaves the client out: the module finds it behind the Keyv store
        instances = await Promise.all(
          ['yes', 'no'].map((pass) =>
            startHost({ HOST_VARIANT: 'keyv-cache', CACHE_KEY_PREFIX: keyvPrefix, HOST_PASS_CLIENT: pass }),
          ),
        );
      }, 60_000);
      afterAll(() => deleteKeys(keyvPrefix));

      it('makes one token and one ticket fetch for a cold burst over two host instances', async () => {
        const results = await Promise.all(
          instances.flatMap((instance) =>
            Array.from({ length: 30 }, (_, i) =>
              new CookieClient(instance.url)
                .post('/wechat/jssdk/config', { url: `${PAGE}&n=${i}` })
                .then((r) => ({ ...r, url: `${PAGE}&n=${i}` })),
            ),
          ),
        );
        expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
        for (const r of results) expectValidConfig(r.json, r.url);
        expect(sandbox.sandbox.calls('cgi-bin/stable_token')).toBe(1);
        expect(sandbox.sandbox.calls('cgi-bin/ticket/getticket')).toBe(1);
      });

      it('keeps a login session that the other instance reads', async () => {
        const client = new CookieClient(instances[0]!.url);
        const login = await client.get('/wechat/oauth/login?returnTo=%2Forders');
        const callback = await client.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
        expect(callback).toMatchObject({ status: 302, location: '/orders' });
        const other = new CookieClient(instances[1]!.url);
        for (const [name, value] of client.cookies) other.cookies.set(name, value);
        expect((await other.get('/orders', 'application/json')).json.owner).toBe(
          sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice'),
        );
      });
    });

    describe('with a cache whose Redis client connects lazily (@keyv/redis given a url)', () => {
      const lazyPrefix = uniquePrefix('host-lazy');
      // Keyv writes the values under its own namespace in front of the module's prefix
      const inKeyv = `keyv::keyv:${lazyPrefix}`;
      afterAll(() => Promise.all([deleteKeys(lazyPrefix), deleteKeys(inKeyv)]));

      it('waits for the client instead of taking it for down: one token and one ticket fetch for two cold instances', async () => {
        sandbox.sandbox.resetCalls();
        const instances = await Promise.all(
          [1, 2].map(() => startHost({ HOST_VARIANT: 'keyv-lazy', CACHE_KEY_PREFIX: lazyPrefix })),
        );
        const results = await Promise.all(
          instances.flatMap((instance) =>
            Array.from({ length: 20 }, (_, i) =>
              new CookieClient(instance.url).post('/wechat/jssdk/config', { url: `${PAGE}&lazy=${i}` }),
            ),
          ),
        );
        expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
        expect(sandbox.sandbox.calls('cgi-bin/stable_token')).toBe(1);
        expect(sandbox.sandbox.calls('cgi-bin/ticket/getticket')).toBe(1);
        // shared in Redis, not kept by one process
        const keys = await listKeys(inKeyv);
        expect(keys.some((key) => key.endsWith(':access_token'))).toBe(true);
        expect(keys.some((key) => key.endsWith(':jsapi_ticket'))).toBe(true);
        for (const instance of instances) expect(instance.output()).not.toContain('not answering');
      }, 60_000);
    });

    describe('with routes: false on both modules', () => {
      it('has no built-in routes', async () => {
        const client = new CookieClient(hostWithoutRoutes.url);
        expect((await client.post('/wechat/jssdk/config', { url: PAGE })).status).toBe(404);
        expect((await client.get('/wechat/jssdk/config?url=' + encodeURIComponent(PAGE), 'application/json')).status).toBe(404);
        expect((await client.get('/wechat/oauth/login?returnTo=%2Forders')).status).toBe(404);
        expect((await client.get('/wechat/oauth/me', 'application/json')).status).toBe(404);
      });

      it("still signs through the host's own route and guards its own route", async () => {
        const client = new CookieClient(hostWithoutRoutes.url);
        const r = await client.get(`/share-config?url=${encodeURIComponent(PAGE)}`, 'application/json');
        expect(r.status).toBe(200);
        expectValidConfig(r.json, PAGE);
        expect((await client.get('/orders', 'application/json')).json).toMatchObject({
          statusCode: 401,
          code: 'NOT_AUTHENTICATED',
        });
      });
    });
  });
});
