import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lockedVersions, npm, packTarball, run, tempDirs } from '../support/packed-host.js';

const LIMIT_MB = 25;
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/** Every installed package directory under node_modules (scoped ones included), by its path. */
async function packages(nodeModules: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        await walk(path);
        continue;
      }
      found.push(path);
      await walk(join(path, 'node_modules'));
    }
  };
  await walk(nodeModules);
  return found;
}

const sizeOf = async (path: string) => Number((await run('du', ['-sb', path])).stdout.split('\t')[0]);

describe('what the package costs a Fastify host', () => {
  const dirs = tempDirs();
  afterAll(() => Promise.all(dirs.made.map((dir) => rm(dir, { recursive: true, force: true }))));

  it(`adds at most ${LIMIT_MB} MB and no install script; npm ls is clean`, async () => {
    const tarball = await packTarball(dirs.make);
    const locked = await lockedVersions();
    const host = await dirs.make('footprint');
    const base = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-fastify', 'fastify', 'reflect-metadata', 'rxjs'];
    await writeFile(
      join(host, 'package.json'),
      JSON.stringify({
        name: 'empty-fastify-host',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(base.map((name) => [name, locked(name)])),
      }),
    );
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], host);
    const modules = join(host, 'node_modules');
    const before = await sizeOf(modules);
    const had = new Set(await packages(modules));

    const fastifyPeers = ['@fastify/cookie', '@fastify/session'].map((name) => `${name}@${locked(name)}`);
    await npm(
      ['install', '--prefer-offline', '--no-audit', '--no-fund', `nest-wechat-h5@file:${tarball}`, ...fastifyPeers],
      host,
    );
    const addedMb = ((await sizeOf(modules)) - before) / 2 ** 20;
    const added = (await packages(modules)).filter((path) => !had.has(path));
    console.log(`package footprint: +${addedMb.toFixed(1)} MB in ${added.length} packages for a Fastify host`);

    const withScripts: string[] = [];
    for (const path of added) {
      const manifest = JSON.parse(await readFile(join(path, 'package.json'), 'utf8').catch(() => '{}')) as {
        scripts?: Record<string, string>;
      };
      if (INSTALL_SCRIPTS.some((name) => manifest.scripts?.[name])) withScripts.push(path.slice(modules.length + 1));
    }
    expect(withScripts).toEqual([]);
    // one generation of the Redis client, and neither connect-redis nor cache-manager
    const redisClients = new Set<string>();
    for (const path of added.filter((p) => p.endsWith('/@redis/client'))) {
      const manifest = JSON.parse(await readFile(join(path, 'package.json'), 'utf8')) as { version: string };
      redisClients.add(manifest.version.split('.')[0]!);
    }
    expect([...redisClients]).toEqual(['5']);
    expect(added.filter((p) => /\/(connect-redis|cache-manager|cache-manager-redis-yet|express-session)$/.test(p))).toEqual([]);
    await npm(['ls', '--all'], host);
    expect(addedMb).toBeLessThanOrEqual(LIMIT_MB);
  }, 240_000);
});
