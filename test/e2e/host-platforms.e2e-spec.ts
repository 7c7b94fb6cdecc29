import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { lockedVersions, npm, packTarball, readmeBlocks, REPO, run, tempDirs } from '../support/packed-host.js';
import { type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';

const TSC = join(REPO, 'node_modules/.bin/tsc');
const ACCOUNT = { appId: 'wx4e4e5f5f6a6a7b7b', appSecret: 'host-platforms-e2e-secret-0123' };
const PUBLIC = 'http://h5.test';
const PAGE = 'https://h5.example.com/item/9?from=share';

interface Variant {
  name: string;
  platform: 'fastify' | 'express';
  esm: boolean;
  globalPrefix?: string;
}

/** Besides the Fastify ES-module host of host-app.e2e-spec.ts: the other three, one under a global prefix. */
const VARIANTS: Variant[] = [
  { name: 'Express, ES modules, setGlobalPrefix("api")', platform: 'express', esm: true, globalPrefix: 'api' },
  { name: 'Express, CommonJS', platform: 'express', esm: false },
  { name: 'Fastify, CommonJS', platform: 'fastify', esm: false },
];

const PLATFORM_DEPS = {
  fastify: ['@nestjs/platform-fastify', 'fastify', '@fastify/cookie', '@fastify/session'],
  express: ['@nestjs/platform-express', 'express-session'],
};

/** The host's entry point: the README's, plus the global prefix and the line the test waits for. */
function mainFile(v: Variant): string {
  const adapter =
    v.platform === 'fastify'
      ? ["import { FastifyAdapter } from '@nestjs/platform-fastify';", 'new FastifyAdapter()']
      : ["import { ExpressAdapter } from '@nestjs/platform-express';", 'new ExpressAdapter()'];
  return `import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
${adapter[0]}
import { AppModule } from './app.module.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule, ${adapter[1]});
  ${v.globalPrefix ? `app.setGlobalPrefix('${v.globalPrefix}');` : ''}
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  Logger.log(\`listening on \${await app.getUrl()}\`, 'HostApp');
}
void bootstrap();
`;
}

describe('the packed package in Express and CommonJS hosts, with no global filter', () => {
  const dirs = tempDirs();
  const prefix = uniquePrefix('host-platforms');
  let tarball: string;
  let sandbox: SandboxServer;
  const hosts = new Map<string, { dir: string; process: ServiceProcess }>();

  beforeAll(async () => {
    tarball = await packTarball(dirs.make);
    const locked = await lockedVersions();
    const blocks = readmeBlocks(await readFile(join(REPO, 'README.md'), 'utf8'));
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    await Promise.all(
      VARIANTS.map(async (v) => {
        const dir = await dirs.make(v.platform + (v.esm ? '-esm' : '-cjs'));
        const deps = [
          '@nestjs/common',
          '@nestjs/core',
          '@nestjs/config',
          'reflect-metadata',
          'rxjs',
          ...PLATFORM_DEPS[v.platform],
        ];
        await writeFile(
          join(dir, 'package.json'),
          JSON.stringify(
            {
              name: `host-${v.platform}`,
              private: true,
              ...(v.esm ? { type: 'module' } : {}),
              dependencies: { 'nest-wechat-h5': `file:${tarball}`, ...Object.fromEntries(deps.map((d) => [d, locked(d)])) },
              devDependencies: { '@types/node': locked('@types/node') },
            },
            null,
            2,
          ),
        );
        // what a fresh Nest 12 project compiles with; the package type says ES module or CommonJS
        await writeFile(
          join(dir, 'tsconfig.json'),
          JSON.stringify(
            {
              compilerOptions: {
                module: 'nodenext',
                moduleResolution: 'nodenext',
                target: 'ES2023',
                experimentalDecorators: true,
                emitDecoratorMetadata: true,
                strict: true,
                skipLibCheck: true,
                types: ['node'],
                rootDir: 'src',
                outDir: 'dist',
              },
              include: ['src'],
            },
            null,
            2,
          ),
        );
        await mkdir(join(dir, 'src'));
        for (const [path, code] of blocks) {
          if (/\.(fastify|express)\.ts$/.test(path) && !path.endsWith(`.${v.platform}.ts`)) continue;
          await writeFile(join(dir, path), code);
        }
        await writeFile(join(dir, 'src/main.ts'), mainFile(v));
        await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], dir);
        await run(TSC, ['-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch((error) => {
          throw new Error(`the ${v.name} host does not compile:\n${(error as { stdout?: string }).stdout ?? error}`);
        });
        const started = await startServiceProcess(
          {
            PORT: '0',
            WECHAT_APP_ID: ACCOUNT.appId,
            WECHAT_APP_SECRET: ACCOUNT.appSecret,
            WECHAT_API_BASE_URL: sandbox.url,
            WECHAT_OPEN_BASE_URL: sandbox.url,
            WECHAT_JS_DOMAINS: 'h5.example.com',
            REDIS_URL,
            CACHE_KEY_PREFIX: prefix,
            PUBLIC_BASE_URL: PUBLIC,
            SESSION_SECRET: 'host-platforms-session-secret-of-32-chars',
          },
          30_000,
          { main: join(dir, 'dist/main.js'), cwd: dir },
        );
        hosts.set(v.name, { dir, process: started });
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...hosts.values()].map((h) => h.process.stop()));
    await sandbox?.close();
    await deleteKeys(prefix);
    await Promise.all(dirs.made.map((dir) => rm(dir, { recursive: true, force: true })));
  }, 120_000);

  describe.each(VARIANTS)('$name', (v) => {
    const p = v.globalPrefix ? `/${v.globalPrefix}` : '';
    const host = () => hosts.get(v.name)!;

    it(v.platform === 'express' ? 'has no Fastify in its node_modules' : 'has the Fastify platform only', () => {
      const installed = (name: string) => existsSync(join(host().dir, 'node_modules', name));
      expect(installed('nest-wechat-h5/dist/index.js')).toBe(true);
      expect(installed('fastify')).toBe(v.platform === 'fastify');
      expect(installed('@nestjs/platform-fastify')).toBe(v.platform === 'fastify');
      expect(installed('@nestjs/platform-express')).toBe(v.platform === 'express');
    });

    it("signs through the host's own route, and answers a foreign host with 400 DOMAIN_NOT_ALLOWED as JSON", async () => {
      const client = new CookieClient(host().process.url);
      const signed = await client.get(`${p}/share-config?url=${encodeURIComponent(PAGE)}`, 'application/json');
      expect(signed.status).toBe(200);
      expect(signed.json.signature).toBe(
        expectedSignature(
          sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!,
          signed.json.nonceStr,
          signed.json.timestamp,
          PAGE,
        ),
      );
      const refused = await client.get(
        `${p}/share-config?url=${encodeURIComponent('https://evil.example.org/')}`,
        'application/json',
      );
      expect(refused).toMatchObject({ status: 400, json: { statusCode: 400, code: 'DOMAIN_NOT_ALLOWED' } });
      const builtIn = await client.post(`${p}/wechat/jssdk/config`, { url: PAGE });
      expect(builtIn).toMatchObject({ status: 200, json: { appId: ACCOUNT.appId } });
    });

    it('guards its route (401 JSON with loginUrl for an API client, 302 for a browser) and lets the user in after login', async () => {
      const client = new CookieClient(host().process.url);
      const loginUrl = `${p}/wechat/oauth/login?returnTo=${encodeURIComponent(`${p}/orders`)}`;
      expect(await client.get(`${p}/orders`, 'application/json')).toMatchObject({
        status: 401,
        json: { code: 'NOT_AUTHENTICATED', loginUrl },
      });
      expect(await client.get(`${p}/orders`, 'text/html')).toMatchObject({ status: 302, location: loginUrl });
      const login = await client.get(loginUrl);
      expect(login.location).toContain(`&redirect_uri=${encodeURIComponent(`${PUBLIC}${p}/wechat/oauth/callback`)}&`);
      const callback = await client.get(pathOf(sandbox.sandbox.authorize(login.location!, { user: 'alice' })));
      expect(callback).toMatchObject({ status: 302, location: `${p}/orders` });
      const orders = await client.get(`${p}/orders`, 'application/json');
      expect(orders).toMatchObject({ status: 200, json: { owner: sandbox.sandbox.openidOf(ACCOUNT.appId, 'alice') } });
    });
  });
});
